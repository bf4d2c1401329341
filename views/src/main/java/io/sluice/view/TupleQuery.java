package io.sluice.view;

import io.sluice.backfill.ChunkReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A query for the rows whose columns equal one of many tuples ({@code (a, b) IN ((?, ?), (?, ?), ...)}), run a few
 * hundred tuples at a time so that a statement stays small. Stateless and thread-safe.
 */
final class TupleQuery {
    /** Tuples bound in one statement. */
    static final int PER_STATEMENT = 500;

    /** Takes each row a query returns, as {@link ChunkReader#rows} reads it. */
    @FunctionalInterface
    interface Rows {
        void take(List<Map<String, Object>> rows) throws SQLException;
    }

    private TupleQuery() {
    }

    /**
     * Runs {@code select + "(?, ...), (?, ...)" + tail} for every part of the tuples.
     *
     * @param select the statement up to its {@code IN (}
     * @param tail what follows the tuples, starting with the closing parenthesis
     */
    static void run(Connection c, String select, String tail, List<List<Object>> tuples, Rows rows) throws SQLException {
        if (tuples.isEmpty()) {
            return;
        }
        String tuple = "(" + String.join(", ", Collections.nCopies(tuples.get(0).size(), "?")) + ")";
        for (int from = 0; from < tuples.size(); from += PER_STATEMENT) {
            List<List<Object>> part = tuples.subList(from, Math.min(tuples.size(), from + PER_STATEMENT));
            try (PreparedStatement ps = c.prepareStatement(select + String.join(", ", Collections.nCopies(part.size(), tuple)) + tail)) {
                int p = 1;
                for (List<Object> t : part) {
                    for (Object v : t) {
                        ps.setObject(p++, v);
                    }
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rows.take(ChunkReader.rows(rs));
                }
            }
        }
    }

    /** A table's quoted name. */
    static String table(ViewNode n) {
        return ChunkReader.quote(n.table().database()) + "." + ChunkReader.quote(n.table().table());
    }

    /** Quoted column names, each with an alias prefix when one is given. */
    static String columns(String alias, List<String> columns) {
        List<String> out = new ArrayList<>(columns.size());
        columns.forEach(c -> out.add((alias == null ? "" : alias + ".") + ChunkReader.quote(c)));
        return String.join(", ", out);
    }
}
