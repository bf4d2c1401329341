package io.sluice.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FreshnessTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-07T10:00:00Z"));

    @Test
    void shouldGivePercentilesOfTheLastSamplesOnly() {
        Freshness f = new Freshness(clock);
        assertThat(f.percentile(99)).isNull();
        for (int i = 1; i <= 100; i++) {
            f.record(i);
        }
        assertThat(f.percentile(50)).isEqualTo(50);
        assertThat(f.percentile(99)).isEqualTo(99);
        assertThat(f.percentile(100)).isEqualTo(100);
        for (int i = 0; i < Freshness.SAMPLES; i++) {
            f.record(7);
        }
        assertThat(f.percentile(99)).as("the first hundred fell out of the window").isEqualTo(7);
        f.record(-5);
        assertThat(f.percentile(0)).as("clocks apart count as 0").isZero();
    }

    @Test
    void shouldForgetSamplesOlderThanTheWindow() {
        Freshness f = new Freshness(clock);
        f.record(9_000);
        clock.advance(Freshness.WINDOW.minusSeconds(1));
        f.record(20);
        assertThat(f.percentile(99)).isEqualTo(9_000);
        clock.advance(Duration.ofSeconds(2));
        assertThat(f.percentile(99)).as("the slow change is older than the window").isEqualTo(20);
        clock.advance(Freshness.WINDOW);
        assertThat(f.percentile(99)).as("nothing written in the window").isNull();
    }
}
