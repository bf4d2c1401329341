package io.sluice.sink;

import java.util.Arrays;

/**
 * How long changes took from their commit in the source to their acknowledgement by a target: the last
 * {@value #SAMPLES} changes written, and their percentiles. The commit times are the binlog's (whole seconds on
 * MariaDB and on MySQL without {@code original_commit_timestamp}), so a sample can read up to a second more than it
 * was.
 *
 * <p>Thread-safe.
 */
public final class Freshness {
    static final int SAMPLES = 1024;

    private final long[] samples = new long[SAMPLES];
    private long count;

    /** Adds one change's commit-to-acknowledgement time, in ms (negative values, from clocks apart, count as 0). */
    public synchronized void record(long ms) {
        samples[(int) (count++ % SAMPLES)] = Math.max(0, ms);
    }

    /**
     * A percentile of the samples held.
     *
     * @param p 0 to 100
     * @return null when nothing was recorded yet
     */
    public synchronized Long percentile(double p) {
        int n = (int) Math.min(count, SAMPLES);
        if (n == 0) {
            return null;
        }
        long[] sorted = Arrays.copyOf(samples, n);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * n) - 1;
        return sorted[Math.max(0, Math.min(n - 1, rank))];
    }
}
