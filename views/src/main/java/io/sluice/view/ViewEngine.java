package io.sluice.view;

import io.sluice.backfill.RowConverter;
import io.sluice.event.ChangeEvent;
import io.sluice.event.Operation;
import io.sluice.event.SourceEvent;
import io.sluice.event.SourcePosition;
import io.sluice.event.TableId;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The views of one source, kept exact as its tables change. For each batch the source delivers, it finds the
 * documents the batch touches ({@link AffectedRoots}), rebuilds them whole from the source ({@link ViewReader}) and
 * returns them as change events of the view's table ({@link CompiledView#id}) for the pipeline to write after the
 * batch's own events: upserts, or deletes when the root row is gone.
 *
 * <h2>Versions</h2>
 * Every document rebuilt for a batch carries the highest version of the batch's changes to the view's tables: it is
 * read after all of them were committed, so it holds them all, and any later change of its rows has a higher version
 * and rebuilds it again. Replays and rebuilds that read older states can therefore never replace a newer document.
 *
 * <h2>Fan-out</h2>
 * A batch that touches more documents of a view than {@code fanOutCap} does not rebuild them here: the keys go to
 * {@link FanOut} with the batch's version, to be rebuilt in the background, so that the stream never stalls.
 *
 * <h2>Schemas</h2>
 * A view compiles once every table of it has a registered schema; until then it waits (see {@link #status()}).
 * When a change arrives under a new schema of one of its tables, the view compiles again with it.
 *
 * <p>Thread-safe: {@link #derive} runs on the capture thread, {@link #compiled} on a rebuild's, one at a time; {@link #status()}
 * may be read from any thread without waiting.
 */
public final class ViewEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ViewEngine.class);

    /** Opens a connection to the source with its capture user. */
    @FunctionalInterface
    public interface Connector {
        Connection open() throws SQLException;
    }

    /** Takes over a fan-out too large for the stream: rebuilds these documents in the background. */
    @FunctionalInterface
    public interface FanOut {
        /**
         * @param keys the root keys, each as JDBC binds it
         * @param trigger the batch's change that carries the version and position the documents are written with
         */
        void rebuild(CompiledView view, List<List<Object>> keys, ChangeEvent trigger);
    }

    /**
     * A view of the source as the engine runs it.
     *
     * @param definition as a person declared it
     * @param captured whether the view's pipeline takes a {@code database.table}
     */
    public record Declared(ViewDefinition definition, Predicate<String> captured) {
    }

    /** One view of the source: its tree once checked against the tables, and its compiled form once their schemas are known. */
    private static final class Entry {
        final Declared declared;
        ViewNode root;
        volatile CompiledView compiled;
        volatile ViewStatus status;

        Entry(Declared declared) {
            this.declared = declared;
            this.status = ViewStatus.of(declared.definition().name());
        }

        ViewDefinition definition() {
            return declared.definition();
        }
    }

    private final List<Entry> views = new ArrayList<>();
    private final String source;
    private final Connector connector;
    private final Function<TableId, Optional<Schema>> registered;
    private final int fanOutCap;
    private final FanOut fanOut;
    /** The schema each table's changes last arrived under: newer than the registry's answer when a table just changed. */
    private final Map<TableId, Schema> seen = new HashMap<>();
    private Connection connection;

    /**
     * @param source the source's name
     * @param views the source's views; each is checked against the source's tables (see {@link ViewValidator}) when the
     *     first batch comes, on the engine's own connection
     * @param registered a table's registered value schema, if any
     * @param fanOutCap the most documents of a view one batch rebuilds on the capture thread
     */
    public ViewEngine(String source, List<Declared> views, Connector connector, Function<TableId, Optional<Schema>> registered,
            int fanOutCap, FanOut fanOut) {
        this.source = source;
        views.forEach(v -> this.views.add(new Entry(v)));
        this.connector = connector;
        this.registered = registered;
        this.fanOutCap = fanOutCap;
        this.fanOut = fanOut;
    }

    /** Whether the source has views: a pipeline without them needs no engine at all. */
    public boolean isEmpty() {
        return views.isEmpty();
    }

    /**
     * The documents a batch calls for.
     *
     * @param batch the source's events, in binlog order
     * @return one event per document rebuilt, to be written after the batch's own events; empty when the batch
     *     touches no view
     * @throws SQLException if the source cannot be read twice in a row (the connection is opened again in between)
     */
    public synchronized List<ChangeEvent> derive(List<SourceEvent> batch) throws SQLException {
        List<ChangeEvent> changes = new ArrayList<>(batch.size());
        for (SourceEvent e : batch) {
            if (e instanceof ChangeEvent c) {
                changes.add(c);
                seen.put(c.table(), c.row().getSchema());
            }
        }
        if (changes.isEmpty() || views.isEmpty()) {
            return List.of();
        }
        checkAgainstTables();
        List<ChangeEvent> out = new ArrayList<>();
        for (Entry entry : views) {
            if (entry.root == null || !entry.status.problems().isEmpty()) {
                continue;
            }
            Set<TableId> tables = entry.root.walk().stream().map(ViewNode::table).collect(Collectors.toSet());
            List<ChangeEvent> mine = changes.stream().filter(c -> tables.contains(c.table())).toList();
            if (mine.isEmpty()) {
                continue;
            }
            if (entry.compiled == null || schemaChanged(entry.compiled, mine)) {
                compile(entry);
                if (entry.compiled == null) {
                    continue;
                }
            }
            ChangeEvent trigger = mine.stream().max((a, b) -> Long.compare(a.version(), b.version())).orElseThrow();
            out.addAll(rebuild(entry, mine, trigger));
        }
        return out;
    }

    private List<ChangeEvent> rebuild(Entry entry, List<ChangeEvent> mine, ChangeEvent trigger) throws SQLException {
        CompiledView view = entry.compiled;
        Map<List<String>, List<Object>> keys = withConnection(c -> AffectedRoots.of(view, mine, c));
        ViewStatus before = entry.status;
        if (keys.isEmpty()) {
            return List.of();
        }
        if (keys.size() > fanOutCap) {
            fanOut.rebuild(view, new ArrayList<>(keys.values()), trigger);
            entry.status = before.handedOver(mine.size(), keys.size());
            return List.of();
        }
        Map<List<String>, Optional<GenericRecord>> docs = withConnection(c -> ViewReader.read(view, c, keys.values()));
        List<ChangeEvent> out = documents(view, keys, docs, trigger.version(), trigger.position(), trigger.commitTime());
        entry.status = before.rebuilt(mine.size(), out.size());
        return out;
    }

    /**
     * Change events of a view's documents: an upsert for each document read, a delete (with a key-only image) for each
     * root key whose row is gone, all with the version and position of the change that called for them.
     *
     * @param keys the root keys, by their {@link KeyValues#text} form
     * @param docs what {@link ViewReader#read} found for them
     */
    public static List<ChangeEvent> documents(CompiledView view, Map<List<String>, List<Object>> keys,
            Map<List<String>, Optional<GenericRecord>> docs, long version, SourcePosition position, Instant commitTime) {
        List<ChangeEvent> out = new ArrayList<>(keys.size());
        keys.forEach((text, values) -> {
            GenericRecord key = key(view, values);
            Optional<GenericRecord> doc = docs.getOrDefault(text, Optional.empty());
            if (doc.isPresent()) {
                out.add(new ChangeEvent(view.id(), Operation.READ, key, null, doc.get(), position, commitTime, version));
            } else {
                out.add(new ChangeEvent(view.id(), Operation.DELETE, key, keyOnly(view, key), null, position, commitTime, version));
            }
        });
        return out;
    }

    /**
     * The compiled form of a view, once its source's tables and their schemas let it be built; checks the views against
     * the tables first if no batch did yet.
     *
     * @throws SQLException if the source's tables cannot be read
     */
    public synchronized Optional<CompiledView> compiled(String view) throws SQLException {
        checkAgainstTables();
        for (Entry e : views) {
            if (e.definition().name().equals(view)) {
                if (e.root != null && e.compiled == null) {
                    compile(e);
                }
                return Optional.ofNullable(e.compiled);
            }
        }
        return Optional.empty();
    }

    /** The views and what they did so far. */
    public List<ViewStatus> status() {
        return views.stream().map(e -> e.status).toList();
    }

    @Override
    public void close() {
        closeConnection();
    }

    private static GenericRecord key(CompiledView view, List<Object> values) {
        GenericData.Record key = new GenericData.Record(view.keySchema());
        List<String> columns = view.root().keyColumns();
        for (int i = 0; i < columns.size(); i++) {
            Schema.Field f = view.keySchema().getField(columns.get(i));
            key.put(f.pos(), RowConverter.convert(f.schema(), KeyValues.typed(f.schema(), values.get(i))));
        }
        return key;
    }

    /** A deleted document's last image: its key fields, nothing else. */
    private static GenericRecord keyOnly(CompiledView view, GenericRecord key) {
        GenericData.Record doc = new GenericData.Record(view.valueSchema());
        for (Schema.Field f : doc.getSchema().getFields()) {
            doc.put(f.pos(), f.schema().getType() == Schema.Type.ARRAY ? List.of() : null);
        }
        view.root().keyColumns().forEach(k -> doc.put(view.root().fields().getOrDefault(k, k), key.get(k)));
        return doc;
    }

    private boolean schemaChanged(CompiledView view, List<ChangeEvent> mine) {
        for (ViewNode n : view.root().walk()) {
            Schema current = seen.get(n.table());
            if (current != null && !current.equals(view.tableSchema(n))) {
                return true;
            }
        }
        return false;
    }

    /** Checks each view not checked yet against the source's tables as they are now, and compiles it. */
    private void checkAgainstTables() throws SQLException {
        List<Entry> unchecked = views.stream().filter(e -> e.root == null && e.status.problems().isEmpty()).toList();
        if (unchecked.isEmpty()) {
            return;
        }
        Catalog catalog = withConnection(c -> Catalog.read(c, databases(unchecked)));
        for (Entry e : unchecked) {
            try {
                e.root = ViewValidator.validate(e.definition(), source, catalog, e.declared.captured());
                compile(e);
            } catch (InvalidViewException invalid) {
                List<String> problems = invalid.problems().stream().map(p -> p.path() + ": " + p.message()).toList();
                e.status = e.status.invalid(problems);
                LOG.error("view {} of source {} cannot run against the source's tables as they are now: {}", e.definition().name(), source,
                        problems);
            }
        }
    }

    private static List<String> databases(List<Entry> entries) {
        return entries.stream().flatMap(e -> e.definition().databases().stream()).distinct().toList();
    }

    private void compile(Entry e) {
        Function<TableId, Optional<Schema>> schemas = t -> Optional.ofNullable(seen.get(t)).or(() -> registered.apply(t));
        try {
            e.compiled = CompiledView.compile(e.definition(), e.root, schemas).orElse(null);
        } catch (InvalidViewException invalid) {
            e.compiled = null;
            e.status = e.status.invalid(invalid.problems().stream().map(p -> p.path() + ": " + p.message()).toList());
            LOG.error("view {} of source {} stops: {}", e.definition().name(), source, e.status.problems());
            return;
        }
        e.status = e.compiled != null ? e.status.compiled() : e.status.waitingFor(CompiledView.missingSchemas(e.root, schemas));
        if (e.compiled == null) {
            LOG.info("view {} waits for the schemas of {}: capture registers a table's schema with its first change",
                    e.definition().name(), CompiledView.missingSchemas(e.root, schemas));
        }
    }

    /** Reads with the engine's connection, opening it again once if it failed. */
    private <T> T withConnection(Read<T> read) throws SQLException {
        try {
            return read.run(connection());
        } catch (SQLException first) {
            LOG.warn("reading views failed, reconnecting once: {}", first.getMessage());
            closeConnection();
            return read.run(connection());
        }
    }

    @FunctionalInterface
    private interface Read<T> {
        T run(Connection c) throws SQLException;
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = connector.open();
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("closing the views' connection: {}", e.getMessage());
            }
            connection = null;
        }
    }
}
