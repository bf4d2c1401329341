package io.sluice.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class RateMeterTest {

    /** A clock that tests move by hand. */
    static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

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
