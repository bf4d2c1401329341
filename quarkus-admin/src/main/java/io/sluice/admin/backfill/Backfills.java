package io.sluice.admin.backfill;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sluice.admin.activity.ActivityLog;
import io.sluice.admin.api.ApiError;
import io.sluice.admin.api.ApiException;
import io.sluice.admin.backfill.BackfillStore.Stored;
import io.sluice.admin.pipeline.PipelineSpec;
import io.sluice.admin.pipeline.PipelineStore;
import io.sluice.admin.pipeline.Supervisor;
import io.sluice.admin.source.SourceStore;
import io.sluice.backfill.BackfillException;
import io.sluice.backfill.BackfillRun;
import io.sluice.backfill.ChunkReader;
import io.sluice.capture.SourceConfig;
import io.sluice.event.TableId;
import io.sluice.registry.RegistryException;
import io.sluice.registry.SchemaRegistry;
import io.sluice.sink.Reindexable;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import org.jboss.logging.Logger;

/**
 * Runs backfills in the server: validates a request against the pipeline and the live source, stores it, and runs
 * it on a thread of its own, table after table, with a {@link BackfillRun} fed by the source's stream
 * ({@link Supervisor#windows}). Each written chunk is checkpointed; at boot, backfills that were running resume
 * from their checkpoint and paused ones come back paused.
 *
 * <p>Thread-safe: control methods are serialized.
 */
@ApplicationScoped
public class Backfills {
    private static final Logger LOG = Logger.getLogger(Backfills.class);
    /** Chunks that may wait for the stream at once: an idle source passes a point only at its next heartbeat. */
    static final int PARALLEL_CHUNKS = 16;

    @Inject
    BackfillStore store;

    @Inject
    PipelineStore pipelines;

    @Inject
    SourceStore sources;

    @Inject
    Supervisor supervisor;

    @Inject
    io.sluice.admin.connect.ConnectRuntime connect;

    @Inject
    io.sluice.admin.connect.ConnectBackfills connectBackfills;

    @Inject
    SchemaRegistry registry;

    @Inject
    ActivityLog activity;

    @Inject
    Clock clock;

    @Inject
    MeterRegistry meters;

    /** A backfill running in this server. */
    /** @param run the run of the table being backfilled now; empty until the first table starts */
    private record Job(Thread thread, java.util.concurrent.atomic.AtomicReference<BackfillRun> run) {
    }

    private final Map<Long, Job> jobs = new ConcurrentHashMap<>();
    private final Map<Long, Boolean> pausedAtStart = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    void boot(@Observes @Priority(20) StartupEvent event) {
        // In the connect runtime Debezium carries on with its snapshot by itself; its notifications move it along.
        for (Stored b : connect.enabled() ? List.<Stored>of() : store.active()) {
            if (b.state() == BackfillState.PAUSED) {
                pausedAtStart.put(b.id(), true);
            }
            launch(b);
            LOG.infof("backfill=%d resumed at boot (%s, table %d of %d, %d rows written)", b.id(), b.state().label(), b.tableIndex() + 1,
                    b.tables().size(), b.rowsWritten());
        }
    }

