package io.sluice.capture;

import java.time.Clock;

/**
 * Events per second over a sliding window of whole seconds, read from an injected clock.
 * Thread-safe: one writer and any number of readers.
 */
final class RateMeter {
    private static final int WINDOW_SECONDS = 10;

    private final Clock clock;
    private final long[] counts = new long[WINDOW_SECONDS];
    private final long[] seconds = new long[WINDOW_SECONDS];

    RateMeter(Clock clock) {
        this.clock = clock;
    }

    synchronized void record(long events) {
        long now = clock.millis() / 1000;
        int slot = (int) (now % WINDOW_SECONDS);
        if (seconds[slot] != now) {
            seconds[slot] = now;
            counts[slot] = 0;
        }
        counts[slot] += events;
    }

    /** The mean rate over the last {@value #WINDOW_SECONDS} complete and current seconds. */
    synchronized double perSecond() {
        long now = clock.millis() / 1000;
        long sum = 0;
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            if (now - seconds[i] < WINDOW_SECONDS) {
                sum += counts[i];
            }
        }
        return sum / (double) WINDOW_SECONDS;
    }
}
