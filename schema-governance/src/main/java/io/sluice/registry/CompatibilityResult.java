package io.sluice.registry;

import java.util.List;

/**
 * The outcome of a compatibility check.
 *
 * @param compatible true when the candidate passes the level
 * @param messages Avro's incompatibility messages, one per problem, naming the version they concern; empty when compatible
 */
public record CompatibilityResult(boolean compatible, List<String> messages) {
    public CompatibilityResult {
        messages = List.copyOf(messages);
    }

    public static CompatibilityResult ok() {
        return new CompatibilityResult(true, List.of());
    }
}
