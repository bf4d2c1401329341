package io.sluice.contract;

import java.util.Map;

/**
 * A rule that a change failed, or that could not be evaluated on it.
 *
 * @param rule the rule's name
 * @param expr its expression, as declared
 * @param action what its {@code onFailure} asks for
 * @param values the values of the row's fields that the expression reads (for a field rule: the field), as CEL saw
 *     them; a field whose value is masked by an earlier transform shows the masked value
 * @param reason {@code "false"} when a condition did not hold, else what went wrong evaluating it
 */
public record RuleFailure(String rule, String expr, RuleAction action, Map<String, Object> values, String reason) {
    public RuleFailure {
        values = Map.copyOf(values);
    }
}
