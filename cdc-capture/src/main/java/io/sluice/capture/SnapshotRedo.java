package io.sluice.capture;

import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the consumer when the worker is about to take its source's snapshot again ({@link RedoneSnapshot}), once per
 * occurrence, and remembers the latest reason. Called on the thread that starts an engine (the worker's starter, or
 * its watchdog at a restart); read from any thread.
 */
final class SnapshotRedo {
    /** Logs under the worker's name, which operators filter a source's capture by. */
    private static final Logger LOG = LoggerFactory.getLogger(CaptureWorker.class);

    private final String source;
    private final EventBatchConsumer consumer;
    private final StoredState stored;
    private final WorkerState state;
    /** Why the last snapshot started over, set before the engine that takes it starts; null while none did. */
    private volatile RedoneSnapshot latest;
    /** Events delivered when the consumer was last told. */
    private volatile long eventsAtRedo;

    SnapshotRedo(String source, EventBatchConsumer consumer, StoredState stored, WorkerState state) {
        this.source = source;
        this.consumer = consumer;
        this.stored = stored;
        this.state = state;
    }

    /** @return empty while the worker streams from a stored position or takes the source's first snapshot */
    Optional<RedoneSnapshot> latest() {
        return Optional.ofNullable(latest);
    }

    /**
     * Tells the consumer, unless it was told of this very cut already (a retry while the source is still away, with
     * no event delivered in between). A consumer that throws is logged, never fails the source.
     */
    void report(RedoneSnapshot why) {
        if (why == latest && state.total() == eventsAtRedo) {
            return;
        }
        latest = why;
        eventsAtRedo = state.total();
        LOG.warn("source={} takes its snapshot again: {}", source, why.description());
        try {
            consumer.snapshotRedone(why);
        } catch (RuntimeException e) {
            LOG.error("source={} consumer failed on a snapshot taken again: {}", source, e.toString());
        }
    }

    /**
     * Before an engine starts: reports a snapshot that the stored offsets show was cut short.
     *
     * @throws IOException if the stored offsets cannot be read
     */
    void checkCutShort() throws IOException {
        if (stored.snapshotCutShort()) {
            report(RedoneSnapshot.INTERRUPTED);
        }
    }

    /** Before an engine restart within the worker (a reconnect, a stall); a file it cannot read is only logged. */
    void checkCutShortOnRestart() {
        try {
            checkCutShort();
        } catch (IOException e) {
            LOG.warn("source={} cannot read its stored offsets before restarting its engine: {}", source, e.getMessage());
        }
    }
}
