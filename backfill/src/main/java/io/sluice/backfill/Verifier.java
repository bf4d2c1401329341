package io.sluice.backfill;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.event.ChangeEvent;
import io.sluice.event.Operation;
import io.sluice.event.SourcePosition;
import io.sluice.event.TableId;
import io.sluice.sink.DocumentMapper;
import io.sluice.sink.ReadableSink;
import io.sluice.sink.RetriableSinkException;
import io.sluice.sink.RetryPolicy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Compares a table with what one sink holds for it, online and without locks, and optionally repairs the
 * differences.
 *
 * <ol>
 * <li>The table is read in key chunks ({@link ChunkReader}); each row is mapped to the document the sink writes
 *     for it and compared with what the sink reads back ({@link ReadableSink#readBack}): a document that is absent
 *     is <em>missing</em>, one that differs is <em>stale</em>. Only a chunk is held at a time.</li>
 * <li>Every id the sink holds for the table ({@link ReadableSink#scanIds}) whose key the table lacks is
 *     <em>extra</em> (only for the default id template {@code {key}}; other templates are reported as not
 *     checked).</li>
 * <li>Suspects are checked again after {@link Options#recheckDelay}: a change still on its way through the
 *     pipeline is not drift.</li>
 * <li>With repair, the confirmed keys are re-read inside a DBLog window ({@link ChunkWindow}): rows are written with
 *     the window's snapshot version and extra keys deleted with it, so that a live change made meanwhile still
 *     wins.</li>
 * </ol>
 *
 * <p>Documents are compared as JSON trees with numbers compared by value ({@code 1.50} equals {@code 1.5}) and null
 * fields equal to absent ones; a document marked deleted ({@link DocumentMapper#DELETED_FIELD}) counts as absent.
 *
 * <p>Not thread-safe: one run per instance, on the caller's thread.
 */
public final class Verifier {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Comparator<JsonNode> BY_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };
    /** How long a read of the sink is retried while its target does not answer, before the verification fails. */
    static final Duration READ_PATIENCE = Duration.ofMinutes(2);
    private static final SourcePosition NOWHERE = new SourcePosition("verify.000000", 0, 0, null, 0, true);

    /**
     * What to verify.
     *
     * @param filter a SQL condition on the table's columns, or null
     * @param recheckDelay how long to wait before checking a difference again
     * @param samples how many keys of each kind the report names
     * @param epoch the source's version epoch (repairs are written with it)
     */
    public record Options(TableId table, String filter, int chunkSize, Duration recheckDelay, int samples, int epoch) {
        public Options {
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(recheckDelay, "recheckDelay");
        }
    }

    /**
     * The outcome.
     *
     * @param rowsChecked rows of the table compared
     * @param extraChecked false when the sink's id template does not let ids be read back as keys
     * @param repaired keys re-sent or deleted (0 without repair)
     */
    public record Report(long rowsChecked, long missing, long stale, long extra, List<String> missingSample, List<String> staleSample,
            List<String> extraSample, boolean extraChecked, long repaired) {
        public boolean clean() {
            return missing == 0 && stale == 0 && extra == 0;
        }
    }

    private final Options options;
    private final ReadableSink sink;
    private final ChunkWindows windows;
    private final BackfillRun.Target repairs;
    private final Clock clock;
    private final BackfillRun.Sleeper sleeper;
    private volatile boolean cancelled;
    private final java.util.random.RandomGenerator random = java.util.random.RandomGenerator.getDefault();

    /**
     * @param repairs where repairs are written (the sink, through the server's runner); null for a report only
     */
    public Verifier(Options options, ReadableSink sink, ChunkWindows windows, BackfillRun.Target repairs, Clock clock,
            BackfillRun.Sleeper sleeper) {
        this.options = Objects.requireNonNull(options, "options");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.windows = Objects.requireNonNull(windows, "windows");
        this.repairs = repairs;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /**
     * Runs the comparison, and the repair if a repair target was given.
     *
     * @throws BackfillException if the table or the filter cannot be read, naming them
     * @throws SQLException if the source fails
     * @throws InterruptedException if interrupted while waiting, or {@link #cancel() cancelled} (checked between
     *     chunks and while waiting)
     */
    public Report run(Connection connection, BackfillRun.Schemas schemas) throws SQLException, InterruptedException {
        TableId table = options.table();
        ChunkReader reader = ChunkReader.open(connection, table.database(), table.table(), options.filter(), options.chunkSize(), null, null);
        List<String> keyColumns = reader.keyColumns();
        Set<List<Object>> suspects = new LinkedHashSet<>();
        long rows = 0;
        for (ChunkReader.Chunk chunk = reader.next(); !chunk.isEmpty(); chunk = reader.next()) {
            stopIfCancelled();
            rows += chunk.rows().size();
            List<ChangeEvent> events = events(chunk.rows(), schemas);
            List<String> held = read("reads the table's rows back", () -> sink.readBack(events));
            for (int i = 0; i < events.size(); i++) {
                if (!same(expected(events.get(i)), held.get(i))) {
                    suspects.add(key(chunk.rows().get(i), keyColumns));
                }
            }
        }
        boolean extraChecked = idIsKey();
        if (extraChecked) {
            Set<List<Object>> extraSuspects = new LinkedHashSet<>();
            List<SQLException> failure = new ArrayList<>(1);
            // Scanned again from the start if the target stops answering: the suspects are a set.
            read("lists the sink's ids", () -> {
                sink.scanIds(table, ids -> {
                    if (!failure.isEmpty() || cancelled) {
                        return; // the scan runs to its end, but reads nothing more from the table
                    }
                    try {
                        List<List<Object>> keys = ids.stream().map(id -> parseId(id, keyColumns.size())).toList();
                        Set<List<Object>> present = rowsByKey(connection, keyColumns, keys).keySet();
                        for (List<Object> k : keys) {
                            if (!present.contains(normalize(k))) {
                                extraSuspects.add(k);
                            }
                        }
                    } catch (SQLException e) {
                        failure.add(e);
                    }
                });
                return null;
            });
            if (!failure.isEmpty()) {
                throw failure.get(0);
            }
            stopIfCancelled();
            suspects.addAll(extraSuspects);
        }
        if (!suspects.isEmpty()) {
            sleeper.sleep(options.recheckDelay());
        }
        List<String> missing = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        List<List<Object>> confirmed = new ArrayList<>();
        for (List<List<Object>> batch : batches(new ArrayList<>(suspects), Math.max(1, options.chunkSize()))) {
            stopIfCancelled();
            Map<List<Object>, Map<String, Object>> now = rowsByKey(connection, keyColumns, batch);
            List<ChangeEvent> present = new ArrayList<>();
            List<List<Object>> presentKeys = new ArrayList<>();
            List<ChangeEvent> absent = new ArrayList<>();
            List<List<Object>> absentKeys = new ArrayList<>();
            for (List<Object> k : batch) {
                Map<String, Object> row = now.get(normalize(k));
                if (row != null) {
                    present.addAll(events(List.of(row), schemas));
                    presentKeys.add(k);
                } else {
                    absent.add(deleteEvent(k, keyColumns, schemas));
                    absentKeys.add(k);
                }
            }
            List<String> heldPresent = read("reads the differences back", () -> sink.readBack(present));
            for (int i = 0; i < present.size(); i++) {
                String held = heldPresent.get(i);
                if (!same(expected(present.get(i)), held)) {
                    (live(held) == null ? missing : stale).add(idOf(presentKeys.get(i)));
                    confirmed.add(presentKeys.get(i));
                }
            }
            List<String> heldAbsent = read("reads the differences back", () -> sink.readBack(absent));
            for (int i = 0; i < absent.size(); i++) {
                if (live(heldAbsent.get(i)) != null) {
                    extra.add(idOf(absentKeys.get(i)));
                    confirmed.add(absentKeys.get(i));
                }
            }
        }
        long repaired = repairs == null || confirmed.isEmpty() ? 0 : repair(connection, keyColumns, confirmed, schemas);
        return new Report(rows, missing.size(), stale.size(), extra.size(), sample(missing), sample(stale), sample(extra), extraChecked,
                repaired);
    }

    /**
     * A read of the sink, retried with backoff while its target does not answer (a restart, a failover), for
     * {@link #READ_PATIENCE} at most.
     *
     * @param what what the verification does, for the message
     * @throws BackfillException if the target did not answer for that long, naming the sink and the fix
     * @throws InterruptedException if cancelled or interrupted while waiting
     */
    private <T> T read(String what, java.util.function.Supplier<T> read) throws InterruptedException {
        Instant giveUp = clock.instant().plus(READ_PATIENCE);
        int attempt = 1;
        while (true) {
            try {
                return read.get();
            } catch (RetriableSinkException e) {
                if (!clock.instant().isBefore(giveUp)) {
                    throw new BackfillException("sink '" + sink.name() + "' did not answer for " + READ_PATIENCE.toSeconds() + " s while the"
                            + " verification " + what + " (" + e.getMessage() + "); run it again once its target is back");
                }
                attempt++;
                stopIfCancelled();
                sleeper.sleep(RetryPolicy.defaults().backoff(attempt, random));
            }
        }
    }

    /**
     * Stops the run at its next step (between chunks, or while it waits): {@link #run} then throws
     * {@link InterruptedException}; what it repaired stays. A flag rather than an interrupt, which would close the
     * Lucene writer or the metadata database's file channel that a repair or its caller happens to be using. May
     * be called from any thread.
     */
    public void cancel() {
        cancelled = true;
    }

    private void stopIfCancelled() throws InterruptedException {
        if (cancelled) {
            throw new InterruptedException("verification cancelled");
        }
    }

    /**
     * Re-reads the keys inside a window and writes what the table holds with the window's snapshot version:
     * rows that exist are written, rows that do not are deleted; keys the stream changes meanwhile are left to it.
     */
    private long repair(Connection connection, List<String> keyColumns, List<List<Object>> keys, BackfillRun.Schemas schemas)
            throws SQLException, InterruptedException {
        long done = 0;
        for (List<List<Object>> batch : batches(keys, Math.max(1, options.chunkSize()))) {
            stopIfCancelled();
            ChunkWindow window = windows.open(options.table(), keyColumns);
            try {
                Map<List<Object>, Map<String, Object>> now = rowsByKey(connection, keyColumns, batch);
                List<Map<String, Object>> read = new ArrayList<>();
                for (List<Object> k : batch) {
                    Map<String, Object> row = now.get(normalize(k));
                    // A key the table lacks is read as its key alone: the window drops it if the stream touched it.
                    read.add(row != null ? row : keyRow(k, keyColumns));
                }
                windows.chunkRead(window, read, BinlogPoint.current(connection));
                while (!window.awaitClosed(Duration.ofMillis(200))) {
                    stopIfCancelled(); // the stream passes the high point with its next event or heartbeat (a paused source: never)
                }
                Set<List<String>> kept = new HashSet<>();
                for (Map<String, Object> r : window.survivors()) {
                    kept.add(text(key(r, keyColumns)));
                }
                BinlogPoint high = window.high();
                SourcePosition position = new SourcePosition(high.file(), high.position(), 0, null, 0, true);
                long version = window.version(options.epoch());
                Instant at = clock.instant();
                List<ChangeEvent> writes = new ArrayList<>();
                for (List<Object> k : batch) {
                    if (!kept.contains(text(k))) {
                        continue;
                    }
                    Map<String, Object> row = now.get(normalize(k));
                    if (row != null) {
                        GenericRecord value = RowConverter.value(options.table(), row, schemas.value());
                        writes.add(new ChangeEvent(options.table(), Operation.READ, RowConverter.key(value, schemas.key()), null, value, position,
                                at, version));
                    } else {
                        ChangeEvent d = deleteEvent(k, keyColumns, schemas);
                        writes.add(new ChangeEvent(d.table(), Operation.DELETE, d.key(), d.before(), null, position, at, version));
                    }
                }
                if (!writes.isEmpty()) {
                    repairs.write(writes);
                    done += writes.size();
                }
            } finally {
                windows.discard(window);
            }
        }
        return done;
    }

    private List<ChangeEvent> events(List<Map<String, Object>> rows, BackfillRun.Schemas schemas) {
        List<ChangeEvent> out = new ArrayList<>(rows.size());
        Instant at = clock.instant();
        for (Map<String, Object> row : rows) {
            GenericRecord value = RowConverter.value(options.table(), row, schemas.value());
            out.add(new ChangeEvent(options.table(), Operation.READ, RowConverter.key(value, schemas.key()), null, value, NOWHERE, at, 0));
        }
        return out;
    }

    /** A delete of a key the table lacks: its before image carries the key only. */
    private ChangeEvent deleteEvent(List<Object> key, List<String> keyColumns, BackfillRun.Schemas schemas) {
        GenericData.Record before = new GenericData.Record(schemas.value());
        for (int i = 0; i < keyColumns.size(); i++) {
            Schema.Field f = schemas.value().getField(keyColumns.get(i));
            before.put(f.pos(), RowConverter.convert(f.schema(), keyValue(f.schema(), key.get(i))));
        }
        return new ChangeEvent(options.table(), Operation.DELETE, RowConverter.key(before, schemas.key()), before, null, NOWHERE,
                clock.instant(), 0);
    }

    /** An id read back from a target is text: give key columns of numeric types their numbers. */
    private static Object keyValue(Schema schema, Object v) {
        if (!(v instanceof String s)) {
            return v;
        }
        Schema t = schema;
        if (t.getType() == Schema.Type.UNION) {
            t = t.getTypes().stream().filter(x -> x.getType() != Schema.Type.NULL).findFirst().orElse(t);
        }
        if (t.getLogicalType() != null) {
            return "decimal".equals(t.getLogicalType().getName()) ? new java.math.BigDecimal(s) : s;
        }
        return switch (t.getType()) {
            case INT -> Integer.parseInt(s);
            case LONG -> Long.parseLong(s);
            case FLOAT -> Float.parseFloat(s);
            case DOUBLE -> Double.parseDouble(s);
            case BOOLEAN -> Boolean.parseBoolean(s);
            default -> s;
        };
    }

    private String expected(ChangeEvent e) {
        return sink.stored(DocumentMapper.document(e.after(), sink.mapping()));
    }

    /** The held document, or null when absent or marked deleted. */
    private static JsonNode live(String held) {
        if (held == null) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(held);
            return n.path(DocumentMapper.DELETED_FIELD).asBoolean(false) ? null : n;
        } catch (JsonProcessingException e) {
            return JSON.getNodeFactory().textNode(held); // not JSON: compared as text, so it shows as stale
        }
    }

    private static boolean same(String expected, String held) {
        JsonNode h = live(held);
        if (h == null) {
            return false;
        }
        try {
            return withoutNulls(JSON.readTree(expected)).equals(BY_VALUE, withoutNulls(h));
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    /**
     * A field that is null and a field that is absent say the same: documents written before a nullable column
     * was added lack it, and are not stale for that.
     */
    private static JsonNode withoutNulls(JsonNode n) {
        if (n.isObject()) {
            com.fasterxml.jackson.databind.node.ObjectNode out = JSON.createObjectNode();
            n.fields().forEachRemaining(f -> {
                if (!f.getValue().isNull()) {
                    out.set(f.getKey(), withoutNulls(f.getValue()));
                }
            });
            return out;
        }
        if (n.isArray()) {
            com.fasterxml.jackson.databind.node.ArrayNode out = JSON.createArrayNode();
            n.forEach(e -> out.add(withoutNulls(e)));
            return out;
        }
        return n;
    }

    private boolean idIsKey() {
        return "{key}".equals(sink.mapping().id().toString());
    }

    /** Ids of the default template are the key's values joined by ':'. */
    private static List<Object> parseId(String id, int columns) {
        if (columns == 1) {
            return List.of(id);
        }
        return List.of((Object[]) id.split(":", columns));
    }

    private static String idOf(List<Object> key) {
        return String.join(":", key.stream().map(String::valueOf).toList());
    }

    private static List<Object> key(Map<String, Object> row, List<String> keyColumns) {
        return keyColumns.stream().map(row::get).toList();
    }

    private static Map<String, Object> keyRow(List<Object> key, List<String> keyColumns) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < keyColumns.size(); i++) {
            row.put(keyColumns.get(i), key.get(i));
        }
        return row;
    }

    /** Keys compared by their values' text: ids read back from a target are text, rows carry typed values. */
    private static List<Object> normalize(List<Object> key) {
        return new ArrayList<>(text(key));
    }

    private static List<String> text(List<Object> key) {
        return key.stream().map(String::valueOf).toList();
    }

    /** The rows with these keys, by normalized key; absent keys are left out. */
    private Map<List<Object>, Map<String, Object>> rowsByKey(Connection c, List<String> keyColumns, List<List<Object>> keys)
            throws SQLException {
        Map<List<Object>, Map<String, Object>> out = new LinkedHashMap<>();
        if (keys.isEmpty()) {
            return out;
        }
        String tuple = "(" + String.join(", ", Collections.nCopies(keyColumns.size(), "?")) + ")";
        String sql = "SELECT * FROM " + ChunkReader.quote(options.table().database()) + "." + ChunkReader.quote(options.table().table())
                + " WHERE (" + String.join(", ", keyColumns.stream().map(ChunkReader::quote).toList()) + ") IN ("
                + String.join(", ", Collections.nCopies(keys.size(), tuple)) + ")";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int p = 1;
            for (List<Object> k : keys) {
                for (Object v : k) {
                    ps.setObject(p++, v);
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                for (Map<String, Object> row : ChunkReader.rows(rs)) {
                    out.put(normalize(key(row, keyColumns)), row);
                }
            }
        }
        return out;
    }

    private List<String> sample(List<String> ids) {
        return List.copyOf(ids.subList(0, Math.min(ids.size(), options.samples())));
    }

    private static <T> List<List<T>> batches(List<T> all, int size) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += size) {
            out.add(all.subList(i, Math.min(all.size(), i + size)));
        }
        return out;
    }
}
