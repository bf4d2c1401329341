package io.sluice.contract;

import static io.sluice.contract.ContractTest.create;
import static io.sluice.contract.ContractTest.patient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.event.ChangeEvent;
import io.sluice.event.Operation;
import io.sluice.event.SourceEvent;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContractCheckTest {
    private static final RuleSet RULES = RuleSet.of(Rule.of("checkSsnLen", "CONDITION", "CEL", "size(message.ssn) == 9", "DLQ"),
            Rule.of("positivePrice", "CONDITION", "CEL", "message.price > 0.0", "NONE"),
            new Rule("maskPii", null, "TRANSFORM", "WRITE", "CEL_FIELD", List.of("PII"), null, "typeName == 'STRING' ; 'XXXX'", null, null, null));

    private final ContractCheck check = new ContractCheck(t -> Optional.of(new ContractCheck.Declared(1, RULES, Metadata.EMPTY)), t -> true);

    @Test
    void shouldCountOnlyTheRulesThatRanOnEachChange() throws Exception {
        ChangeEvent passes = create(patient("123456789", "a@b.c", "1.00"));
        ChangeEvent stopped = create(patient("12", "b@b.c", "-1.00"));
        ChangeEvent deleted = new ChangeEvent(passes.table(), Operation.DELETE, null, passes.after(), null, passes.position(),
                passes.commitTime(), 2);

        ContractCheck.Checked checked = check.apply(List.<SourceEvent>of(passes, stopped, deleted));

        assertThat(checked.deadLetters()).singleElement().satisfies(s -> assertThat(s.failure().rule()).isEqualTo("checkSsnLen"));
        Map<String, ContractCheck.Counts> counts = check.counts();
        assertThat(counts.get("s.db.patients/checkSsnLen")).isEqualTo(new ContractCheck.Counts(2, 1));
        assertThat(counts.get("s.db.patients/positivePrice")).as("not run after the DLQ stop, nor on the delete")
                .isEqualTo(new ContractCheck.Counts(1, 0));
        assertThat(counts.get("s.db.patients/maskPii")).as("a transform runs on every change").isEqualTo(new ContractCheck.Counts(3, 0));
        assertThat(check.recentFailures("s.db.patients")).extracting(ContractCheck.Failed::rule).containsExactly("checkSsnLen");
    }

    @Test
    void shouldLetAReleasedHeldChangeGoToTheDeadLetters() throws Exception {
        RuleSet error = RuleSet.of(Rule.of("knownDomain", "CONDITION", "CEL", "message.email.endsWith('@example.com')", "ERROR"));
        ChangeEvent change = create(patient("123456789", "x@elsewhere.org", "1.00"));
        ContractCheck holding = new ContractCheck(t -> Optional.of(new ContractCheck.Declared(1, error, Metadata.EMPTY)), t -> true);

        assertThatThrownBy(() -> holding.apply(List.of(change))).isInstanceOfSatisfying(RuleErrorException.class, e -> assertThat(e.held())
                .contains(new ContractCheck.Held(change.table(), change.position().toString(), "null", "knownDomain")));

        ContractCheck released = new ContractCheck(t -> Optional.of(new ContractCheck.Declared(1, error, Metadata.EMPTY)), t -> true,
                h -> h.rule().equals("knownDomain") && h.position().equals(change.position().toString()));
        assertThat(released.apply(List.of(change)).deadLetters()).singleElement().satisfies(s -> assertThat(s.original()).isSameAs(change));
    }
}
