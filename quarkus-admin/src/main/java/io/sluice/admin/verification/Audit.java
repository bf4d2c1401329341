package io.sluice.admin.verification;

import java.time.Instant;
import java.util.List;

/**
 * A pipeline's continuous audit: every {@code intervalMinutes}, the next {@code sampleRows} rows of each of its tables
 * (a rolling range of the key space, starting over at the table's end) are compared with each of its sinks, and
 * repaired when {@code repair} is set.
 *
 * @param lastResults the last run's comparisons, one per table and sink; empty before the first run
 */
public record Audit(String pipeline, int intervalMinutes, int sampleRows, boolean repair, String createdBy, Instant nextRunAt, Instant lastRunAt,
        List<Result> lastResults) {

    /**
     * One table against one sink in a run.
     *
     * @param rowsChecked rows of the range compared
     * @param extraChecked whether the range reached the table's end, where the sink's ids the table lacks are looked for
     * @param error why the comparison could not be made, or null
     */
    public record Result(String table, String sink, long rowsChecked, long missing, long stale, long extra, boolean extraChecked, long repaired,
            String error) {
        /** Documents that differ from the table. */
        public long drift() {
            return missing + stale + extra;
        }
    }
}
