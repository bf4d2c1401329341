package io.sluice.sink;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter for retriable sink failures: attempt n waits a random time between half
 * and all of {@code min(max, initial * 2^(n-1))}.
 *
 * @param initial the first backoff
 * @param max the longest backoff
 */
public record RetryPolicy(Duration initial, Duration max) {
    public RetryPolicy {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
        }
    }

    /**
     * 100 ms doubling up to 4 s (with jitter, 2 to 4 s between attempts once a target has been down for a while):
     * a recovered target is written to again within 4 s, and a down one sees one attempt every few seconds.
     */
    public static RetryPolicy defaults() {
        return new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(4));
    }

    /** The wait before attempt {@code attempt} (2 for the first retry). */
    public Duration backoff(int attempt, RandomGenerator random) {
        long cap = max.toMillis();
        long base = Math.min(cap, initial.toMillis() << Math.min(30, Math.max(0, attempt - 2)));
        return Duration.ofMillis(base / 2 + random.nextLong(base / 2 + 1));
    }
}
