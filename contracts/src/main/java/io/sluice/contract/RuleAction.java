package io.sluice.contract;

import java.util.Locale;
import java.util.Optional;

/** What happens to a change whose rule failed (or could not be evaluated on it). */
public enum RuleAction {
    /** Counted and shown; the change goes on to the targets. */
    NONE,
    /** The change goes to each target's dead letters instead, with the rule and the failing values; replayable. */
    DLQ,
    /** The table is held, as a schema review holds it, until someone decides. */
    ERROR;

    /**
     * Reads an action as a rule gives it: a name, or a pair {@code "WRITE,READ"} of which the first counts; null or
     * blank is {@link #NONE}.
     *
     * @return empty when the text names no action Sluice runs
     */
    static Optional<RuleAction> parse(String text) {
        if (text == null || text.isBlank()) {
            return Optional.of(NONE);
        }
        String first = text.split(",", -1)[0].trim().toUpperCase(Locale.ROOT);
        for (RuleAction a : values()) {
            if (a.name().equals(first)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
