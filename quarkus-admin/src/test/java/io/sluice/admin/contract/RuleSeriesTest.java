package io.sluice.admin.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.contract.ContractCheck.Counts;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuleSeriesTest {
    private static final String RULE = "shop.db.products/positivePrice";
    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    @Test
    void shouldCountWhatRanBetweenTwoSamples() {
        RuleSeries series = new RuleSeries(10);
        series.sample(T0, Map.of(RULE, new Counts(100, 3)));
        series.sample(T0.plusSeconds(10), Map.of(RULE, new Counts(250, 5)));

        assertThat(series.of(RULE)).containsExactly(new RuleSeries.Point(T0, 100, 3), new RuleSeries.Point(T0.plusSeconds(10), 150, 2));
    }

    @Test
    void shouldTakeALowerTotalAsAWorkerThatStartedAgain() {
        RuleSeries series = new RuleSeries(10);
        series.sample(T0, Map.of(RULE, new Counts(500, 20)));
        series.sample(T0.plusSeconds(10), Map.of(RULE, new Counts(40, 1)));

        assertThat(series.of(RULE).get(1)).isEqualTo(new RuleSeries.Point(T0.plusSeconds(10), 40, 1));
    }

    @Test
    void shouldKeepOnlyTheLastIntervals() {
        RuleSeries series = new RuleSeries(3);
        for (int i = 1; i <= 5; i++) {
            series.sample(T0.plusSeconds(10L * i), Map.of(RULE, new Counts(i * 10L, 0)));
        }

        assertThat(series.of(RULE)).extracting(RuleSeries.Point::at).containsExactly(T0.plusSeconds(30), T0.plusSeconds(40), T0.plusSeconds(50));
        assertThat(series.of("other/rule")).isEmpty();
    }
}
