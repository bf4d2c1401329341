package io.sluice.sink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FreshnessTest {

    @Test
    void shouldGivePercentilesOfTheLastSamplesOnly() {
        Freshness f = new Freshness();
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
}
