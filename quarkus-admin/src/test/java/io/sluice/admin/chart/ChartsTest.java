package io.sluice.admin.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.admin.source.DesiredState;
import io.sluice.admin.source.SourceState;
import io.sluice.admin.source.SourceStatus;
import io.sluice.sink.SinkRunner;
import io.sluice.testkit.ManualClock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChartsTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-07T10:00:00Z"));

    @Test
    void shouldChartRatesPerIntervalTheSlowestFreshnessAndNewDeadLettersPerScope() {
        Charts charts = new Charts();
        charts.clock = clock;
        charts.sample(List.of(source("shop", 12.0, 1_000L, sink("cache", 100, 0, 40L), sink("index", 100, 1, 90L)),
                source("crm", 3.0, null, sink("cache", 10, 0, 300L))));
        clock.advance(Charts.EVERY);
        charts.sample(List.of(source("shop", 20.0, 2_000L, sink("cache", 150, 2, 50L), sink("index", 160, 1, null)),
                source("crm", 0.0, null, sink("cache", 4, 0, null))));

        assertThat(values(charts, "overview", Charts.Measure.EVENTS_PER_SECOND)).containsExactly(15.0, 20.0);
        assertThat(values(charts, "overview", Charts.Measure.FRESHNESS_P99)).containsExactly(300.0, 50.0);
        assertThat(values(charts, "overview", Charts.Measure.LAG)).containsExactly(1_000.0, 2_000.0);
        assertThat(values(charts, "overview", Charts.Measure.DEAD_LETTERS)).as("new ones per interval").containsExactly(1.0, 2.0);
        assertThat(values(charts, "sink:cache", Charts.Measure.WRITTEN_PER_SECOND))
                .as("100 + 10 in the first interval; then 50 more from shop, and crm's worker started again with 4").containsExactly(11.0, 5.4);
        assertThat(values(charts, "sink:index", Charts.Measure.FRESHNESS_P99)).as("nothing written in the last minute").containsExactly(90.0, null);
        assertThat(values(charts, "source:shop", Charts.Measure.FRESHNESS_P99)).as("its slowest sink").containsExactly(90.0, 50.0);
        assertThat(values(charts, "source:crm", Charts.Measure.LAG)).containsExactly(null, null);
        assertThat(charts.of("source:gone", Charts.Measure.LAG)).isEmpty();
        assertThat(charts.of("overview", Charts.Measure.LAG).get(1).at()).isEqualTo(clock.instant());
    }

    private static List<Double> values(Charts charts, String scope, Charts.Measure measure) {
        return charts.of(scope, measure).stream().map(Series.Point::value).toList();
    }

    private static SourceStatus source(String name, double eventsPerSecond, Long lagMs, SinkRunner.Status... sinks) {
        return new SourceStatus(name, DesiredState.RUNNING, SourceState.STREAMING, null, null, lagMs, 0L, eventsPerSecond, 0, null, 0, null,
                List.of("p"), List.of(sinks));
    }

    private static SinkRunner.Status sink(String name, long written, long deadLetters, Long p99) {
        return new SinkRunner.Status(name, true, null, null, 0, deadLetters, written, p99, p99, null);
    }
}
