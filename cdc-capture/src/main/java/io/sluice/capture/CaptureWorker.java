package io.sluice.capture;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.debezium.embedded.Connect;
import io.sluice.event.ChangeEvent;
import io.sluice.event.SchemaChangeEvent;
import io.sluice.event.SourceEvent;
import io.sluice.event.SourcePosition;
import io.sluice.event.TableId;
import io.sluice.review.GateDecision;
import io.sluice.review.SchemaCandidate;
import io.sluice.review.SchemaGate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures one source: runs one Debezium embedded engine (the async engine) and hands its changes, as Sluice's
 * {@link SourceEvent}s, to an {@link EventBatchConsumer}.
 *
 * <h2>Lifecycle</h2>
 * {@link #start()} checks that the source is reachable and that stored state is complete, then runs the engine on
 * a thread of its own and returns. {@link #close()} stops the engine gracefully: the batch in the consumer's hands
 * finishes, and offsets up to the consumer's last checkpoint are committed. A worker is started at most once.
 *
 * <h2>Guarantees</h2>
 * <ul>
 * <li>Offsets are committed only past events the consumer made durable in a {@link EventBatchConsumer#checkpoint()
 *     checkpoint}: at least once, in binlog order.</li>
 * <li>Before the first event of a table under a value schema it has not emitted for that table (since start), the
 *     worker asks the {@link SchemaGate}; while it says wait, the source is {@link CaptureState.Paused}, and
 *     nothing at or after that event is emitted or committed.</li>
 * <li>Every event carries a version (see {@link io.sluice.event.EventVersion}); a binlog that goes backwards
 *     fails the source instead of emitting lower versions.</li>
 * <li>Offsets and schema history live in files under {@link SourceConfig#sourceDir()}; offsets without a schema
 *     history fail the source with {@link CaptureFailure.Kind#SCHEMA_HISTORY_MISSING}, never silently.</li>
 * </ul>
 *
 * <p>Thread safety: {@link #start()}, {@link #close()} and {@link #status()} may be called from any thread.
 */
public final class CaptureWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureWorker.class);
    static final String OFFSETS_FILE = "offsets.dat";
    static final String HISTORY_FILE = "schema-history.dat";

    private final SourceConfig config;
    private final EventBatchConsumer consumer;
    private final SchemaGate gate;
    private final Clock clock;
    private final DebeziumRecords mapper;
    private final RateMeter rate;
    private final AtomicLong total = new AtomicLong();
    private final CompletableFuture<Void> stopSignal = new CompletableFuture<>();
    private final CountDownLatch terminated = new CountDownLatch(1);

    /** Value schema last emitted per table; the capture thread writes them, an engine restart clears them. */
    private final Map<TableId, Schema> emittedSchemas = new ConcurrentHashMap<>();
    private final Map<String, String> lastDdl = new ConcurrentHashMap<>();
    /**
     * True while the capture thread handles a batch: the engine then waits for this worker (a slow consumer, a sink
     * that is down holding a checkpoint for as long as the outage lasts, a pause), which is not a stalled engine.
     */
    private volatile boolean handling;
    /** Completed while nobody paused the source; a person's pause replaces it with an open one until resume. */
    private volatile CompletableFuture<Void> resumed = CompletableFuture.completedFuture(null);
    private volatile String pauseReason;

    private volatile CaptureState state = new CaptureState.Starting();
    private volatile SourcePosition lastPosition;
    private volatile Long lagMillis;
    private volatile Instant lastActivity;
    private volatile boolean stopping;

    private PositionGuard guard;
    private volatile DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private ExecutorService executor;
    private ScheduledExecutorService watchdog;
    private boolean started;
    /**
     * The last record per source partition handed to the consumer and not yet covered by a checkpoint; capture
     * thread only. An engine restart starts from the committed offset, so what a replaced engine left here is
     * delivered again and may be forgotten.
     */
    private final Map<Map<String, ?>, RecordChangeEvent<SourceRecord>> uncheckpointed = new java.util.LinkedHashMap<>();
    private long lastCheckpointMillis;
    /** The version of the last event handed to the consumer; capture thread only. */
    private long takenVersion = Long.MIN_VALUE;
    /** Whether the last change delivered since the state was last updated was a snapshot read; null if none. */
    private Boolean readingSnapshot;
    /**
     * The tables of the snapshot under way, with the version of its rows, for {@link EventBatchConsumer#snapshotCompleted}
     * when it ends: each captured table whose structure it read (its DDL events, so tables without a row count), and
     * each table whose last row it read. Capture thread only; a new engine starts the snapshot over.
     */
    private final Map<TableId, Long> snapshotTables = new java.util.LinkedHashMap<>();
    /** The committer of the engine that delivered the last batch; capture thread only. */
    private DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> currentCommitter;
    /** Which engine is current; callbacks of engines replaced by a restart are ignored. */
    private volatile int generation;
    private volatile int restarts;
    /** Failed reconnection attempts since the last engine restart; reset once the source streams again. */
    private int reconnectAttempts;
    /** Why the last snapshot started over, set before the engine that takes it starts; null while none did. */
    private volatile RedoneSnapshot redoneSnapshot;
    /** Events delivered when the consumer was last told of a snapshot taken again. */
    private volatile long eventsAtRedo;

    /**
     * @param config the source; see {@link SourceConfig}
     * @param consumer receives the events; see its contract
     * @param gate decides about new value schemas; {@link SchemaGate#permissive()} lets everything through
     * @param clock the time source for lag, rates and activity
     */
    public CaptureWorker(SourceConfig config, EventBatchConsumer consumer, SchemaGate gate, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.gate = Objects.requireNonNull(gate, "gate");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.mapper = new DebeziumRecords(config.name(), topicPrefix(config), config.versionEpoch());
        this.rate = new RateMeter(clock);
    }

    /** Debezium's topic prefix for a source: unique per source, so that two engines in one JVM do not clash in JMX. */
    public static String topicPrefix(SourceConfig config) {
        return "sluice_" + config.name().replace('-', '_');
    }

    /**
     * The Debezium engine properties Sluice runs a source with. Public so that benchmarks can run Debezium alone
     * with exactly the same settings.
     */
    public static Properties debeziumProperties(SourceConfig config) {
        Path dir = config.sourceDir();
        Properties p = new Properties();
        p.setProperty("name", "sluice-" + config.name());
        p.setProperty("connector.class", config.type().connectorClass());
        p.setProperty("topic.prefix", topicPrefix(config));
        p.setProperty("database.hostname", config.host());
        p.setProperty("database.port", Integer.toString(config.port()));
        p.setProperty("database.user", config.user());
        p.setProperty("database.password", config.password());
        p.setProperty("database.server.id", Long.toString(config.serverId()));
        if (!config.databases().isEmpty()) {
            p.setProperty("database.include.list", String.join(",", config.databases()));
        }
        if (!config.tables().isEmpty()) {
            p.setProperty("table.include.list", String.join(",", config.tables()));
        }
        p.setProperty("snapshot.mode", config.snapshotMode().debeziumName());
        p.setProperty("snapshot.locking.mode", config.lockFreeSnapshot() ? "none" : "minimal");
        p.setProperty("offset.storage", AtomicFileOffsetBackingStore.class.getName());
        p.setProperty("offset.storage.file.filename", dir.resolve(OFFSETS_FILE).toString());
        p.setProperty("offset.flush.interval.ms", Long.toString(config.offsetFlushIntervalMs()));
        p.setProperty("offset.flush.timeout.ms", "10000");
        p.setProperty("schema.history.internal", "io.debezium.storage.file.history.FileSchemaHistory");
        p.setProperty("schema.history.internal.file.filename", dir.resolve(HISTORY_FILE).toString());
        p.setProperty("include.schema.changes", "true");
        p.setProperty("include.schema.comments", "true");
        p.setProperty("tombstones.on.delete", "false");
        p.setProperty("decimal.handling.mode", "precise");
        p.setProperty("bigint.unsigned.handling.mode", "precise");
        p.setProperty("binary.handling.mode", "bytes");
        p.setProperty("time.precision.mode", "adaptive_time_microseconds");
        p.setProperty("field.name.adjustment.mode", "avro");
        p.setProperty("schema.name.adjustment.mode", "avro");
        p.setProperty("column.propagate.source.type", ".*");
        p.setProperty("heartbeat.interval.ms", Integer.toString(config.heartbeatIntervalMs()));
        // Debezium emits heartbeats only when the binlog client hears from the server, and asks the server for a
        // heartbeat every 0.8 x the keep-alive interval (60 s by default): an idle source would go silent for 48 s,
        // past the stall timeout. Asking every heartbeat interval keeps an idle source fresh.
        p.setProperty("connect.keep.alive.interval.ms", Long.toString(Math.max(1000, Math.round(config.heartbeatIntervalMs() / 0.8))));
        p.setProperty("errors.max.retries", Integer.toString(config.maxRetries()));
        p.setProperty("errors.retry.delay.initial.ms", "300");
        p.setProperty("errors.retry.delay.max.ms", "10000");
        p.setProperty("connect.timeout.ms", Integer.toString(config.connectTimeoutMs()));
        // Measured here: these three settings lift the engine from ~90k to ~120k events/s (design.md).
        p.setProperty("max.batch.size", "8192");
        p.setProperty("max.queue.size", "32768");
        p.setProperty("poll.interval.ms", "5");
        p.setProperty("record.processing.order", "ORDERED");
        config.engineOverrides().forEach(p::setProperty);
        return p;
    }

    /**
     * Starts capture on a thread of its own. Failures to connect or missing state end in {@link CaptureState.Failed}
     * rather than an exception.
     *
     * @throws IllegalStateException if the worker was started before
     */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("capture worker of source '" + config.name() + "' was already started");
        }
        started = true;
        Path dir = config.sourceDir();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            fail(new CaptureFailure(CaptureFailure.Kind.CONFIGURATION, "Cannot create the data directory " + dir + ": " + e.getMessage(),
                    "Set data.dir to a writable directory."));
            return;
        }
        if (nonEmpty(dir.resolve(OFFSETS_FILE)) && !nonEmpty(dir.resolve(HISTORY_FILE))) {
            fail(Failures.schemaHistoryMissing(config));
            return;
        }
        try {
            guard = new PositionGuard(dir.resolve("version-guard.properties"));
            CaptureFailure epochProblem = guard.checkEpoch(config.name(), config.versionEpoch());
            if (epochProblem != null) {
                fail(epochProblem);
                return;
            }
        } catch (UncheckedIOException e) {
            fail(new CaptureFailure(CaptureFailure.Kind.CONFIGURATION, e.getMessage(), "Check the data directory's permissions."));
            return;
        }
        try {
            if (snapshotCutShort(dir)) {
                snapshotRedone(RedoneSnapshot.INTERRUPTED);
            }
        } catch (IOException e) {
            fail(new CaptureFailure(CaptureFailure.Kind.CONFIGURATION, "Cannot read the stored offsets of source '" + config.name() + "' in "
                    + dir + ": " + e.getMessage(), "Check the data directory's permissions and contents."));
            return;
        }
        CaptureFailure problem = probeSource(dir);
        if (problem != null) {
            fail(problem);
            return;
        }
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sluice-capture-" + config.name());
            t.setDaemon(true);
            return t;
        });
        LOG.info("source={} capture starting ({})", config.name(), config);
        engine = newEngine(generation);
        executor.execute(engine);
        watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-watchdog-" + config.name());
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(100, Math.min(1000, config.stallTimeoutMs() / 5));
        watchdog.scheduleWithFixedDelay(this::checkStall, period, period, TimeUnit.MILLISECONDS);
    }

    private DebeziumEngine<RecordChangeEvent<SourceRecord>> newEngine(int gen) {
        return DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(debeziumProperties(config))
                .using((success, message, error) -> engineCompleted(gen, success, message, error))
                .notifying(this::handleBatch)
                .build();
    }

    /**
     * Debezium 3.5 stops reading the binlog without an error when the server shuts down cleanly, and never
     * reconnects: a streaming source that hears nothing, not even a heartbeat, for {@code stall.timeout.ms} gets
     * a new engine, which resumes from the stored offset.
     */
    private void checkStall() {
        try {
            Instant last = lastActivity;
            if (stopping || handling || !(state instanceof CaptureState.Streaming) || last == null) {
                return;
            }
            long silentMs = Duration.between(last, clock.instant()).toMillis();
            if (silentMs > config.stallTimeoutMs()) {
                restartEngine("no event or heartbeat for " + silentMs + " ms");
            }
        } catch (RuntimeException e) {
            LOG.error("source={} watchdog failed: {}", config.name(), e.toString());
        }
    }

    private synchronized void reconnect(int failedGeneration) {
        if (stopping || failedGeneration != generation) {
            return;
        }
        generation++;
        checkSnapshotCutShort();
        engine = newEngine(generation);
        executor.execute(engine);
    }

    private synchronized void restartEngine(String reason) {
        if (stopping) {
            return;
        }
        LOG.warn("source={} restarting its engine from the stored offset: {}", config.name(), reason);
        DebeziumEngine<RecordChangeEvent<SourceRecord>> old = engine;
        generation++;
        restarts++;
        try {
            old.close();
        } catch (IOException | IllegalStateException e) {
            LOG.warn("source={} stalled engine did not close cleanly: {}", config.name(), e.getMessage());
        }
        emittedSchemas.clear();
        lastActivity = clock.instant();
        setState(new CaptureState.Starting());
        checkSnapshotCutShort();
        engine = newEngine(generation);
        executor.execute(engine);
    }

    /**
     * Whether the next engine takes the snapshot again because the last one did not complete it: the stored offset
     * lies inside a snapshot, or there is none while the schema history is kept (an engine records the tables'
     * schemas as its snapshot begins, so it had begun, and stopped before its first checkpoint).
     */
    private static boolean snapshotCutShort(Path dir) throws IOException {
        return StoredOffsets.insideSnapshot(dir.resolve(OFFSETS_FILE)) || (!nonEmpty(dir.resolve(OFFSETS_FILE)) && nonEmpty(dir.resolve(HISTORY_FILE)));
    }

    /** Before an engine restart within this worker (a reconnect, a stall): a snapshot it cut short starts over. */
    private void checkSnapshotCutShort() {
        try {
            if (snapshotCutShort(config.sourceDir())) {
                snapshotRedone(RedoneSnapshot.INTERRUPTED);
            }
        } catch (IOException e) {
            LOG.warn("source={} cannot read its stored offsets before restarting its engine: {}", config.name(), e.getMessage());
        }
    }

    private void snapshotRedone(RedoneSnapshot why) {
        if (why == redoneSnapshot && total.get() == eventsAtRedo) {
            return; // the same cut, told already: a retry while the source is still away
        }
        redoneSnapshot = why;
        eventsAtRedo = total.get();
        LOG.warn("source={} takes its snapshot again: {}", config.name(), why.description());
        try {
            consumer.snapshotRedone(why);
        } catch (RuntimeException e) {
            LOG.error("source={} consumer failed on a snapshot taken again: {}", config.name(), e.toString());
        }
    }

    private static boolean nonEmpty(Path file) {
        try {
            return Files.exists(file) && Files.size(file) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Connects once before Debezium does, so that a wrong password or host fails at once with a clear state, and
     * checks that the stored binlog position still exists (see {@link StoredOffsets} for why Debezium alone does
     * not notice on MariaDB). With {@code snapshot.mode=when_needed} a purged position starts a new snapshot: the
     * old offsets and history are kept beside the new ones with a {@code .purged-<time>} suffix.
     */
    private CaptureFailure probeSource(Path dir) {
        String url = config.type().jdbcUrl(config.host(), config.port()) + "?connectTimeout=" + config.connectTimeoutMs();
        try (Connection c = DriverManager.getConnection(url, config.user(), config.password())) {
            Optional<String> stored = StoredOffsets.binlogFile(dir.resolve(OFFSETS_FILE));
            if (stored.isEmpty() || binlogFiles(c).contains(stored.get())) {
                return null;
            }
            if (config.snapshotMode() != SnapshotMode.WHEN_NEEDED) {
                return Failures.binlogPurged(config, stored.get());
            }
            String suffix = ".purged-" + clock.millis();
            setAsideStoredState(config, suffix);
            snapshotRedone(RedoneSnapshot.BINLOG_PURGED);
            LOG.warn("source={} stored binlog file {} was purged; starting a new snapshot (old state kept with suffix {})",
                    config.name(), stored.get(), suffix);
            return null;
        } catch (SQLException e) {
            return Failures.fromConnect(config, e);
        } catch (IOException e) {
            return new CaptureFailure(CaptureFailure.Kind.CONFIGURATION, "Cannot read or move the stored offsets of source '"
                    + config.name() + "' in " + dir + ": " + e.getMessage(), "Check the data directory's permissions and contents.");
        }
    }

    /**
     * Sets a source's stored offsets and schema history aside, renamed with {@code suffix} beside the originals, so
     * that the next start of its worker snapshots the tables again (unless the source's snapshot mode is
     * {@code no_data}) and streams from the binlog position of that snapshot. Call it only while no worker of the
     * source runs. The version guard stays: a binlog that went backwards still stops the source.
     *
     * @param suffix appended to each file name, for example {@code .purged-1767225600000}
     * @return the files as they are named now; empty when there was nothing stored
     * @throws IOException if a file cannot be renamed; the files renamed before stay renamed
     */
    public static List<Path> setAsideStoredState(SourceConfig config, String suffix) throws IOException {
        Path dir = config.sourceDir();
        List<Path> moved = new ArrayList<>();
        for (String name : List.of(OFFSETS_FILE, HISTORY_FILE)) {
            Path file = dir.resolve(name);
            if (Files.exists(file)) {
                moved.add(Files.move(file, dir.resolve(name + suffix)));
            }
        }
        return moved;
    }

    private static List<String> binlogFiles(Connection c) throws SQLException {
        List<String> files = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW BINARY LOGS")) {
            while (rs.next()) {
                files.add(rs.getString(1));
            }
        }
        return files;
    }

    private void handleBatch(List<RecordChangeEvent<SourceRecord>> records,
            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) throws InterruptedException {
        List<SourceEvent> pending = new ArrayList<>(records.size());
        boolean snapshotEnded = false;
        int firstUntaken = 0;
        boolean heartbeatSeen = false;
        Map<String, ?> reachedOffset = null;
        if (committer != currentCommitter) { // a new engine: it starts again from the committed offset
            uncheckpointed.clear();
            snapshotTables.clear();
            currentCommitter = committer;
        }
        handling = true;
        try {
            if (!resumed.isDone()) {
                checkpoint(committer); // a pause may last: what was taken before it is made durable and committed first
            }
            awaitResume();
            for (int i = 0; i < records.size(); i++) {
                SourceRecord record = records.get(i).record();
                DebeziumRecords.Kind kind = mapper.kind(record);
                switch (kind) {
                    case HEARTBEAT -> { // applied after the events before it are delivered
                        heartbeatSeen = true;
                        reachedOffset = record.sourceOffset();
                    }
                    case OTHER -> {
                    }
                    case DATA, SCHEMA_CHANGE -> {
                        SourceEvent event = mapper.map(record, kind);
                        CaptureFailure regressed = guard.check(config.name(), event.version(), event.position().binlogFile());
                        if (regressed != null) {
                            throw new CaptureStoppedException(regressed);
                        }
                        if (event instanceof ChangeEvent change && needsGate(change)) {
                            deliver(pending);
                            taken(records, firstUntaken, i);
                            firstUntaken = i;
                            pending.clear();
                            checkpoint(committer); // the gate may wait for a person
                            applyReadingState();
                            awaitGate(change);
                        } else if (event instanceof SchemaChangeEvent ddl && ddl.table() != null) {
                            lastDdl.put(ddl.database() + "." + ddl.table(), ddl.ddl());
                            TableId table = new TableId(config.name(), ddl.database(), ddl.table());
                            if (ddl.position().snapshot() && config.snapshotMode() != SnapshotMode.NO_DATA && config.captures(table)) {
                                snapshotTables.put(table, ddl.version());
                            }
                        }
                        pending.add(event);
                        if (event instanceof ChangeEvent change && DebeziumRecords.endsTableSnapshot(record)) {
                            snapshotTables.put(change.table(), change.version());
                            snapshotEnded |= DebeziumRecords.endsSnapshot(record);
                        }
                    }
                }
            }
            deliver(pending);
            if (heartbeatSeen && reachedOffset != null && reachedOffset.get("file") instanceof String file
                    && reachedOffset.get("pos") instanceof Number pos) {
                consumer.reached(file, pos.longValue());
            }
            taken(records, firstUntaken, records.size());
            // Entering streaming checkpoints at once, before anyone can see the state: a worker stopped right after
            // would otherwise keep an offset inside the snapshot, and start the snapshot again.
            boolean entersStreaming = (state instanceof CaptureState.Starting || state instanceof CaptureState.Snapshotting)
                    && (heartbeatSeen || Boolean.FALSE.equals(readingSnapshot));
            if ((entersStreaming || snapshotEnded) && !snapshotTables.isEmpty()) {
                consumer.snapshotCompleted(java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(snapshotTables)));
                snapshotTables.clear();
            }
            if (entersStreaming || clock.millis() - lastCheckpointMillis >= config.sinkFlushIntervalMs()) {
                checkpoint(committer);
            }
            applyReadingState();
            if (heartbeatSeen) {
                heartbeat(); // after the snapshot rows of the same batch, so that the state does not flip back
            }
        } catch (CaptureStoppedException e) {
            fail(e.failure);
            throw e;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            CaptureFailure failure = Failures.classify(config, e, null);
            fail(failure);
            throw new CaptureStoppedException(failure);
        } finally {
            handling = false;
            lastActivity = clock.instant(); // however long the batch took, the engine was waiting for us
        }
    }

    /** Records that records {@code [from, to)} were handed to the consumer; only the last one per partition is kept. */
    private void taken(List<RecordChangeEvent<SourceRecord>> records, int from, int to) {
        for (int i = from; i < to; i++) {
            uncheckpointed.put(records.get(i).record().sourcePartition(), records.get(i));
        }
    }

    /**
     * Asks the consumer to make everything taken durable, then marks the last taken record of each partition
     * processed and lets the engine commit (every {@code offset.flush.interval.ms}). Offsets are cumulative, so
     * marking the last record covers the ones before it; marking nothing else keeps the engine, which also commits
     * when it stops, from ever storing an offset past what the consumer made durable.
     */
    private void checkpoint(DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) throws Exception {
        lastCheckpointMillis = clock.millis();
        if (uncheckpointed.isEmpty()) {
            return;
        }
        consumer.checkpoint();
        // After the checkpoint, not on delivery: a crash replays from the committed offset, and an event replayed
        // from the binlog file before a rotation must not look like the binlog going backwards.
        if (takenVersion != Long.MIN_VALUE) {
            guard.acknowledged(takenVersion);
        }
        for (RecordChangeEvent<SourceRecord> last : uncheckpointed.values()) {
            committer.markProcessed(last);
        }
        uncheckpointed.clear();
        committer.markBatchFinished();
    }

    /**
     * Holds capture before a batch while a person paused the source. Nothing is lost: the engine's queue fills
     * and the binlog reader waits; offsets stay at the checkpoint made before the pause.
     */
    private void awaitResume() throws InterruptedException {
        CompletableFuture<Void> gate = resumed;
        if (gate.isDone()) {
            return;
        }
        CaptureState before = state;
        setState(new CaptureState.Paused(pauseReason));
        try {
            CompletableFuture.anyOf(gate, stopSignal).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
        if (stopping) {
            throw new InterruptedException("capture of " + config.name() + " stopped while paused");
        }
        if (state instanceof CaptureState.Paused) {
            // Paused before any batch said which phase it reads: the batch that waited here says (applyReadingState),
            // a snapshot's as much as the stream's. Saying streaming at once let a recovery verify during a snapshot.
            setState(before instanceof CaptureState.Paused || before instanceof CaptureState.Starting ? new CaptureState.Starting() : before);
        }
    }

    /**
     * Pauses capture before its next batch: the state becomes {@link CaptureState.Paused} with this reason once the
     * engine hands over a batch. Idempotent; thread-safe.
     *
     * @param reason why, in words, with who paused it
     */
    public synchronized void pause(String reason) {
        pauseReason = Objects.requireNonNull(reason, "reason");
        if (resumed.isDone()) {
            resumed = new CompletableFuture<>();
            LOG.info("source={} pause requested: {}", config.name(), reason);
        }
    }

    /** Lets a paused source go on. Idempotent; thread-safe. */
    public synchronized void resume() {
        if (!resumed.isDone()) {
            LOG.info("source={} resume requested", config.name());
            resumed.complete(null);
        }
    }

    /** True between {@link #pause} and {@link #resume}, whether or not a batch has reached the pause yet. */
    public boolean pauseRequested() {
        return !resumed.isDone();
    }

    private boolean needsGate(ChangeEvent change) {
        Schema schema = change.row().getSchema();
        return emittedSchemas.get(change.table()) != schema && !schema.equals(emittedSchemas.get(change.table()));
    }

    private void awaitGate(ChangeEvent change) throws InterruptedException {
        TableId table = change.table();
        Schema schema = change.row().getSchema();
        SchemaCandidate candidate = new SchemaCandidate(table, schema, change.key() == null ? null : change.key().getSchema(),
                lastDdl.get(table.database() + "." + table.table()), change.position());
        while (true) {
            GateDecision decision;
            try {
                decision = gate.check(candidate);
            } catch (RuntimeException e) {
                throw new CaptureStoppedException(new CaptureFailure(CaptureFailure.Kind.SCHEMA_GATE, "The schema gate failed for "
                        + table + ": " + e.getMessage(), "Fix the schema registry or review store, then start the source again."));
            }
            if (decision instanceof GateDecision.Wait w) {
                setState(new CaptureState.Paused(w.reason()));
                try {
                    CompletableFuture.anyOf(w.reconsider().toCompletableFuture(), stopSignal).get();
                } catch (ExecutionException e) {
                    // a failed reconsider future just means: ask again
                }
                if (stopping) {
                    throw new InterruptedException("capture of " + config.name() + " stopped while paused at " + change.position());
                }
            } else {
                emittedSchemas.put(table, schema);
                if (state instanceof CaptureState.Paused) {
                    LOG.info("source={} table={} schema gate lets capture resume", config.name(), table);
                    setState(change.position().snapshot() ? new CaptureState.Snapshotting() : new CaptureState.Streaming());
                }
                return;
            }
        }
    }

    private void deliver(List<SourceEvent> events) throws Exception {
        if (events.isEmpty()) {
            return;
        }
        consumer.accept(List.copyOf(events));
        SourceEvent last = events.get(events.size() - 1);
        takenVersion = last.version();
        Instant now = clock.instant();
        lastPosition = last.position();
        lastActivity = now;
        lagMillis = Math.max(0, Duration.between(last.commitTime(), now).toMillis());
        total.addAndGet(events.size());
        rate.record(events.size());
        for (int i = events.size() - 1; i >= 0; i--) {
            if (events.get(i) instanceof ChangeEvent change) {
                readingSnapshot = change.position().snapshot();
                break;
            }
        }
    }

    /**
     * Snapshot reads mean snapshotting, binlog changes mean streaming; DDL events say nothing about the phase.
     * Applied after the checkpoint that follows them (see {@link #handleBatch}).
     */
    private void applyReadingState() {
        Boolean snapshot = readingSnapshot;
        readingSnapshot = null;
        boolean reading = state instanceof CaptureState.Starting || state instanceof CaptureState.Snapshotting
                || state instanceof CaptureState.Streaming;
        if (snapshot != null && reading) {
            setState(snapshot ? new CaptureState.Snapshotting() : new CaptureState.Streaming());
        }
    }

    private void heartbeat() {
        lastActivity = clock.instant();
        lagMillis = 0L;
        if (state instanceof CaptureState.Starting || state instanceof CaptureState.Snapshotting) {
            setState(new CaptureState.Streaming());
        }
    }

    private void engineCompleted(int gen, boolean success, String message, Throwable error) {
        if (gen != generation) {
            return; // an engine replaced by a restart
        }
        // Retried only where the source was reached before: after a stall restart, or when the connection was lost
        // during the snapshot (Debezium's binlog client reconnects by itself while streaming, its snapshot does
        // not). A source unreachable from the start fails at once with that state.
        boolean reachedBefore = restarts > 0 || reconnectAttempts > 0 || state instanceof CaptureState.Snapshotting;
        if (!stopping && reachedBefore && (!success || error != null) && reconnectAttempts < Math.max(1, config.maxRetries())) {
            CaptureFailure failure = Failures.classify(config, error, message);
            if (failure.kind() == CaptureFailure.Kind.UNREACHABLE) {
                // The server is still coming back (after a stall, or from a restart during the snapshot): try
                // again, with backoff; a snapshot cut short starts over (see checkSnapshotCutShort).
                reconnectAttempts++;
                long delay = Math.min(10_000L, 500L << Math.min(reconnectAttempts, 5));
                LOG.info("source={} still unreachable after an engine restart (attempt {}), next try in {} ms", config.name(),
                        reconnectAttempts, delay);
                setState(new CaptureState.Starting());
                watchdog.schedule(() -> reconnect(gen), delay, TimeUnit.MILLISECONDS);
                return;
            }
        }
        try {
            if (state instanceof CaptureState.Failed) {
                return;
            }
            if (stopping && (success || error == null || isInterruption(error))) {
                setState(new CaptureState.Stopped());
            } else if (!success || error != null) {
                fail(Failures.classify(config, error, message));
            } else {
                setState(new CaptureState.Stopped());
            }
        } finally {
            terminated.countDown();
        }
    }

    private static boolean isInterruption(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof InterruptedException) {
                return true;
            }
        }
        return false;
    }

    private void fail(CaptureFailure failure) {
        if (stopping) {
            // Closing interrupts the engine's threads; what they throw on the way out is not a failure of the source.
            LOG.debug("source={} error while stopping: {}", config.name(), failure);
            if (engine == null) {
                terminated.countDown();
            }
            return;
        }
        if (!(state instanceof CaptureState.Failed)) {
            LOG.error("source={} capture failed: {}", config.name(), failure);
            state = new CaptureState.Failed(failure);
        }
        if (engine == null) {
            terminated.countDown();
        }
    }

    private void setState(CaptureState next) {
        CaptureState previous = state;
        if (previous instanceof CaptureState.Failed || previous.equals(next)) {
            return;
        }
        state = next;
        if (next instanceof CaptureState.Streaming) {
            reconnectAttempts = 0;
        }
        LOG.info("source={} state {} -> {}{}", config.name(), previous.label(), next.label(),
                next instanceof CaptureState.Paused p ? " (" + p.reason() + ")" : "");
    }

    /** The worker's status now. */
    /**
     * Whether this worker took its source's snapshot again, and why (the latest time, if its engine restarted
     * inside a snapshot too): its targets may then hold rows deleted before the new snapshot, which only a
     * verification with repair removes (once the source streams). The consumer hears of each one as it happens
     * ({@link EventBatchConsumer#snapshotRedone}).
     *
     * @return empty before {@link #start()}, and when the worker streams from a stored position or takes the
     *     source's first snapshot
     */
    public Optional<RedoneSnapshot> redoneSnapshot() {
        return Optional.ofNullable(redoneSnapshot);
    }

    public CaptureStatus status() {
        return new CaptureStatus(config.name(), state, lastPosition, lagMillis, lastActivity, rate.perSecond(), total.get(), restarts);
    }

    public SourceConfig config() {
        return config;
    }

    /**
     * Waits until the engine has ended (stopped or failed).
     *
     * @return true if it ended within the timeout
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Asks the engine to stop. Debezium's async engine refuses a close while it moves between start-up states
     * (the close is lost, and the engine would run on): a refused close is tried again until the engine takes
     * it or ends, for up to 30 s.
     */
    private void closeEngine() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (engine != null) {
            DebeziumEngine<RecordChangeEvent<SourceRecord>> current = engine;
            try {
                current.close();
                return;
            } catch (IOException e) {
                LOG.warn("source={} engine did not close cleanly: {}", config.name(), e.getMessage());
                return;
            } catch (IllegalStateException e) {
                // Either a handler paused at the gate ended the engine itself when the stop signal woke it, or the
                // engine is between start-up states: wait a little and see whether it ended.
                try {
                    if (terminated.await(100, TimeUnit.MILLISECONDS) || System.nanoTime() > deadline) {
                        return;
                    }
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                LOG.debug("source={} engine not closable yet ({}), trying again", config.name(), e.getMessage());
            }
        }
    }

    /** Stops capture gracefully and waits up to a minute for the engine to commit and end. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
        }
        stopSignal.complete(null);
        if (watchdog != null) {
            watchdog.shutdownNow();
        }
        closeEngine();
        if (executor != null) {
            executor.shutdown();
            try {
                if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
                    LOG.warn("source={} capture thread did not end within 60 s", config.name());
                    executor.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!(state instanceof CaptureState.Failed)) {
            setState(new CaptureState.Stopped());
        }
        terminated.countDown();
        LOG.info("source={} capture stopped", config.name());
    }

    /** Ends the engine's batch handling with a failure that is already classified. */
    static final class CaptureStoppedException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient CaptureFailure failure;

        CaptureStoppedException(CaptureFailure failure) {
            super(failure.message());
            this.failure = failure;
        }
    }
}
