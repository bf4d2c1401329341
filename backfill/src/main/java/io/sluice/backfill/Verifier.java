package io.sluice.backfill;

import io.sluice.event.ChangeEvent;
import io.sluice.event.Operation;
import io.sluice.event.SourcePosition;
import io.sluice.event.TableId;
import io.sluice.sink.DocumentMapper;
import io.sluice.sink.ReadableSink;
import io.sluice.sink.RetriableSinkException;
import io.sluice.sink.RetryPolicy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;
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
 * <p>Documents are compared as {@link DocumentComparison} says; keys are handled by {@link TableKeys}; the repair is
 * {@link VerifierRepair}.
 *
 * <p>Not thread-safe: one run per instance, on the caller's thread.
 */
public final class Verifier {
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
    private final UnaryOperator<ChangeEvent> expect;
    private volatile boolean cancelled;
    private final RandomGenerator random = RandomGenerator.getDefault();

    /**
     * @param repairs where repairs are written (the sink, through the server's runner); null for a report only
     */
    public Verifier(Options options, ReadableSink sink, ChunkWindows windows, BackfillRun.Target repairs, Clock clock,
            BackfillRun.Sleeper sleeper) {
        this(options, sink, windows, repairs, clock, sleeper, UnaryOperator.identity());
    }

    /**
     * @param expect what the target should hold for a row of the table (the row as the tables' data contracts transform
     *     it), or null when the contracts keep the row out of the targets: such a row is not judged
     */
    public Verifier(Options options, ReadableSink sink, ChunkWindows windows, BackfillRun.Target repairs, Clock clock,
            BackfillRun.Sleeper sleeper, UnaryOperator<ChangeEvent> expect) {
        this.expect = Objects.requireNonNull(expect, "expect");
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
        return run(connection, schemas, null, 0).report();
    }

    /**
     * A verification of part of the table: the rows after a key, in key order.
     *
     * @param report the comparison of the rows read; ids the sink holds that the table lacks are looked for only when
     *     the range reached the table's end
     * @param lastKey the key of the last row read, to go on after; null when the table's end was reached
     */
    public record Range(Report report, List<Object> lastKey) {
    }

    /**
     * Verifies (and repairs) at most {@code maxRows} rows after {@code startAfter}, as {@link #run(Connection,
     * BackfillRun.Schemas)} does the whole table: a rolling check of a large table, a part at a time.
     *
     * @param startAfter the key to start after, or null for the table's start
     * @param maxRows at most this many rows; 0 for no limit
     */
    public Range run(Connection connection, BackfillRun.Schemas schemas, List<Object> startAfter, long maxRows) throws SQLException,
            InterruptedException {
        TableId table = options.table();
        int chunk0 = maxRows > 0 ? (int) Math.min(options.chunkSize(), maxRows) : options.chunkSize();
        ChunkReader reader = ChunkReader.open(connection, table.database(), table.table(), options.filter(), chunk0, startAfter, null);
        TableKeys keys = new TableKeys(table, reader.keyColumns());
        Set<List<Object>> suspects = new LinkedHashSet<>();
        long rows = 0;
        List<Object> lastKey = null;
        boolean reachedEnd = false;
        while (maxRows <= 0 || rows < maxRows) {
            ChunkReader.Chunk chunk = reader.next();
            if (chunk.isEmpty()) {
                reachedEnd = true;
                break;
            }
            stopIfCancelled();
            rows += chunk.rows().size();
            lastKey = chunk.lastKey();
            List<ChangeEvent> events = events(chunk.rows(), schemas);
            List<String> held = read("reads the table's rows back", () -> sink.readBack(events));
            for (int i = 0; i < events.size(); i++) {
                ChangeEvent want = expect.apply(events.get(i));
                if (want != null && !DocumentComparison.same(expected(want), held.get(i))) {
                    suspects.add(keys.of(chunk.rows().get(i)));
                }
            }
        }
        boolean extraChecked = idIsKey() && reachedEnd;
        if (extraChecked) {
            suspects.addAll(extraSuspects(connection, keys));
        }
        if (!suspects.isEmpty()) {
            sleeper.sleep(options.recheckDelay());
        }
        List<String> missing = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        List<List<Object>> confirmed = new ArrayList<>();
        for (List<List<Object>> batch : TableKeys.batches(new ArrayList<>(suspects), Math.max(1, options.chunkSize()))) {
            stopIfCancelled();
            Map<List<Object>, Map<String, Object>> now = keys.rowsByKey(connection, batch);
            List<ChangeEvent> present = new ArrayList<>();
            List<List<Object>> presentKeys = new ArrayList<>();
            List<ChangeEvent> absent = new ArrayList<>();
            List<List<Object>> absentKeys = new ArrayList<>();
            for (List<Object> k : batch) {
                Map<String, Object> row = now.get(TableKeys.normalize(k));
                if (row != null) {
                    present.addAll(events(List.of(row), schemas));
                    presentKeys.add(k);
                } else {
                    absent.add(keys.deleteEvent(k, schemas, NOWHERE, clock.instant(), 0));
                    absentKeys.add(k);
                }
            }
            List<String> heldPresent = read("reads the differences back", () -> sink.readBack(present));
            for (int i = 0; i < present.size(); i++) {
                String held = heldPresent.get(i);
                ChangeEvent want = expect.apply(present.get(i));
                if (want != null && !DocumentComparison.same(expected(want), held)) {
                    (DocumentComparison.live(held) == null ? missing : stale).add(TableKeys.idOf(presentKeys.get(i)));
                    confirmed.add(presentKeys.get(i));
                }
            }
            List<String> heldAbsent = read("reads the differences back", () -> sink.readBack(absent));
            for (int i = 0; i < absent.size(); i++) {
                if (DocumentComparison.live(heldAbsent.get(i)) != null) {
                    extra.add(TableKeys.idOf(absentKeys.get(i)));
                    confirmed.add(absentKeys.get(i));
                }
            }
        }
        long repaired = repairs == null || confirmed.isEmpty() ? 0
                : new VerifierRepair(table, keys, windows, repairs, options.chunkSize(), options.epoch(), clock, this::stopIfCancelled)
                        .repair(connection, confirmed, schemas);
        return new Range(new Report(rows, missing.size(), stale.size(), extra.size(), sample(missing), sample(stale), sample(extra),
                extraChecked, repaired), reachedEnd ? null : lastKey);
    }

