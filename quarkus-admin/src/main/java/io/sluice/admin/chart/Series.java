package io.sluice.admin.chart;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Named series of sampled values, the last {@code capacity} points of each. A series not sampled for a whole
 * capacity's worth of samples is dropped (its source or sink is gone). Thread-safe.
 */
public final class Series {
    /**
     * One sample.
     *
     * @param value null where there was nothing to measure (no change written, so no freshness)
     */
    public record Point(Instant at, Double value) {
    }

    private final int capacity;
    private final Map<String, Deque<Point>> points = new HashMap<>();
    private final Map<String, Long> lastSampled = new HashMap<>();
    private long samples;

    Series(int capacity) {
        this.capacity = capacity;
    }

    /** Adds one point to each series named in {@code values}; call once per sampling round. */
    synchronized void sample(Instant at, Map<String, Double> values) {
        samples++;
        values.forEach((name, value) -> {
            Deque<Point> series = points.computeIfAbsent(name, k -> new ArrayDeque<>());
            series.addLast(new Point(at, value));
            if (series.size() > capacity) {
                series.removeFirst();
            }
            lastSampled.put(name, samples);
        });
        lastSampled.entrySet().removeIf(e -> {
            boolean gone = samples - e.getValue() >= capacity;
            if (gone) {
                points.remove(e.getKey());
            }
            return gone;
        });
    }

    /** A series' points, oldest first; empty when it was never sampled. */
    synchronized List<Point> of(String name) {
        Deque<Point> series = points.get(name);
        return series == null ? List.of() : List.copyOf(series);
    }
}
