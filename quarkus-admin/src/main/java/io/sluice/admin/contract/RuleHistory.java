package io.sluice.admin.contract;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sluice.admin.job.Schedulers;
import io.sluice.admin.runtime.PipelineRuntime;
import io.sluice.admin.source.SourceMonitor;
import io.sluice.contract.ContractCheck;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The last hour of every rule's evaluations and failures, in intervals of {@link #EVERY}, kept in memory for the rule
 * pages' charts (a restarted server starts an empty hour).
 */
@ApplicationScoped
public class RuleHistory {
    /** The length of one interval. */
    public static final Duration EVERY = Duration.ofSeconds(10);
    private static final int POINTS = (int) (Duration.ofHours(1).toSeconds() / EVERY.toSeconds());

    @Inject
    PipelineRuntime runtime;

    @Inject
    SourceMonitor monitor;

    @Inject
    Clock clock;

    private final RuleSeries series = new RuleSeries(POINTS);
    private ScheduledExecutorService sampler;

    void start(@Observes StartupEvent event) {
        sampler = Schedulers.daemon("sluice-rule-history", 1);
        sampler.scheduleWithFixedDelay(this::sample, EVERY.toSeconds(), EVERY.toSeconds(), TimeUnit.SECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (sampler != null) {
            sampler.shutdownNow();
        }
    }

    private void sample() {
        Map<String, ContractCheck.Counts> totals = new HashMap<>();
        for (String source : monitor.snapshot().keySet()) {
            totals.putAll(runtime.ruleCounts(source));
        }
        series.sample(clock.instant(), totals);
    }

    /**
     * A rule's intervals over the last hour, oldest first.
     *
     * @param key {@code "<source>.<database>.<table>/<rule>"}
     */
    List<RuleSeries.Point> of(String key) {
        return series.of(key);
    }
}
