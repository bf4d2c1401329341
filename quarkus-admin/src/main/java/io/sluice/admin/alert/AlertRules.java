package io.sluice.admin.alert;

import io.sluice.admin.source.DesiredState;
import io.sluice.admin.source.SourceState;
import io.sluice.admin.source.SourceStatus;
import io.sluice.admin.verification.Audit;
import io.sluice.contract.ContractCheck;
import io.sluice.sink.SinkRunner;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The alert rules: from what the server sees at one check, the conditions that hold now. Rules that need a condition
 * to last (freshness, a failing sink) or to stop (dead letters, rule failures that no longer grow) remember what
 * they saw at earlier checks, so one instance serves one server for its whole life.
 *
 * <p>Not thread-safe: checks run on one thread.
 */
final class AlertRules {

    /**
     * The thresholds, from {@code sluice.alerts.*}.
     *
     * @param sourceFor how long a source must stay failed or held before the alert fires
     * @param freshnessThreshold freshness p99 above which a sink is slow
     * @param freshnessFor how long it must stay above before the alert fires
     * @param sinkFailingFor how long a sink must fail before the alert fires
     * @param quietFor how long without a new dead letter or rule failure before those alerts resolve
     */
    record Settings(Duration sourceFor, Duration freshnessThreshold, Duration freshnessFor, Duration sinkFailingFor, Duration quietFor) {
    }

    /** Growth of a running total (dead letters, failures), and when it last grew. */
    private static final class Growth {
        long total;
        long sinceFirst;
        Instant lastGrew;
    }

    private final Settings settings;
    private final Clock clock;
    private final Map<String, Instant> slowSince = new HashMap<>();
    private final Map<String, Growth> deadLetters = new HashMap<>();
    private final Map<String, Growth> ruleFailures = new HashMap<>();
    private final Map<String, Instant> troubledSince = new HashMap<>();

