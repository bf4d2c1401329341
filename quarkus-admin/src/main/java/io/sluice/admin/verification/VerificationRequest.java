package io.sluice.admin.verification;

import io.sluice.admin.error.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A request to compare a table with one sink: {@code POST /api/v1/verifications}.
 *
 * @param pipeline the pipeline that writes the table to the sink; required
 * @param table {@code database.table}; required
 * @param sink the sink to compare; null when the pipeline has exactly one
 * @param where a SQL condition on the table's columns, or null for all rows
 * @param repair re-send the missing and stale rows and delete the extra ones (null: false)
 */
public record VerificationRequest(String pipeline, String table, String sink, String where, Boolean repair) {
    private static final Pattern TABLE = Pattern.compile("[A-Za-z0-9_$]+\\.[A-Za-z0-9_$]+");

    /** Problems of the fields themselves, each naming the field, all at once. */
    List<Problem> problems() {
        List<Problem> out = new ArrayList<>();
        if (pipeline == null || pipeline.isBlank()) {
            out.add(new Problem("pipeline", "is missing: name the pipeline that writes the table to the sink"));
        }
        if (table == null || !TABLE.matcher(table).matches()) {
            out.add(new Problem("table", "must be database.table of letters, digits, '_' and '$'"
                    + (table == null ? " (it is missing)" : ", not '" + table + "'")));
        }
        if (where != null && where.contains(";")) {
            out.add(new Problem("where", "is one SQL condition without ';', for example: created_at >= '2026-01-01'"));
        }
        return out;
    }

    boolean repairOrDefault() {
        return repair != null && repair;
    }
}
