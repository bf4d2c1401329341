package io.sluice.sink;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * How long changes took from their commit in the source to their acknowledgement by a target: the changes written in
 * the last {@link #WINDOW} (at most the last {@value #SAMPLES}), and their percentiles. A window in time rather than
 * only the last changes, so that a slow minute long past does not stay in the figures (and in alerts on them) while
 * nothing is written. The commit times are the binlog's (whole seconds on MariaDB and on MySQL without
 * {@code original_commit_timestamp}), so a sample can read up to a second more than it was.
 *
 * <p>Thread-safe.
 */
public final class Freshness {
    static final int SAMPLES = 1024;
    /** How far back the percentiles look. */
    public static final Duration WINDOW = Duration.ofMinutes(1);

    private final Clock clock;
    private final long[] samples = new long[SAMPLES];
    private final long[] times = new long[SAMPLES];
    private long count;

    public Freshness(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Adds one change's commit-to-acknowledgement time, in ms (negative values, from clocks apart, count as 0). */
    public synchronized void record(long ms) {
        int at = (int) (count++ % SAMPLES);
        samples[at] = Math.max(0, ms);
        times[at] = clock.millis();
    }

    /**
     * A percentile of the samples of the last {@link #WINDOW}.
     *
     * @param p 0 to 100
     * @return null when nothing was recorded in the window
     */
    public synchronized Long percentile(double p) {
        long since = clock.millis() - WINDOW.toMillis();
        int held = (int) Math.min(count, SAMPLES);
        long[] recent = new long[held];
        int n = 0;
        for (int i = 0; i < held; i++) {
            if (times[i] >= since) {
                recent[n++] = samples[i];
            }
        }
        if (n == 0) {
            return null;
        }
        long[] sorted = Arrays.copyOf(recent, n);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * n) - 1;
        return sorted[Math.max(0, Math.min(n - 1, rank))];
    }
}
