package io.sluice.capture;

import io.sluice.event.SourceEvent;
import io.sluice.review.SchemaGate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

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
 * <h2>Parts</h2>
 * {@link EngineSettings} (the engine's properties and the overrides they refuse), {@link StoredState} (the files),
 * {@link BinlogProbe} (the check before the first engine), {@link EngineLifecycle} (engines, restarts, the stall
 * watchdog), {@link BatchHandler} with {@link Checkpoints} and {@link TableSchemas} (each batch, on the capture
 * thread), {@link PauseGate} (a person's pause), {@link SnapshotRedo}, and {@link WorkerState}, which they share.
 *
 * <p>Thread safety: every public method may be called from any thread.
 */
public final class CaptureWorker implements AutoCloseable {
    private final SourceConfig config;
    private final EventBatchConsumer consumer;
    private final Clock clock;
    private final StoredState stored;
    private final WorkerState state;
    private final PauseGate pause;
    private final TableSchemas schemas;
    private final SnapshotRedo redo;
    private final EngineLifecycle engines;

    /**
     * @param config the source; see {@link SourceConfig}
     * @param consumer receives the events; see its contract
     * @param gate decides about new value schemas; {@link SchemaGate#permissive()} lets everything through
     * @param clock the time source for lag, rates and activity
     */
    public CaptureWorker(SourceConfig config, EventBatchConsumer consumer, SchemaGate gate, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.stored = new StoredState(config.sourceDir());
        this.state = new WorkerState(config.name(), clock);
        this.pause = new PauseGate(config.name(), state);
        this.schemas = new TableSchemas(config.name(), Objects.requireNonNull(gate, "gate"), state);
        this.redo = new SnapshotRedo(config.name(), consumer, stored, state);
        this.engines = new EngineLifecycle(config, clock, state, schemas, redo);
    }

    /** Debezium's topic prefix for a source: unique per source, so that two engines in one JVM do not clash in JMX. */
    public static String topicPrefix(SourceConfig config) {
        return EngineSettings.topicPrefix(config);
    }

    /**
     * The Debezium engine properties Sluice runs a source with. Public so that benchmarks can run Debezium alone
     * with exactly the same settings.
     */
    public static Properties debeziumProperties(SourceConfig config) {
        return EngineSettings.properties(config);
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
        return new StoredState(config.sourceDir()).setAside(suffix);
    }

    /**
     * Starts capture on a thread of its own. Failures to connect or missing state end in {@link CaptureState.Failed}
     * rather than an exception.
     *
     * @throws IllegalStateException if the worker was started before
     */
    public void start() {
        engines.start(this::prepare);
    }

    /**
     * Checks, in this order, that the source's directory can be written, that stored offsets come with a schema
     * history, that the version epoch did not go down, whether the last snapshot was cut short, and that the source
     * is reachable with its stored binlog position still there.
     *
     * @return the handler of the engines' batches
     * @throws CaptureStoppedException with the reason the source cannot start
     */
    private BatchHandler prepare() {
        Path dir = stored.dir();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw stopped(new CaptureFailure(CaptureFailure.Kind.CONFIGURATION, "Cannot create the data directory " + dir + ": "
                    + e.getMessage(), "Set data.dir to a writable directory."));
        }
        if (stored.historyMissing()) {
            throw stopped(Failures.schemaHistoryMissing(config));
        }
        PositionGuard guard;
        try {
            guard = new PositionGuard(stored.versionGuardFile());
            CaptureFailure epochProblem = guard.checkEpoch(config.name(), config.versionEpoch());
            if (epochProblem != null) {
                throw stopped(epochProblem);
            }
        } catch (UncheckedIOException e) {
            throw stopped(new CaptureFailure(CaptureFailure.Kind.CONFIGURATION, e.getMessage(), "Check the data directory's permissions."));
        }
        try {
            redo.checkCutShort();
        } catch (IOException e) {
            throw stopped(new CaptureFailure(CaptureFailure.Kind.CONFIGURATION, "Cannot read the stored offsets of source '"
                    + config.name() + "' in " + dir + ": " + e.getMessage(), "Check the data directory's permissions and contents."));
        }
        BinlogProbe.Probed probed = BinlogProbe.probe(config, stored, guard.server(), clock, redo::report);
        if (probed.failure() != null) {
            throw stopped(probed.failure());
        }
        BatchHandler handler = new BatchHandler(config, consumer, clock, guard, state, pause, schemas);
        handler.serverIs(probed.server());
        engines.beforeRestart(() -> {
            BinlogProbe.Probed again = BinlogProbe.identify(config, stored, guard.server());
            if (again.failure() != null) {
                if (again.failure().kind() == CaptureFailure.Kind.UNREACHABLE) {
                    return; // the new engine finds out again, and is retried
                }
                throw stopped(again.failure());
            }
            handler.serverIs(again.server());
        });
        return handler;
    }

    private static CaptureStoppedException stopped(CaptureFailure failure) {
        return new CaptureStoppedException(failure);
    }

    /**
     * Pauses capture before its next batch: the state becomes {@link CaptureState.Paused} with this reason once the
     * engine hands over a batch. Idempotent; thread-safe.
     *
     * @param reason why, in words, with who paused it
     */
    public void pause(String reason) {
        pause.pause(reason);
    }

    /** Lets a paused source go on. Idempotent; thread-safe. */
    public void resume() {
        pause.resume();
    }

    /** True between {@link #pause} and {@link #resume}, whether or not a batch has reached the pause yet. */
    public boolean pauseRequested() {
        return pause.requested();
    }

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
        return redo.latest();
    }

    /** The worker's status now. */
    public CaptureStatus status() {
        return state.status(engines.restarts());
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
        return engines.awaitTermination(timeout);
    }

    /** Stops capture gracefully and waits up to a minute for the engine to commit and end. Idempotent. */
    @Override
    public void close() {
        engines.stop();
    }
}
