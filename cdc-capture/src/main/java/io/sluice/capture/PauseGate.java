package io.sluice.capture;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A person's pause of a source: {@link #pause} and {@link #resume} from any thread, {@link #await} on the capture
 * thread before each batch. Nothing is lost while paused: the engine's queue fills and the binlog reader waits;
 * offsets stay at the checkpoint made before the pause.
 */
final class PauseGate {
    /** Logs under the worker's name, which operators filter a source's capture by. */
    private static final Logger LOG = LoggerFactory.getLogger(CaptureWorker.class);

    private final String source;
    private final WorkerState state;
    /** Completed while nobody paused the source; a pause replaces it with an open one until resume. */
    private volatile CompletableFuture<Void> resumed = CompletableFuture.completedFuture(null);
    private volatile String reason;

    PauseGate(String source, WorkerState state) {
        this.source = source;
        this.state = state;
    }

    /** Idempotent; the latest reason wins. */
    synchronized void pause(String why) {
        reason = Objects.requireNonNull(why, "reason");
        if (resumed.isDone()) {
            resumed = new CompletableFuture<>();
            LOG.info("source={} pause requested: {}", source, why);
        }
    }

    /** Idempotent. */
    synchronized void resume() {
        if (!resumed.isDone()) {
            LOG.info("source={} resume requested", source);
            resumed.complete(null);
        }
    }

    /** True between {@link #pause} and {@link #resume}, whether or not a batch has reached the pause yet. */
    boolean requested() {
        return !resumed.isDone();
    }

    /**
     * Holds the capture thread while the source is paused; the state is {@link CaptureState.Paused} meanwhile.
     *
     * @throws InterruptedException if the worker stops while paused
     */
    void await() throws InterruptedException {
        CompletableFuture<Void> gate = resumed;
        if (gate.isDone()) {
            return;
        }
        CaptureState before = state.current();
        state.set(new CaptureState.Paused(reason));
        try {
            CompletableFuture.anyOf(gate, state.stopSignal()).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
        if (state.stopping()) {
            throw new InterruptedException("capture of " + source + " stopped while paused");
        }
        if (state.current() instanceof CaptureState.Paused) {
            // Paused before any batch said which phase it reads: the batch that waited here says (see
            // BatchHandler), a snapshot's as much as the stream's, so that nobody takes a snapshot for streaming.
            state.set(before instanceof CaptureState.Paused || before instanceof CaptureState.Starting
                    ? new CaptureState.Starting() : before);
        }
    }
}
