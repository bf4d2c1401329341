package io.sluice.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testkit.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateMeterTest {

    @Test
    void shouldAverageOverTheLastTenSecondsAndForgetOlderCounts() {
        ManualClock clock = new ManualClock();
        RateMeter meter = new RateMeter(clock);
        for (int s = 0; s < 10; s++) {
            meter.record(100);
            clock.advance(Duration.ofSeconds(1));
        }
        clock.advance(Duration.ofMillis(-1));
        assertThat(meter.perSecond()).isEqualTo(100.0);
        clock.advance(Duration.ofSeconds(5));
        assertThat(meter.perSecond()).isEqualTo(50.0);
        clock.advance(Duration.ofSeconds(30));
        assertThat(meter.perSecond()).isZero();
    }
}
