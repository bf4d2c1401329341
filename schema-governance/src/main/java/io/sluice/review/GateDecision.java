package io.sluice.review;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** What a {@link SchemaGate} answers. A closed set of two records. */
public sealed interface GateDecision {

    /** Emit events under the schema. */
    record Proceed() implements GateDecision {
    }

    /**
     * Do not emit yet.
     *
     * @param reason why, in words a person can act on (for example "proposal 12 for shop.orders awaits review")
     * @param reconsider completes when asking again may give another answer (a decision was taken)
     */
    record Wait(String reason, CompletionStage<?> reconsider) implements GateDecision {
        public Wait {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(reconsider, "reconsider");
        }
    }

    static GateDecision proceed() {
        return new Proceed();
    }

    static GateDecision waitFor(String reason, CompletionStage<?> reconsider) {
        return new Wait(reason, reconsider);
    }

    /** A wait that is never reconsidered by a future: only a restart asks again. */
    static GateDecision waitUntilRestart(String reason) {
        return new Wait(reason, new CompletableFuture<>());
    }
}
