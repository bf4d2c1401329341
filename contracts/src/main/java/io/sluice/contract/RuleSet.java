package io.sluice.contract;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The rules of a schema version, as Confluent's registry takes them: {@code domainRules} run on each change;
 * {@code migrationRules} (between schema versions) are kept for a client that brings them but refused by
 * {@link Contract#compile} when not empty, since Sluice's targets always take a table's current schema.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonIgnoreProperties(ignoreUnknown = true)
public record RuleSet(List<Rule> domainRules, List<Rule> migrationRules) {

    public static final RuleSet EMPTY = new RuleSet(List.of(), List.of());

    public RuleSet {
        domainRules = domainRules == null ? List.of() : List.copyOf(domainRules);
        migrationRules = migrationRules == null ? List.of() : List.copyOf(migrationRules);
    }

    public static RuleSet of(Rule... domainRules) {
        return new RuleSet(List.of(domainRules), List.of());
    }

    @JsonIgnore
    public boolean isEmpty() {
        return domainRules.isEmpty() && migrationRules.isEmpty();
    }
}