    AlertRules(Settings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The conditions that hold now.
     *
     * @param statuses every source's status
     * @param heldByRules the sources an {@code ERROR} rule holds (they show as failed, but wait for a decision)
     * @param ruleTotals every rule's running totals, by {@code <source>.<database>.<table>/<rule>}
     * @param audits every audit with its last results
     */
    List<AlertCondition> check(Collection<SourceStatus> statuses, Set<String> heldByRules, Map<String, ContractCheck.Counts> ruleTotals, Collection<Audit> audits) {
        Instant now = clock.instant();
        List<AlertCondition> holding = new ArrayList<>();
        Map<String, Long> deadLetterTotals = new HashMap<>();
        Map<String, String> sinkFailures = new HashMap<>();
        Map<String, Instant> sinkFailingSince = new HashMap<>();
        Map<String, Long> slowNow = new HashMap<>();
        Set<String> troubled = new HashSet<>();
        for (SourceStatus s : statuses) {
            sourceCondition(s, heldByRules).ifPresent(condition -> {
                // A source released from a hold, or restarted by a person, passes through these states for a moment.
                troubled.add(condition.key());
                if (!troubledSince.computeIfAbsent(condition.key(), k -> now).plus(settings.sourceFor()).isAfter(now)) {
                    holding.add(condition);
                }
            });
            for (SinkRunner.Status sink : s.sinks()) {
                deadLetterTotals.merge(sink.sink(), sink.deadLetters(), Long::sum);
                if (!sink.healthy() && sink.failingSince() != null) {
                    sinkFailures.put(sink.sink(), sink.lastError());
                    sinkFailingSince.merge(sink.sink(), sink.failingSince(), (a, b) -> a.isBefore(b) ? a : b);
                }
                if (sink.freshnessP99Ms() != null && sink.freshnessP99Ms() > settings.freshnessThreshold().toMillis()) {
                    slowNow.put(s.source() + "/" + sink.sink(), sink.freshnessP99Ms());
                }
            }
        }
        troubledSince.keySet().retainAll(troubled);
        sinkFailingSince.forEach((sink, since) -> {
            if (!since.plus(settings.sinkFailingFor()).isAfter(now)) {
                holding.add(new AlertCondition(AlertKind.SINK_FAILING, sink, "Sink '" + sink + "' has been failing since " + since
                        + ", holding the sources that write to it: " + sinkFailures.get(sink) + " Make its target reachable; capture"
                        + " resumes by itself and nothing is lost."));
            }
        });
        slowSince.keySet().retainAll(slowNow.keySet());
        slowNow.forEach((subject, p99) -> {
            Instant since = slowSince.computeIfAbsent(subject, k -> now);
            if (!since.plus(settings.freshnessFor()).isAfter(now)) {
                holding.add(new AlertCondition(AlertKind.FRESHNESS, subject, "Changes of source '" + subject.substring(0, subject.indexOf('/'))
                        + "' take " + p99 + " ms (p99 over the last minute) to reach sink '" + subject.substring(subject.indexOf('/') + 1)
                        + "', over the threshold of " + settings.freshnessThreshold().toMillis() + " ms since " + since + "."));
            }
        });
        grown(deadLetters, deadLetterTotals, now).forEach((sink, count) -> holding.add(new AlertCondition(AlertKind.DEAD_LETTERS, sink,
                "Sink '" + sink + "' has " + count + " new dead letter(s) since this alert began; its dead-letter page shows why and"
                        + " replays them once fixed.")));
        Map<String, Long> failures = new HashMap<>();
        ruleTotals.forEach((rule, counts) -> failures.put(rule, counts.failed()));
        grown(ruleFailures, failures, now).forEach((rule, count) -> holding.add(new AlertCondition(AlertKind.RULE_FAILURES, rule,
                count + " change(s) failed rule '" + rule.substring(rule.indexOf('/') + 1) + "' of table '" + rule.substring(0,
                        rule.indexOf('/')) + "' since this alert began; the table's rules page shows the last failures.")));
        for (Audit audit : audits) {
            long drift = audit.lastResults().stream().mapToLong(Audit.Result::drift).sum();
            if (drift > 0) {
                long repaired = audit.lastResults().stream().mapToLong(Audit.Result::repaired).sum();
                holding.add(new AlertCondition(AlertKind.AUDIT_DRIFT, audit.pipeline(), "The last audit of pipeline '" + audit.pipeline()
                        + "' (" + audit.lastRunAt() + ") found " + drift + " document(s) that differ from the source"
                        + (audit.repair() ? ", and repaired " + repaired + "." : "; run a verify with repair to mend them.")));
            }
        }
        return holding;
    }

    /** What a source in need of a person is waiting for, if it is. */
    private static Optional<AlertCondition> sourceCondition(SourceStatus s, Set<String> heldByRules) {
        if (s.state() == SourceState.FAILED && heldByRules.contains(s.source())) {
            return Optional.of(new AlertCondition(AlertKind.SOURCE_HELD, s.source(), "Source '" + s.source() + "' is held by a quality"
                    + " rule: " + s.reason() + " Nothing is lost; the rules page sends the change to the dead letters, or fix the rule"
                    + " and start the source."));
        } else if (s.state() == SourceState.FAILED) {
            return Optional.of(new AlertCondition(AlertKind.SOURCE_FAILED, s.source(), "Source '" + s.source() + "' failed: " + s.reason()
                    + (s.fix() == null ? "" : " Fix: " + s.fix())));
        } else if (s.state() == SourceState.PAUSED && s.desired() == DesiredState.RUNNING) {
            return Optional.of(new AlertCondition(AlertKind.SOURCE_HELD, s.source(), "Source '" + s.source() + "' is held: " + s.reason()
                    + " Nothing is lost; capture goes on once someone decides."));
        }
        return Optional.empty();
    }

    /**
     * Which totals grew within {@link Settings#quietFor()}, with how much they grew since they began to.
     * Totals count from zero when a worker starts, so a total seen for the first time grew from zero, and a total
     * lower than before means its counter started again: the new total is growth.
     */
    private Map<String, Long> grown(Map<String, Growth> seen, Map<String, Long> totals, Instant now) {
        Map<String, Long> growing = new HashMap<>();
        totals.keySet().forEach(key -> seen.computeIfAbsent(key, k -> new Growth()));
        seen.forEach((key, g) -> {
            // A total absent now (its source stopped) has not grown; it counts again from zero when it is back.
            Long total = totals.get(key);
            long grew = total == null ? 0 : total < g.total ? total : total - g.total;
            g.total = total == null ? g.total : total;
            boolean quiet = g.lastGrew == null || !g.lastGrew.plus(settings.quietFor()).isAfter(now);
            if (grew > 0) {
                g.sinceFirst = quiet ? grew : g.sinceFirst + grew;
                g.lastGrew = now;
            } else if (quiet) {
                g.sinceFirst = 0;
            }
            if (g.sinceFirst > 0) {
                growing.put(key, g.sinceFirst);
            }
        });
        return growing;
    }
}
