package io.sluice.admin.backfill;

import io.sluice.admin.error.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A request to backfill: {@code POST /api/v1/backfills}.
 *
 * @param pipeline the pipeline whose tables and sinks are meant; required
 * @param tables {@code database.table} names; null or empty for every table the pipeline takes
 * @param sink one sink of the pipeline to fill (the others get nothing); null for all of them
 * @param where a SQL condition on the tables' columns, checked by the source before the first row; null for all rows
 * @param chunkSize rows per chunk, {@value #MIN_CHUNK} to {@value #MAX_CHUNK}; null for {@value #DEFAULT_CHUNK}
 * @param rowsPerSecond a rate limit in rows read per second; null or 0 for none
 * @param reindex fill a new index of the (OpenSearch) {@code sink} instead, and swap it in behind the old name once
 *     it caught up; null for false
 */
public record BackfillRequest(String pipeline, List<String> tables, String sink, String where, Integer chunkSize, Integer rowsPerSecond,
        Boolean reindex) {
    public static final int DEFAULT_CHUNK = 2048;
    public static final int MIN_CHUNK = 1;
    public static final int MAX_CHUNK = 100_000;
    private static final Pattern TABLE = Pattern.compile("[A-Za-z0-9_$]+\\.[A-Za-z0-9_$]+");

    /** Problems of the fields themselves, each naming the field, all at once. */
    List<Problem> problems() {
        List<Problem> out = new ArrayList<>();
        if (pipeline == null || pipeline.isBlank()) {
            out.add(new Problem("pipeline", "is missing: name the pipeline whose targets to fill (GET /api/v1/pipelines lists them)"));
        }
        if (tables != null) {
            for (String t : tables) {
                if (t == null || !TABLE.matcher(t).matches()) {
                    out.add(new Problem("tables", "entries are database.table of letters, digits, '_' and '$', not '" + t + "'"));
                }
            }
        }
        if (chunkSize != null && (chunkSize < MIN_CHUNK || chunkSize > MAX_CHUNK)) {
            out.add(new Problem("chunkSize", "must be " + MIN_CHUNK + " to " + MAX_CHUNK + " rows, not " + chunkSize));
        }
        if (rowsPerSecond != null && rowsPerSecond < 0) {
            out.add(new Problem("rowsPerSecond", "must be 0 (no limit) or more, not " + rowsPerSecond));
        }
        if (reindexOrDefault() && (sink == null || sink.isBlank())) {
            out.add(new Problem("sink", "is missing: a reindex rebuilds the index of one OpenSearch sink; name it"));
        }
        if (reindexOrDefault() && where != null && !where.isBlank()) {
            out.add(new Problem("where", "cannot be used with reindex: the new index replaces the old one and must hold every row"));
        }
        if (where != null && where.contains(";")) {
            out.add(new Problem("where", "is one SQL condition without ';', for example: created_at >= '2026-01-01'"));
        }
        return out;
    }

    public boolean reindexOrDefault() {
        return reindex != null && reindex;
    }

    int chunkSizeOrDefault() {
        return chunkSize == null ? DEFAULT_CHUNK : chunkSize;
    }

    int rowsPerSecondOrDefault() {
        return rowsPerSecond == null ? 0 : rowsPerSecond;
    }
}
