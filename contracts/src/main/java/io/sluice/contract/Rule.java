package io.sluice.contract;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * One rule of a rule set, in the shape of Confluent's data contracts so that a user can bring theirs as written: a
 * {@code CONDITION} that each change must meet, or a {@code TRANSFORM} of its fields. The fields stay as given (a
 * kind or type Sluice does not run is kept to be reported by {@link Contract#compile}, with every other problem).
 *
 * @param name unique in its rule set; named in failures, metrics and dead letters
 * @param doc what the rule is for; may be null
 * @param kind {@code CONDITION} or {@code TRANSFORM}
 * @param mode when the rule runs: {@code WRITE}, {@code READ} or {@code WRITEREAD} (Sluice runs each once, as a change
 *     goes to the targets); the migration modes are refused
 * @param type {@code CEL} (on the whole row) or {@code CEL_FIELD} (on each field it applies to)
 * @param tags a {@code CEL_FIELD} rule applies only to fields with one of these tags; empty for every field
 * @param params free parameters, kept and returned; may be empty
 * @param expr the CEL expression; for {@code CEL_FIELD}, an optional guard before a {@code ;}
 * @param onSuccess the action when the rule passes: {@code NONE} (the default)
 * @param onFailure the action when it fails: {@code NONE} (counted), {@code DLQ} (the change goes to the dead letters)
 *     or {@code ERROR} (the table is held); a pair {@code "DLQ,NONE"} (write, read) counts its first
 * @param disabled a disabled rule is kept but not run
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Rule(String name, String doc, String kind, String mode, String type, List<String> tags, Map<String, String> params,
        String expr, String onSuccess, String onFailure, Boolean disabled) {

    public Rule {
        tags = tags == null ? List.of() : List.copyOf(tags);
        params = params == null ? Map.of() : Map.copyOf(params);
    }

    /** A rule as most are written: a kind, a type, an expression and an action on failure. */
    public static Rule of(String name, String kind, String type, String expr, String onFailure) {
        return new Rule(name, null, kind, "WRITE", type, List.of(), Map.of(), expr, null, onFailure, null);
    }

    /** Whether the rule is switched off. */
    @JsonIgnore
    public boolean isDisabled() {
        return Boolean.TRUE.equals(disabled);
    }
}