    /** The keys of every id the sink holds for the table that the table lacks. */
    private Set<List<Object>> extraSuspects(Connection connection, TableKeys keys) throws SQLException, InterruptedException {
        Set<List<Object>> extra = new LinkedHashSet<>();
        List<SQLException> failure = new ArrayList<>(1);
        // Scanned again from the start if the target stops answering: the suspects are a set.
        read("lists the sink's ids", () -> {
            sink.scanIds(options.table(), ids -> {
                if (!failure.isEmpty() || cancelled) {
                    return; // the scan runs to its end, but reads nothing more from the table
                }
                try {
                    List<List<Object>> found = ids.stream().map(keys::parseId).toList();
                    Set<List<Object>> present = keys.rowsByKey(connection, found).keySet();
                    for (List<Object> k : found) {
                        if (!present.contains(TableKeys.normalize(k))) {
                            extra.add(k);
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
        return extra;
    }

    /**
     * A read of the sink, retried with backoff while its target does not answer (a restart, a failover), for
     * {@link #READ_PATIENCE} at most.
     *
     * @param what what the verification does, for the message
     * @throws BackfillException if the target did not answer for that long, naming the sink and the fix
     * @throws InterruptedException if cancelled or interrupted while waiting
     */
    private <T> T read(String what, Supplier<T> read) throws InterruptedException {
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

    private List<ChangeEvent> events(List<Map<String, Object>> rows, BackfillRun.Schemas schemas) {
        List<ChangeEvent> out = new ArrayList<>(rows.size());
        Instant at = clock.instant();
        for (Map<String, Object> row : rows) {
            GenericRecord value = RowConverter.value(options.table(), row, schemas.value());
            out.add(new ChangeEvent(options.table(), Operation.READ, RowConverter.key(value, schemas.key()), null, value, NOWHERE, at, 0));
        }
        return out;
    }

    private String expected(ChangeEvent e) {
        return sink.stored(DocumentMapper.document(e.after(), sink.mapping()));
    }

    private boolean idIsKey() {
        return "{key}".equals(sink.mapping().id().toString());
    }

    private List<String> sample(List<String> ids) {
        return List.copyOf(ids.subList(0, Math.min(ids.size(), options.samples())));
    }
}
