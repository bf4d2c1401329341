package io.sluice.admin.contract;

import com.fasterxml.jackson.annotation.JsonValue;
import io.sluice.contract.Metadata;
import io.sluice.contract.Rule;
import io.sluice.contract.RuleSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A proposed change of a table's data contract, shown with how it differs from the rules in force and with a dry run
 * over the live table; it takes effect when a reviewer approves it.
 *
 * @param table {@code database.table}
 * @param baseVersion the value subject's version the proposal was made against
 * @param version the version its approval registered, or null
 */
public record RuleProposal(long id, String source, String table, int baseVersion, RuleSet ruleSet, Metadata metadata,
        List<Change> diff, RuleDryRun.Result dryRun, State state, String proposedBy, Instant proposedAt, String decidedBy, Instant decidedAt,
        String reason, Integer version) {

    /** Where a proposal stands; the last two are final. */
    public enum State {
        PENDING,
        APPROVED,
        REJECTED;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @throws IllegalArgumentException for an unknown label */
        public static State of(String label) {
            return valueOf(label.toUpperCase(Locale.ROOT));
        }
    }

    /** How one rule changes. */
    public enum ChangeKind {
        ADDED,
        REMOVED,
        CHANGED;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One rule's change, by name.
     *
     * @param before the rule in force, or null when added
     * @param after the proposed rule, or null when removed
     */
    public record Change(String rule, ChangeKind kind, Rule before, Rule after) {
    }

    /** The changes from the rules in force to the proposed ones, in the proposed order, then the removed. */
    public static List<Change> diff(RuleSet current, RuleSet proposed) {
        Map<String, Rule> before = new LinkedHashMap<>();
        current.domainRules().forEach(r -> before.put(r.name(), r));
        List<Change> out = new ArrayList<>();
        for (Rule r : proposed.domainRules()) {
            Rule old = before.remove(r.name());
            if (old == null) {
                out.add(new Change(r.name(), ChangeKind.ADDED, null, r));
            } else if (!Objects.equals(old, r)) {
                out.add(new Change(r.name(), ChangeKind.CHANGED, old, r));
            }
        }
        before.values().forEach(r -> out.add(new Change(r.name(), ChangeKind.REMOVED, r, null)));
        return out;
    }
}
