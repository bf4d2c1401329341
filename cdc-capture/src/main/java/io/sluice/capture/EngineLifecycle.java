package io.sluice.capture;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Debezium engines of one worker, one after the other: the first starts once; a stalled one is replaced, one
 * that lost a source it had reached is reconnected with backoff; {@link #stop()} ends the current one gracefully.
 * Each engine is a generation: the completion of an engine that a newer one replaced is ignored.
 *
 * <p>Engines run on the capture thread ({@code sluice-capture-<source>}); the stall check and delayed reconnects on
 * the watchdog thread ({@code sluice-watchdog-<source>}). Starting, replacing and stopping an engine hold this
 * object's lock, so that no engine starts after a stop.
 */
final class EngineLifecycle {
    /** Logs under the worker's name, which operators filter a source's capture by. */
    private static final Logger LOG = LoggerFactory.getLogger(CaptureWorker.class);

    private final SourceConfig config;
    private final Clock clock;
    private final WorkerState state;
    private final TableSchemas schemas;
    private final SnapshotRedo redo;
    private final CountDownLatch terminated = new CountDownLatch(1);

    private volatile DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private BatchHandler handler;
    private ExecutorService executor;
    private ScheduledExecutorService watchdog;
    private boolean started;
    /** Which engine is current; callbacks of engines replaced by a restart are ignored. */
    private volatile int generation;
    private volatile int restarts;
    /** Runs before each engine after the first; see {@link #beforeRestart}. */
    private volatile Restart before = () -> { };

    /** A check before an engine restarts. */
    @FunctionalInterface
    interface Restart {
        /** @throws CaptureStoppedException when the source must not start again */
        void check();
    }

    EngineLifecycle(SourceConfig config, Clock clock, WorkerState state, TableSchemas schemas, SnapshotRedo redo) {
        this.config = config;
        this.clock = clock;
        this.state = state;
        this.schemas = schemas;
        this.redo = redo;
    }

    /**
     * Starts the first engine and the watchdog, unless {@code prepare} finds that the source cannot start: then the
     * worker fails with its reason and ends.
     *
     * @param prepare checks the source and its stored state; returns the handler of the engines' batches, or throws
     *     {@link CaptureStoppedException} with the reason the source cannot start
     * @throws IllegalStateException if called before
     */
    synchronized void start(Supplier<BatchHandler> prepare) {
        if (started) {
            throw new IllegalStateException("capture worker of source '" + config.name() + "' was already started");
        }
        started = true;
        try {
            handler = prepare.get();
        } catch (CaptureStoppedException e) {
            state.fail(e.failure);
            terminated.countDown();
            return;
        }
        executor = Executors.newSingleThreadExecutor(r -> daemon(r, "sluice-capture-" + config.name()));
        LOG.info("source={} capture starting ({})", config.name(), config);
        engine = newEngine(generation);
        executor.execute(engine);
        watchdog = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "sluice-watchdog-" + config.name()));
        long period = Math.max(100, Math.min(1000, config.stallTimeoutMs() / 5));
        watchdog.scheduleWithFixedDelay(this::checkStall, period, period, TimeUnit.MILLISECONDS);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private DebeziumEngine<RecordChangeEvent<SourceRecord>> newEngine(int gen) {
        return DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(EngineSettings.properties(config))
                .using((success, message, error) -> engineCompleted(gen, success, message, error))
                .notifying(handler)
                .build();
    }

    /** Sets what runs before each engine after the first (the server behind the address may have changed). */
    void beforeRestart(Restart check) {
        this.before = check;
    }

    /** @return false when the check stopped the source: it failed, and no engine follows */
    private boolean checked() {
        try {
            before.check();
            return true;
        } catch (CaptureStoppedException e) {
            state.fail(e.failure);
            terminated.countDown();
            return false;
        }
    }

    int restarts() {
        return restarts;
    }

    /**
     * Debezium 3.5 stops reading the binlog without an error when the server shuts down cleanly, and never
     * reconnects: a streaming source that hears nothing, not even a heartbeat, for {@code stall.timeout.ms} gets
     * a new engine, which resumes from the stored offset. A batch the worker is still handling is no silence.
     */
    private void checkStall() {
        try {
            Instant last = state.lastActivity();
            if (state.stopping() || handler.handling() || !(state.current() instanceof CaptureState.Streaming) || last == null) {
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
        if (state.stopping() || failedGeneration != generation) {
            return;
        }
        generation++;
        redo.checkCutShortOnRestart();
        if (!checked()) {
            return;
        }
        engine = newEngine(generation);
        executor.execute(engine);
    }

    private synchronized void restartEngine(String reason) {
        if (state.stopping()) {
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
        schemas.forget();
        state.active();
        state.set(new CaptureState.Starting());
        redo.checkCutShortOnRestart();
        if (!checked()) {
            return;
        }
        engine = newEngine(generation);
        executor.execute(engine);
    }

    private void engineCompleted(int gen, boolean success, String message, Throwable error) {
        if (gen != generation) {
            return; // an engine replaced by a restart
        }
        // Retried only where the source was reached before: after a stall restart, or when the connection was lost
        // during the snapshot (Debezium's binlog client reconnects by itself while streaming, its snapshot does
        // not). A source unreachable from the start fails at once with that state.
        boolean reachedBefore = restarts > 0 || state.reconnectAttempts() > 0 || state.current() instanceof CaptureState.Snapshotting;
        if (!state.stopping() && reachedBefore && (!success || error != null)
                && state.reconnectAttempts() < Math.max(1, config.maxRetries())) {
            CaptureFailure failure = Failures.classify(config, error, message);
            if (failure.kind() == CaptureFailure.Kind.UNREACHABLE) {
                // The server is still coming back (after a stall, or from a restart during the snapshot): try
                // again, with backoff; a snapshot cut short starts over (see SnapshotRedo).
                int attempt = state.countReconnectAttempt();
                long delay = Math.min(10_000L, 500L << Math.min(attempt, 5));
                LOG.info("source={} still unreachable after an engine restart (attempt {}), next try in {} ms", config.name(),
                        attempt, delay);
                state.set(new CaptureState.Starting());
                watchdog.schedule(() -> reconnect(gen), delay, TimeUnit.MILLISECONDS);
                return;
            }
        }
        try {
            if (state.current() instanceof CaptureState.Failed) {
                return;
            }
            if (state.stopping() && (success || error == null || isInterruption(error))) {
                state.set(new CaptureState.Stopped());
            } else if (!success || error != null) {
                state.fail(Failures.classify(config, error, message));
            } else {
                state.set(new CaptureState.Stopped());
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

    /** @return true if the engine ended (stopped or failed) within the timeout */
    boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the watchdog and the current engine, and waits up to a minute for the engine to commit and end. Idempotent. */
    void stop() {
        synchronized (this) {
            if (state.stopping()) {
                return;
            }
            state.stop();
        }
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
        if (!(state.current() instanceof CaptureState.Failed)) {
            state.set(new CaptureState.Stopped());
        }
        terminated.countDown();
        LOG.info("source={} capture stopped", config.name());
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
}
