package io.sluice.admin.chart;

import com.fasterxml.jackson.annotation.JsonValue;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sluice.admin.job.Schedulers;
import io.sluice.admin.source.SourceMonitor;
import io.sluice.admin.source.SourceStatus;
import io.sluice.sink.SinkRunner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The last hour of what the UI charts, sampled every {@link #EVERY} from the monitor's statuses and kept in memory (no
 * external service; a restarted server starts an empty hour): per source its events per second, capture lag, freshness
 * p99 (its slowest sink's) and new dead letters; per sink the changes it wrote per second, its freshness p99 (the slowest source's) and new dead
 * letters; and the same over the whole server.
 *
 * <p>Thread-safe: sampling runs on a thread of its own; reads may come from any thread.
 */
@ApplicationScoped
public class Charts {
    private static final Logger LOG = Logger.getLogger(Charts.class);
    /** The time between two points. */
    public static final Duration EVERY = Duration.ofSeconds(10);
    private static final int POINTS = (int) (Duration.ofHours(1).toSeconds() / EVERY.toSeconds());

    /** What a chart shows; each has its unit. */
    public enum Measure {
        EVENTS_PER_SECOND("events/s"), WRITTEN_PER_SECOND("changes/s"), FRESHNESS_P99("ms"), LAG("ms"), DEAD_LETTERS("new dead letters");

        private final String unit;

        Measure(String unit) {
            this.unit = unit;
        }

        /** The lower-case name the API uses, {@code events-per-second}. */
        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** The unit of its values. */
        public String unit() {
            return unit;
        }
    }

    @Inject
    SourceMonitor monitor;

    @Inject
    Clock clock;

    private final Series series = new Series(POINTS);
    /** The running totals at the last sample, by {@code <source>/<sink>}: they give the counts per interval. */
    private final Map<String, long[]> totals = new HashMap<>();
    private ScheduledExecutorService sampler;

    void start(@Observes StartupEvent event) {
        sampler = Schedulers.daemon("sluice-charts", 1);
        sampler.scheduleWithFixedDelay(this::sample, EVERY.toSeconds(), EVERY.toSeconds(), TimeUnit.SECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (sampler != null) {
            sampler.shutdownNow();
        }
    }

    /**
     * A chart's points over the last hour, oldest first.
     *
     * @param scope {@code overview}, {@code source:<name>} or {@code sink:<name>}
     */
    public List<Series.Point> of(String scope, Measure measure) {
        return series.of(scope + "/" + measure.name());
    }

    /** Takes one sample of every status; package-private so that a test can sample without waiting. */
    void sample() {
        try {
            sample(monitor.snapshot().values());
        } catch (RuntimeException e) {
            LOG.warnf("chart sample failed: %s", e.toString());
        }
    }

    synchronized void sample(Iterable<SourceStatus> statuses) {
        Map<String, Double> values = new HashMap<>();
        double seconds = EVERY.toSeconds();
        Map<String, long[]> seen = new HashMap<>();
        double allEvents = 0;
        Double allLag = null;
        for (SourceStatus s : statuses) {
            String source = "source:" + s.source() + "/";
            values.put(source + Measure.EVENTS_PER_SECOND, s.eventsPerSecond());
            values.put(source + Measure.LAG, s.lagMs() == null ? null : s.lagMs().doubleValue());
            values.put(source + Measure.FRESHNESS_P99, null);
            allEvents += s.eventsPerSecond();
            allLag = max(allLag, s.lagMs() == null ? null : s.lagMs().doubleValue());
            double sourceDead = 0;
            for (SinkRunner.Status k : s.sinks()) {
                String runner = s.source() + "/" + k.sink();
                long[] before = totals.get(runner);
                long[] now = {k.written(), k.deadLetters()};
                seen.put(runner, now);
                double written = before == null || now[0] < before[0] ? now[0] : now[0] - before[0];
                double dead = before == null || now[1] < before[1] ? now[1] : now[1] - before[1];
                sourceDead += dead;
                String sink = "sink:" + k.sink() + "/";
                values.merge(sink + Measure.WRITTEN_PER_SECOND, written / seconds, Double::sum);
                values.merge(sink + Measure.DEAD_LETTERS, dead, Double::sum);
                Double p99 = k.freshnessP99Ms() == null ? null : k.freshnessP99Ms().doubleValue();
                values.put(sink + Measure.FRESHNESS_P99, max(values.get(sink + Measure.FRESHNESS_P99), p99));
                values.put(source + Measure.FRESHNESS_P99, max(values.get(source + Measure.FRESHNESS_P99), p99));
                values.put("overview/" + Measure.FRESHNESS_P99, max(values.get("overview/" + Measure.FRESHNESS_P99), p99));
            }
            values.put(source + Measure.DEAD_LETTERS, sourceDead);
            values.merge("overview/" + Measure.DEAD_LETTERS, sourceDead, Double::sum);
        }
        values.put("overview/" + Measure.EVENTS_PER_SECOND, allEvents);
        values.put("overview/" + Measure.LAG, allLag);
        values.putIfAbsent("overview/" + Measure.DEAD_LETTERS, 0.0);
        values.putIfAbsent("overview/" + Measure.FRESHNESS_P99, null);
        totals.clear();
        totals.putAll(seen);
        series.sample(clock.instant(), values);
    }

    /** The larger of two values, either of which may be missing. */
    private static Double max(Double a, Double b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return Math.max(a, b);
    }
}
