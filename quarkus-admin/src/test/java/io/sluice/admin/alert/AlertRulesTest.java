package io.sluice.admin.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.sluice.admin.source.DesiredState;
import io.sluice.admin.source.SourceState;
import io.sluice.admin.source.SourceStatus;
import io.sluice.admin.verification.Audit;
import io.sluice.contract.ContractCheck;
import io.sluice.sink.SinkRunner;
import io.sluice.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AlertRulesTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-07T10:00:00Z"));
    private final AlertRules rules = new AlertRules(new AlertRules.Settings(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(2),
            Duration.ofMinutes(1), Duration.ofMinutes(10)), clock);

    @Test
    void shouldRaiseFailedAndHeldSourcesButNotOnesPausedByAPerson() {
        List<SourceStatus> statuses = List.of(source("a", DesiredState.RUNNING, SourceState.FAILED, "binlog purged"),
                source("b", DesiredState.RUNNING, SourceState.PAUSED, "schema waits for review"),
                source("c", DesiredState.PAUSED, SourceState.PAUSED, "paused by a person"));
        assertThat(check(statuses, Map.of(), List.of())).as("just now: it may be passing through").isEmpty();
        clock.advance(Duration.ofSeconds(10));
        List<AlertCondition> holding = check(statuses, Map.of(), List.of());
        assertThat(holding).extracting(AlertCondition::kind, AlertCondition::subject)
                .containsExactlyInAnyOrder(tuple(AlertKind.SOURCE_FAILED, "a"),
                        tuple(AlertKind.SOURCE_HELD, "b"));
        assertThat(holding.get(0).summary()).contains("binlog purged");
        List<SourceStatus> held = List.of(source("a", DesiredState.RUNNING, SourceState.FAILED, "held on a change"));
        assertThat(rules.check(held, Set.of("a"), Map.of(), List.of())).as("a new condition: its time starts again").isEmpty();
        clock.advance(Duration.ofSeconds(10));
        assertThat(rules.check(held, Set.of("a"), Map.of(), List.of())).extracting(AlertCondition::kind).as("a rule's hold waits for a"
                + " decision").containsExactly(AlertKind.SOURCE_HELD);
    }

    @Test
    void shouldRaiseFreshnessOnlyOnceItStayedOverTheThresholdForItsTime() {
        assertThat(check(List.of(streaming("a", sink("cache", 40_000L, 0))), Map.of(), List.of())).isEmpty();
        clock.advance(Duration.ofSeconds(90));
        assertThat(check(List.of(streaming("a", sink("cache", 41_000L, 0))), Map.of(), List.of())).isEmpty();
        clock.advance(Duration.ofSeconds(30));
        assertThat(check(List.of(streaming("a", sink("cache", 41_000L, 0))), Map.of(), List.of()))
                .extracting(AlertCondition::kind, AlertCondition::subject).containsExactly(tuple(AlertKind.FRESHNESS, "a/cache"));
        assertThat(check(List.of(streaming("a", sink("cache", 200L, 0))), Map.of(), List.of())).as("back under").isEmpty();
        clock.advance(Duration.ofSeconds(5));
        assertThat(check(List.of(streaming("a", sink("cache", 41_000L, 0))), Map.of(), List.of())).as("its time starts again").isEmpty();
    }

    @Test
    void shouldRaiseDeadLettersWhileTheyGrowAndResolveThemAfterAQuietTime() {
        assertThat(check(List.of(streaming("a", sink("cache", null, 0))), Map.of(), List.of())).isEmpty();
        List<AlertCondition> grown = check(List.of(streaming("a", sink("cache", null, 3))), Map.of(), List.of());
        assertThat(grown).extracting(AlertCondition::kind).containsExactly(AlertKind.DEAD_LETTERS);
        assertThat(grown.get(0).summary()).contains("3 new dead letter");
        clock.advance(Duration.ofMinutes(9));
        assertThat(check(List.of(streaming("a", sink("cache", null, 5))), Map.of(), List.of()).get(0).summary()).contains("5 new");
        clock.advance(Duration.ofMinutes(9));
        assertThat(check(List.of(streaming("a", sink("cache", null, 5))), Map.of(), List.of())).as("quiet for 9 minutes only").hasSize(1);
        clock.advance(Duration.ofMinutes(2));
        assertThat(check(List.of(streaming("a", sink("cache", null, 5))), Map.of(), List.of())).as("quiet for 11 minutes").isEmpty();
        assertThat(check(List.of(streaming("a", sink("cache", null, 1))), Map.of(), List.of()).get(0).summary())
                .as("a restarted worker counts from zero").contains("1 new");
    }

    @Test
    void shouldRaiseRuleFailuresAndAuditDrift() {
        Audit drifted = new Audit("orders", 5, 100, false, "admin", clock.instant(), clock.instant(), List.of(
                new Audit.Result("shop.orders", "cache", 100, 1, 2, 0, true, 0, null)));
        Audit clean = new Audit("users", 5, 100, false, "admin", clock.instant(), clock.instant(), List.of(
                new Audit.Result("shop.users", "cache", 100, 0, 0, 0, true, 0, null)));
        List<SourceStatus> statuses = List.of(source("a", DesiredState.RUNNING, SourceState.FAILED, "binlog purged"),
                source("b", DesiredState.RUNNING, SourceState.PAUSED, "schema waits for review"),
                source("c", DesiredState.PAUSED, SourceState.PAUSED, "paused by a person"));
        assertThat(check(statuses, Map.of(), List.of())).as("just now: it may be passing through").isEmpty();
        clock.advance(Duration.ofSeconds(10));
        List<AlertCondition> holding = check(List.of(), Map.of("a.shop.products/price-positive", new ContractCheck.Counts(10, 2)),
                List.of(drifted, clean));
        assertThat(holding).extracting(AlertCondition::kind, AlertCondition::subject).containsExactlyInAnyOrder(
                tuple(AlertKind.RULE_FAILURES, "a.shop.products/price-positive"),
                tuple(AlertKind.AUDIT_DRIFT, "orders"));
        assertThat(holding).anySatisfy(c -> assertThat(c.summary()).contains("found 3 document(s)"));
    }

    @Test
    void shouldRaiseAFailingSinkOnlyAfterItsTime() {
        SinkRunner.Status failing = new SinkRunner.Status("cache", false, clock.instant(), "connection refused", 3, 0, 0, null, null, null);
        assertThat(check(List.of(streaming("a", failing)), Map.of(), List.of())).isEmpty();
        clock.advance(Duration.ofMinutes(1));
        assertThat(check(List.of(streaming("a", failing)), Map.of(), List.of())).singleElement()
                .satisfies(c -> assertThat(c.summary()).contains("connection refused"));
    }

    private List<AlertCondition> check(List<SourceStatus> statuses, Map<String, ContractCheck.Counts> ruleTotals, List<Audit> audits) {
        return rules.check(statuses, Set.of(), ruleTotals, audits);
    }

    private static SourceStatus source(String name, DesiredState desired, SourceState state, String reason) {
        return SourceStatus.without(name, desired, state, reason, null, List.of("p"));
    }

    private static SourceStatus streaming(String name, SinkRunner.Status sink) {
        return new SourceStatus(name, DesiredState.RUNNING, SourceState.STREAMING, null, null, 0L, 0L, 1, 1, null, 0, null, List.of("p"),
                List.of(sink));
    }

    private static SinkRunner.Status sink(String name, Long p99, long deadLetters) {
        return new SinkRunner.Status(name, true, null, null, 0, deadLetters, 10, p99, p99, null);
    }
}
