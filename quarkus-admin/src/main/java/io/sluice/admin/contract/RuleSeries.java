package io.sluice.admin.contract;

import io.sluice.contract.ContractCheck;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How often each rule ran and failed per interval, from samples of the running totals: the last {@code capacity}
 * intervals per rule. A total lower than the one before means the source's worker started again (its counts start
 * from zero), so the interval counts the new total. Thread-safe.
 */
final class RuleSeries {
    /** One interval: what ran and failed between the sample before and {@code at}. */
    record Point(Instant at, long evaluated, long failed) {
    }

    private final int capacity;
    private final Map<String, ContractCheck.Counts> last = new HashMap<>();
    private final Map<String, Deque<Point>> points = new HashMap<>();

    RuleSeries(int capacity) {
        this.capacity = capacity;
    }

    /**
     * Takes one sample of the totals.
     *
     * @param totals by {@code "<source>.<database>.<table>/<rule>"}
     */
    synchronized void sample(Instant at, Map<String, ContractCheck.Counts> totals) {
        totals.forEach((key, now) -> {
            ContractCheck.Counts before = last.put(key, now);
            long evaluated = before == null || now.evaluated() < before.evaluated() ? now.evaluated() : now.evaluated() - before.evaluated();
            long failed = before == null || now.failed() < before.failed() ? now.failed() : now.failed() - before.failed();
            Deque<Point> series = points.computeIfAbsent(key, k -> new ArrayDeque<>());
            series.addLast(new Point(at, evaluated, failed));
            if (series.size() > capacity) {
                series.removeFirst();
            }
        });
    }

    /** A rule's intervals, oldest first; empty before its first sample. */
    synchronized List<Point> of(String key) {
        Deque<Point> series = points.get(key);
        return series == null ? List.of() : List.copyOf(series);
    }
}
