package io.sluice.review;

/**
 * Decides whether capture may emit events under a table's new value schema.
 *
 * <p>Lifecycle: a capture worker calls {@link #check} before the first event of each table whose value schema
 * differs from the last one it emitted for that table (and once per table after every start). While the answer
 * is {@link GateDecision.Wait}, the worker pauses that source at the event, emits nothing at or after it and
 * commits no offset past it; it asks again when the decision's {@code reconsider} future completes, or when it
 * restarts. Implementations must therefore answer the same candidate the same way until a person decides, and
 * must remember pending candidates across restarts if they want them reviewed only once.
 *
 * <p>Thread safety: implementations are called from several capture threads at once and must be thread-safe.
 */
@FunctionalInterface
public interface SchemaGate {

    /**
     * Decides about a new value schema.
     *
     * @param candidate the table, its new value schema, and what is known of the change that caused it
     * @return proceed, or wait with a reason and a future that completes when asking again may give another answer
     * @throws RuntimeException for an unexpected failure; the worker treats it as fatal for its source
     */
    GateDecision check(SchemaCandidate candidate);

    /** The gate used until schema governance is configured: every schema proceeds. */
    static SchemaGate permissive() {
        return candidate -> GateDecision.proceed();
    }
}
