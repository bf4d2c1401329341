package io.sluice.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The statistics the benchmarks quote. */
final class Figures {
    private Figures() {
    }

    /** The median of rounds after the first (the JIT warms up during the first); the only value if there is one. */
    static double medianAfterWarmUp(List<Double> rounds) {
        List<Double> sorted = new ArrayList<>(rounds.subList(Math.min(1, rounds.size() - 1), rounds.size()));
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The p-th percentile (nearest rank) of samples; NaN when there are none. */
    static double percentile(List<Double> values, double p) {
        if (values == null || values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
