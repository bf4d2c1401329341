package io.sluice.sink;

/**
 * A sink's ability to tell whether its target lost its data, declared through {@link Sink#generational()}.
 *
 * <p>The generation is a token the sink keeps in the target itself, next to the documents, and reads back. The
 * first call on a target that holds none creates one; it stays the same for as long as the target keeps what was
 * written to it, across connections, sink instances and Sluice restarts. A token other than the last one seen
 * means the target lost its data since (a Redis restarted without persistence or flushed, an index directory
 * removed): documents written before may be missing, and the runtime verifies and repairs the target (see
 * {@link GenerationWatch}).
 *
 * <p>Called between writes (the sink's one-thread-at-a-time rule holds), about once a second: by the server on a
 * thread of its own, by a Connect task after its {@link Sink#flush()}.
 */
@FunctionalInterface
public interface Generational {

    /**
     * The target's generation, created when it holds none.
     *
     * @return the token, never empty
     * @throws RetriableSinkException if the target is not reachable; calling it again later is safe
     * @throws FatalSinkException if the target holds a token Sluice cannot read
     */
    String generation();
}
