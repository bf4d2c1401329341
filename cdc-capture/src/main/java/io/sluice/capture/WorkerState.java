package io.sluice.capture;

import io.sluice.event.SourceEvent;
import io.sluice.event.SourcePosition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the parts of one capture worker share: its {@link CaptureState} and the transitions between states, the
 * request to stop, and the figures its {@link CaptureStatus} reports.
 *
 * <p>A failed state is final: no transition leaves it. Thread-safe; every field is read and written from the
 * capture thread, the watchdog, the engine's threads and the worker's callers.
 */
final class WorkerState {
    /** Logs under the worker's name, which operators filter a source's capture by. */
    private static final Logger LOG = LoggerFactory.getLogger(CaptureWorker.class);

    private final String source;
    private final Clock clock;
    private final RateMeter rate;
    private final AtomicLong total = new AtomicLong();
    private final CompletableFuture<Void> stopSignal = new CompletableFuture<>();

    private volatile CaptureState state = new CaptureState.Starting();
    private volatile SourcePosition lastPosition;
    private volatile Long lagMillis;
    private volatile Instant lastActivity;
    private volatile boolean stopping;
    /** Failed reconnection attempts since the source last streamed. */
    private volatile int reconnectAttempts;

    WorkerState(String source, Clock clock) {
        this.source = source;
        this.clock = clock;
        this.rate = new RateMeter(clock);
    }

    CaptureState current() {
        return state;
    }

    /** Moves to {@code next}, unless the worker failed already; entering streaming resets the reconnect attempts. */
    void set(CaptureState next) {
        CaptureState previous = state;
        if (previous instanceof CaptureState.Failed || previous.equals(next)) {
            return;
        }
        state = next;
        if (next instanceof CaptureState.Streaming) {
            reconnectAttempts = 0;
        }
        LOG.info("source={} state {} -> {}{}", source, previous.label(), next.label(),
                next instanceof CaptureState.Paused p ? " (" + p.reason() + ")" : "");
    }

    /** Fails the source, keeping the first failure; while stopping, what the engine throws is not a failure. */
    void fail(CaptureFailure failure) {
        if (stopping) {
            // Closing interrupts the engine's threads; what they throw on the way out is not a failure of the source.
            LOG.debug("source={} error while stopping: {}", source, failure);
            return;
        }
        if (!(state instanceof CaptureState.Failed)) {
            LOG.error("source={} capture failed: {}", source, failure);
            state = new CaptureState.Failed(failure);
        }
    }

    boolean stopping() {
        return stopping;
    }

    /** Completes when the worker is asked to stop, waking whatever waits for a person (a pause, a review). */
    CompletableFuture<Void> stopSignal() {
        return stopSignal;
    }

    /** Marks the worker stopping; call it under the lock that guards the engine's replacement. */
    void stop() {
        stopping = true;
        stopSignal.complete(null);
    }

    int reconnectAttempts() {
        return reconnectAttempts;
    }

    /** @return the attempt's number */
    int countReconnectAttempt() {
        return ++reconnectAttempts;
    }

    /** Records that the consumer took {@code count} events, the last one being {@code last}. */
    void delivered(SourceEvent last, int count) {
        Instant now = clock.instant();
        lastPosition = last.position();
        lastActivity = now;
        lagMillis = Math.max(0, Duration.between(last.commitTime(), now).toMillis());
        total.addAndGet(count);
        rate.record(count);
    }

    /** The source is alive and caught up; a heartbeat also means the snapshot is over. */
    void heartbeat() {
        lastActivity = clock.instant();
        lagMillis = 0L;
        if (state instanceof CaptureState.Starting || state instanceof CaptureState.Snapshotting) {
            set(new CaptureState.Streaming());
        }
    }

    /** The engine was heard from, or waited for the worker, until now. */
    void active() {
        lastActivity = clock.instant();
    }

    /** @return null before the first event, heartbeat or engine restart */
    Instant lastActivity() {
        return lastActivity;
    }

    long total() {
        return total.get();
    }

    CaptureStatus status(int restarts) {
        return new CaptureStatus(source, state, lastPosition, lagMillis, lastActivity, rate.perSecond(), total.get(), restarts);
    }
}