    void shutdown(@Observes ShutdownEvent event) {
        stopping = true;
        for (Job job : jobs.values()) {
            job.thread().interrupt();
        }
        for (Job job : jobs.values()) {
            try {
                job.thread().join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Validates and starts a backfill.
     *
     * @throws ApiException 422 naming every bad field at once; 404 for an unknown pipeline; 409 if the source is not
     *     running, a table has no registered schema yet, or another backfill covers the same table and sink
     */
    public synchronized Stored start(BackfillRequest request, String actor) {
        List<ApiError.Detail> problems = new ArrayList<>(request.problems());
        if (!problems.isEmpty()) {
            throw invalid(problems);
        }
        PipelineSpec pipeline = pipelines.get(request.pipeline());
        List<String> sinks = request.sink() == null ? pipeline.sinks() : List.of(request.sink());
        if (request.sink() != null && !pipeline.sinks().contains(request.sink())) {
            problems.add(new ApiError.Detail("sink", "'" + request.sink() + "' is not a sink of pipeline '" + pipeline.name() + "' (its sinks: "
                    + pipeline.sinks() + "); name one of them, or leave it out for all"));
        }
        if (problems.isEmpty() && request.reindexOrDefault()
                && !supervisor.locked(request.sink(), sink -> sink.reindexable().isPresent())) {
            problems.add(new ApiError.Detail("sink", "'" + request.sink() + "' is not an OpenSearch sink; only a search index can be rebuilt"
                    + " and swapped in behind its name"));
        }
        if (!problems.isEmpty()) {
            throw invalid(problems);
        }
        if (connect.enabled()) {
            connectBackfills.check(pipeline.source(), request.sink(), request.reindexOrDefault(), sources.runtimeConfig(pipeline.source())
                    .engineOverrides().get("signal.data.collection"));
        } else if (!supervisor.running(pipeline.source())) {
            throw new ApiException(409, ApiError.of("source_not_running", "Source '" + pipeline.source() + "' is not running; a backfill"
                    + " needs its change stream to decide which rows are current. Start it (POST /api/v1/sources/" + pipeline.source()
                    + "/start) and try again."));
        }
        SourceConfig config = sources.runtimeConfig(pipeline.source());
        Predicate<TableId> taken = pipeline.tableFilter();
        List<String> tables;
        long estimated = 0;
        try (Connection c = connect(config)) {
            tables = request.tables() == null || request.tables().isEmpty() ? capturedTables(c, config, taken) : request.tables();
            for (String t : tables) {
                TableId table = tableId(config.name(), t);
                if (!taken.test(table)) {
                    problems.add(new ApiError.Detail("tables", "'" + t + "' is not taken by pipeline '" + pipeline.name() + "' (its tables: "
                            + (pipeline.tables().isEmpty() ? "all" : pipeline.tables()) + ")"));
                    continue;
                }
                try {
                    ChunkReader reader = ChunkReader.open(c, table.database(), table.table(), request.where(), request.chunkSizeOrDefault(),
                            null, null);
                    estimated += Math.max(0, reader.estimatedRows());
                } catch (BackfillException e) {
                    problems.add(new ApiError.Detail(e.getMessage().contains("filter") ? "where" : "tables", e.getMessage()));
                }
            }
        } catch (SQLException e) {
            throw new ApiException(409, ApiError.of("source_unreachable", "Cannot read source '" + config.name() + "' at " + config.host()
                    + ":" + config.port() + ": " + e.getMessage() + ". Check that it is up and its user can SELECT the tables."));
        }
        if (tables.isEmpty()) {
            problems.add(new ApiError.Detail("tables", "pipeline '" + pipeline.name() + "' takes no table of source '" + config.name()
                    + "' that exists now; name tables as database.table"));
        }
        if (!problems.isEmpty()) {
            throw invalid(problems);
        }
        for (String t : tables) {
            schemas(tableId(config.name(), t));
        }
        for (Stored other : store.active()) {
            if (other.source().equals(config.name()) && !disjoint(other.tables(), tables) && !disjoint(other.sinks(), sinks)) {
                throw new ApiException(409, ApiError.of("conflict", "Backfill " + other.id() + " (" + other.state().label() + ") already"
                        + " covers " + intersection(other.tables(), tables) + " into " + intersection(other.sinks(), sinks) + "; wait for it,"
                        + " or cancel it with POST /api/v1/backfills/" + other.id() + "/cancel."));
            }
        }
        Stored created = store.create(pipeline.name(), config.name(), tables, sinks, blankToNull(request.where()), request.chunkSizeOrDefault(),
                request.rowsPerSecondOrDefault(), estimated, request.reindexOrDefault(), actor);
        activity.record("backfill:" + created.id(), actor, "started", tables + " into " + (created.reindex() ? "a new index of " : "")
                + sinks + (created.filter() == null ? "" : " where " + created.filter()));
        if (connect.enabled()) {
            try {
                connectBackfills.launch(created);
            } catch (ApiException e) {
                store.setState(created.id(), BackfillState.FAILED, e.getMessage());
                throw e;
            }
        } else {
            launch(created);
        }
        return created;
    }

    /** @throws ApiException 404; 409 unless running */
    public synchronized Stored pause(long id, String actor) {
        Stored b = store.get(id);
        if (b.state() != BackfillState.RUNNING) {
            throw notIn(b, "pause", "running");
        }
        Job job = jobs.get(id);
        if (job != null) {
            java.util.Optional.ofNullable(job.run().get()).ifPresent(BackfillRun::pause);
        }
        if (connect.enabled()) {
            connectBackfills.pause(b);
        }
        pausedAtStart.put(id, true);
        store.setState(id, BackfillState.PAUSED, "paused by " + actor);
        activity.record("backfill:" + id, actor, "paused", null);
        return store.get(id);
    }

    /** Resumes a paused backfill, or restarts a failed one from its last checkpoint. @throws ApiException 404, 409 */
    public synchronized Stored resume(long id, String actor) {
        Stored b = store.get(id);
        if (b.state() != BackfillState.PAUSED && b.state() != BackfillState.FAILED) {
            throw notIn(b, "resume", "paused or failed");
        }
        pausedAtStart.remove(id);
        store.setState(id, BackfillState.RUNNING, null);
        Job job = jobs.get(id);
        if (connect.enabled()) {
            if (b.state() == BackfillState.PAUSED) {
                connectBackfills.resume(b);
            } else {
                connectBackfills.launch(b);
            }
        } else if (job != null && job.thread().isAlive()) {
            java.util.Optional.ofNullable(job.run().get()).ifPresent(BackfillRun::resume);
        } else {
            launch(store.get(id));
        }
        activity.record("backfill:" + id, actor, "resumed", null);
        return store.get(id);
    }

    /** Cancels a backfill before its next chunk; rows written stay. @throws ApiException 404, 409 */
    public synchronized Stored cancel(long id, String actor) {
        Stored b = store.get(id);
        if (b.state().isFinal()) {
            throw notIn(b, "cancel", "running, paused");
        }
        if (connect.enabled()) {
            connectBackfills.cancel(b);
        }
        store.setState(id, BackfillState.CANCELLED, "cancelled by " + actor);
        Job job = jobs.get(id);
        if (job != null) {
            java.util.Optional.ofNullable(job.run().get()).ifPresent(BackfillRun::cancel);
        }
        activity.record("backfill:" + id, actor, "cancelled", null);
        return store.get(id);
    }

    /** The live progress of a running backfill's current table, or null. */
    public BackfillRun.Progress progress(long id) {
        Job job = jobs.get(id);
        if (job == null) {
            return null;
        }
        BackfillRun run = job.run().get();
        return run == null ? null : run.progress();
    }

    private void launch(Stored b) {
        java.util.concurrent.atomic.AtomicReference<BackfillRun> current = new java.util.concurrent.atomic.AtomicReference<>();
        List<Meter> registered = metrics(b);
        Thread t = new Thread(() -> {
            try {
                execute(b, current);
            } finally {
                registered.forEach(meters::remove);
            }
        }, "sluice-backfill-" + b.id());
        t.setDaemon(true);
        jobs.put(b.id(), new Job(t, current));
        t.start();
    }

    /** Gauges of a running backfill, removed when its thread ends: rows read and written, rows/s, seconds left. */
    private List<Meter> metrics(Stored b) {
        Tags tags = Tags.of("backfill", Long.toString(b.id()), "pipeline",
                b.pipeline(), "source", b.source());
        List<Meter> out = new ArrayList<>();
        out.add(gauge("sluice.backfill.rows.read", tags, b.id(), p -> p.rowsRead(), "Rows a running backfill has read"));
        out.add(gauge("sluice.backfill.rows.written", tags, b.id(), p -> p.rowsWritten(), "Rows a running backfill has written"));
        out.add(gauge("sluice.backfill.rows.per.second", tags, b.id(), p -> p.rowsPerSecond(), "Rows read per second lately"));
        out.add(Gauge.builder("sluice.backfill.estimated.rows", b, x -> x.estimatedRows()).tags(tags)
                .description("The source's estimate of the rows to read").register(meters));
        return out;
    }

    private Meter gauge(String name, Tags tags, long id,
            ToDoubleFunction<BackfillRun.Progress> f, String description) {
        return Gauge.builder(name, this, self -> {
            BackfillRun.Progress p = self.progress(id);
            return p == null ? Double.NaN : f.applyAsDouble(p);
        }).tags(tags).description(description).register(meters);
    }

    /** The backfill's thread: table after table from the checkpoint on. */
    private void execute(Stored stored, java.util.concurrent.atomic.AtomicReference<BackfillRun> running) {
        long id = stored.id();
        Stored b = stored;
        if (b.reindex() && (b.tableIndex() > 0 || b.lastKey() != null || b.newIndex() != null)) {
            // The new index was fed live changes by the server that stopped; this one does not know it: start over.
            String leftover = b.newIndex();
            if (leftover != null) {
                supervisor.locked(b.sinks().get(0), s -> {
                    s.reindexable().orElseThrow().deleteIndex(leftover);
                    return null;
                });
            }
            store.restart(id);
            b = store.get(id);
            LOG.infof("backfill=%d is a reindex cut short: it starts over into a new index", id);
        }
        Reindexable reindexed = null;
        TableId current = null;
        try {
            SourceConfig config = sources.runtimeConfig(b.source());
            long[] totals = {b.rowsRead(), b.rowsWritten(), b.chunksDone()};
            BackfillRun.Target target;
            if (b.reindex()) {
                String sinkName = b.sinks().get(0);
                reindexed = supervisor.locked(sinkName, s -> s.reindexable().orElseThrow());
                io.sluice.sink.SinkRunner runner = supervisor.runner(sinkName,
                        (s, rows) -> s.reindexable().orElseThrow().writeReindex(rows));
                target = rows -> {
                    runner.write(rows);
                    runner.flush();
                };
            } else {
                target = supervisor.backfillTarget(b.sinks());
            }
            for (int i = b.tableIndex(); i < b.tables().size(); i++) {
                TableId table = tableId(b.source(), b.tables().get(i));
                boolean resuming = i == b.tableIndex() && (b.lastKey() != null || b.upTo() != null);
                BackfillRun.Resume resume = new BackfillRun.Resume(resuming ? b.lastKey() : null, resuming ? b.upTo() : null, totals[0],
                        totals[1], totals[2]);
                int index = i;
                BackfillRun run = new BackfillRun(new BackfillRun.Options(table, b.filter(), b.chunkSize(), b.rowsPerSecond(), PARALLEL_CHUNKS,
                        config.versionEpoch()), supervisor.windows(b.source()), target, p -> store.checkpoint(id, index, p.lastKey(), p.upTo(),
                                p.rowsRead(), p.rowsWritten(), p.chunksDone()), clock, d -> Thread.sleep(d.toMillis()), resume);
                if (pausedAtStart.containsKey(id)) {
                    run.pause();
                }
                running.set(run);
                BackfillRun.Schemas schemas = schemas(table);
                if (reindexed != null) {
                    Reindexable sink = reindexed;
                    String next = supervisor.locked(b.sinks().get(0), s -> sink.startReindex(table, schemas.value(), clock.millis()));
                    current = table;
                    store.setNewIndex(id, next);
                }
                BackfillRun.Outcome outcome;
                try (Connection c = connect(config)) {
                    outcome = run.run(c, schemas);
                }
                if (outcome == BackfillRun.Outcome.CANCELLED) {
                    return;
                }
                if (reindexed != null) {
                    Reindexable sink = reindexed;
                    supervisor.locked(b.sinks().get(0), s -> {
                        sink.finishReindex(table);
                        return null;
                    });
                    current = null;
                    store.setNewIndex(id, null);
                    activity.record("backfill:" + id, ActivityLog.SYSTEM, "swapped", "the new index of " + table + " is in place behind "
                            + sink.indexOf(table));
                }
                BackfillRun.Progress p = run.progress();
                totals[0] = p.rowsRead();
                totals[1] = p.rowsWritten();
                totals[2] = p.chunksDone();
                store.checkpoint(id, i + 1, null, null, totals[0], totals[1], totals[2]);
            }
            store.setState(id, BackfillState.SUCCEEDED, null);
            activity.record("backfill:" + id, ActivityLog.SYSTEM, "succeeded", totals[1] + " rows written to " + b.sinks());
            LOG.infof("backfill=%d succeeded: %d rows read, %d written", id, totals[0], totals[1]);
        } catch (InterruptedException e) {
            LOG.infof("backfill=%d stopped with the server; it resumes from its last checkpoint", id);
        } catch (BackfillException | ApiException | SQLException | RegistryException | io.sluice.sink.FatalSinkException e) {
            if (stopping) {
                return;
            }
            String reason = e instanceof ApiException a ? a.error().message() : e.getMessage();
            store.setState(id, BackfillState.FAILED, reason);
            activity.record("backfill:" + id, ActivityLog.SYSTEM, "failed", reason + " Resume it once fixed: it goes on from its last chunk.");
            LOG.warnf("backfill=%d failed: %s", id, reason);
        } catch (RuntimeException e) {
            if (stopping) {
                return;
            }
            store.setState(id, BackfillState.FAILED, "unexpected error: " + e);
            LOG.errorf(e, "backfill=%d failed", id);
        } finally {
            if (reindexed != null && current != null && !stopping) {
                Reindexable sink = reindexed;
                TableId table = current;
                try {
                    supervisor.locked(b.sinks().get(0), s -> {
                        sink.abortReindex(table);
                        return null;
                    });
                    store.setNewIndex(id, null);
                } catch (RuntimeException e) {
                    LOG.warnf("backfill=%d could not drop its new index: %s", id, e.getMessage());
                }
            }
            jobs.remove(id);
        }
    }

    /** The table's latest registered value and key schemas. @throws ApiException 409 if capture has not registered them */
    public BackfillRun.Schemas schemas(TableId table) {
        String stem = table.subjectStem();
        try {
            org.apache.avro.Schema value = SchemaRegistry.parse(registry.version(stem + "-value", -1, false).schema());
            org.apache.avro.Schema key = SchemaRegistry.parse(registry.version(stem + "-key", -1, false).schema());
            return new BackfillRun.Schemas(value, key);
        } catch (RegistryException e) {
            throw new ApiException(409, ApiError.of("no_schema", "Table " + table + " has no registered schema yet (subjects " + stem
                    + "-value and -key): capture registers it with the table's first change it sees. Change a row of it, or start the"
                    + " source with snapshot.mode=initial, then try again."));
        }
    }

    /** Base tables of the source's databases that the pipeline takes, in name order. */
    private static List<String> capturedTables(Connection c, SourceConfig config, Predicate<TableId> taken) throws SQLException {
        List<String> out = new ArrayList<>();
        for (String database : config.databases()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND"
                    + " TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME")) {
                ps.setString(1, database);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (taken.test(new TableId(config.name(), database, rs.getString(1)))) {
                            out.add(database + "." + rs.getString(1));
                        }
                    }
                }
            }
        }
        return out;
    }

    /** A {@code database.table} name of a source as a table id. */
    public static TableId tableId(String source, String qualified) {
        int dot = qualified.indexOf('.');
        return new TableId(source, qualified.substring(0, dot), qualified.substring(dot + 1));
    }

    /** A connection to a source with its capture user, as backfills and verifications read it. */
    public static Connection connect(SourceConfig config) throws SQLException {
        return DriverManager.getConnection(config.type().jdbcUrl(config.host(), config.port()) + "?connectTimeout=" + config.connectTimeoutMs(),
                config.user(), config.password());
    }

    private static ApiException invalid(List<ApiError.Detail> problems) {
        return new ApiException(422, new ApiError("validation_failed", "The backfill request has " + problems.size() + " problem"
                + (problems.size() == 1 ? "" : "s") + "; each detail names the field and what is allowed.", problems));
    }

    private static ApiException notIn(Stored b, String verb, String states) {
        return new ApiException(409, ApiError.of("conflict", "Backfill " + b.id() + " is " + b.state().label() + "; only a " + states
                + " backfill can be asked to " + verb + "."));
    }

    private static boolean disjoint(List<String> a, List<String> b) {
        return a.stream().noneMatch(b::contains);
    }

    private static Set<String> intersection(List<String> a, List<String> b) {
        Set<String> out = new LinkedHashSet<>(a);
        out.retainAll(b);
        return out;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
