package io.sluice.backfill;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a table in primary-key order, one chunk at a time, without locks: each chunk is one keyset query
 * ({@code WHERE (k1, k2) > (?, ?) ORDER BY k1, k2 LIMIT n}), so memory stays flat whatever the table's size, and
 * a reader can resume after any chunk from the last key it returned. The read stops at the largest key the table
 * held when the reader was first opened ({@link #upTo()}): rows inserted later reach the targets through the
 * binlog, and a reader chasing them would never end on a busy table. This is the read half of a DBLog backfill;
 * which rows of a chunk are kept is decided by the caller against the binlog.
 *
 * <p>Identifiers are never pasted from input: the table and its key columns are looked up in the database's
 * catalog first and quoted; an optional filter is checked by the server before the first chunk.
 *
 * <p>Not thread-safe; one reader per backfill chunk stream. The connection belongs to the caller.
 */
public final class ChunkReader {

    /**
     * One chunk.
     *
     * @param rows the rows in key order, each column name to its JDBC value
     * @param lastKey the key of the last row, to resume after; empty when the chunk is empty
     */
    public record Chunk(List<Map<String, Object>> rows, List<Object> lastKey) {
        public boolean isEmpty() {
            return rows.isEmpty();
        }
    }

    private final Connection connection;
    private final String database;
    private final String table;
    private final List<String> keyColumns;
    private final String filter;
    private final int chunkSize;
    private List<Object> after;
    private List<Object> upTo;

    private ChunkReader(Connection connection, String database, String table, List<String> keyColumns, String filter, int chunkSize,
            List<Object> after) {
        this.connection = connection;
        this.database = database;
        this.table = table;
        this.keyColumns = keyColumns;
        this.filter = filter;
        this.chunkSize = chunkSize;
        this.after = after;
    }

    /**
     * Opens a reader after checking the table, its primary key and the filter.
     *
     * @param filter a SQL condition on the table's columns, or null for every row
     * @param startAfter the key to resume after (from {@link Chunk#lastKey()}), or null to start at the beginning
     * @param upTo the last key to read (a resumed reader passes the first reader's {@link #upTo()}), or null for the
     *     largest key the table holds now
     * @throws BackfillException naming the table or filter and what to do, if the table does not exist, has no
     *     primary key, or the filter is not valid SQL for it
     * @throws SQLException if the database fails otherwise
     */
    public static ChunkReader open(Connection connection, String database, String table, String filter, int chunkSize,
            List<Object> startAfter, List<Object> upTo) throws SQLException {
        Objects.requireNonNull(connection, "connection");
        if (chunkSize < 1 || chunkSize > 1_000_000) {
            throw new BackfillException("chunk size " + chunkSize + " is out of range; use 1 to 1,000,000 rows (10,000 is a good start)");
        }
        List<String> key = primaryKey(connection, database, table);
        if (startAfter != null && startAfter.size() != key.size()) {
            throw new BackfillException("the resume key " + startAfter + " has " + startAfter.size() + " values but the primary key of "
                    + database + "." + table + " has " + key.size() + " columns " + key);
        }
        String condition = filter == null || filter.isBlank() ? null : filter.trim();
        ChunkReader reader = new ChunkReader(connection, database, table, key, condition, chunkSize, startAfter == null ? null
                : List.copyOf(startAfter));
        if (upTo != null && upTo.size() != key.size()) {
            throw new BackfillException("the last key " + upTo + " has " + upTo.size() + " values but the primary key of "
                    + database + "." + table + " has " + key.size() + " columns " + key);
        }
        if (condition != null) {
            reader.checkFilter();
        }
        reader.upTo = upTo != null ? List.copyOf(upTo) : reader.largestKey();
        return reader;
    }

    /** The primary key's columns, in key order. */
    public List<String> keyColumns() {
        return keyColumns;
    }

    /**
     * The last key this reader reads, or an empty list when the table was empty (then every chunk is empty).
     */
    public List<Object> upTo() {
        return upTo;
    }

    /** The table's row count as the server estimates it (InnoDB statistics), or -1 when unknown. */
    public long estimatedRows() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
            ps.setString(1, database);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getObject(1) != null ? rs.getLong(1) : -1;
            }
        }
    }

    /** Reads the next chunk; an empty chunk means the table has been read to its end. */
    public Chunk next() throws SQLException {
        if (upTo.isEmpty()) {
            return new Chunk(List.of(), List.of());
        }
        String sql = "SELECT * FROM " + quote(database) + "." + quote(table) + where() + " ORDER BY " + keyList() + " LIMIT " + chunkSize;
        List<Map<String, Object>> rows = new ArrayList<>(Math.min(chunkSize, 10_000));
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            int p = 1;
            if (after != null) {
                for (Object v : after) {
                    ps.setObject(p++, v);
                }
            }
            for (Object v : upTo) {
                ps.setObject(p++, v);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rows.addAll(rows(rs));
            }
        }
        if (rows.isEmpty()) {
            return new Chunk(List.of(), List.of());
        }
        Map<String, Object> last = rows.get(rows.size() - 1);
        List<Object> lastKey = keyColumns.stream().map(last::get).toList();
        after = lastKey;
        return new Chunk(rows, lastKey);
    }

    /** Every row of a result, each column name to its value as {@link #value} reads it, in result order. */
    public static List<Map<String, Object>> rows(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        String[] labels = new String[n + 1];
        String[] types = new String[n + 1];
        for (int c = 1; c <= n; c++) {
            labels[c] = md.getColumnLabel(c);
            types[c] = md.getColumnTypeName(c).toUpperCase(Locale.ROOT);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        while (rs.next()) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int c = 1; c <= n; c++) {
                row.put(labels[c], value(rs, c, types[c]));
            }
            out.add(row);
        }
        return out;
    }

    /**
     * A column's value: TIME as text (it reaches -838:59:59 to 838:59:59, which {@link java.sql.Time} cannot hold),
     * DATETIME as a wall-clock {@link java.time.LocalDateTime} (no time zone is applied), anything else as the
     * driver's default object.
     */
    private static Object value(ResultSet rs, int column, String type) throws SQLException {
        return switch (type) {
            case "TIME" -> rs.getString(column);
            case "DATETIME" -> rs.getObject(column, LocalDateTime.class);
            case "DATE" -> rs.getObject(column, LocalDate.class);
            default -> rs.getObject(column);
        };
    }

    private String where() {
        List<String> parts = new ArrayList<>();
        if (after != null) {
            parts.add("(" + keyList() + ") > (" + String.join(", ", Collections.nCopies(keyColumns.size(), "?")) + ")");
        }
        parts.add("(" + keyList() + ") <= (" + String.join(", ", Collections.nCopies(keyColumns.size(), "?")) + ")");
        if (filter != null) {
            parts.add("(" + filter + ")");
        }
        return " WHERE " + String.join(" AND ", parts);
    }

    private List<Object> largestKey() throws SQLException {
        String sql = "SELECT " + keyList() + " FROM " + quote(database) + "." + quote(table) + " ORDER BY "
                + String.join(", ", keyColumns.stream().map(k -> quote(k) + " DESC").toList()) + " LIMIT 1";
        try (PreparedStatement ps = connection.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return List.of();
            }
            List<Object> key = new ArrayList<>(keyColumns.size());
            for (int i = 1; i <= keyColumns.size(); i++) {
                key.add(rs.getObject(i));
            }
            return List.copyOf(key);
        }
    }

    private String keyList() {
        return String.join(", ", keyColumns.stream().map(ChunkReader::quote).toList());
    }

    /** Lets the server parse and resolve the filter against the table before any row is read. */
    private void checkFilter() throws SQLException {
        if (filter.contains(";")) {
            throw new BackfillException("the filter '" + filter + "' contains ';'; give one condition on " + database + "." + table
                    + "'s columns, for example: created_at >= '2026-01-01'");
        }
        try (PreparedStatement ps = connection.prepareStatement("SELECT 1 FROM " + quote(database) + "." + quote(table) + " WHERE (" + filter
                + ") LIMIT 0"); ResultSet rs = ps.executeQuery()) {
            rs.next();
        } catch (SQLException e) {
            if (!"42000".equals(e.getSQLState()) && !"42S22".equals(e.getSQLState()) && !"22007".equals(e.getSQLState())) {
                throw e;
            }
            throw new BackfillException("the filter '" + filter + "' is not valid SQL for " + database + "." + table + ": "
                    + e.getMessage().replaceFirst("^\\([^)]*\\) ", "") + "; give one condition on the table's columns");
        }
    }

    /** The primary key's columns in key order, from the catalog (exact names: JDBC's metadata calls take patterns). */
    private static List<String> primaryKey(Connection c, String database, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?"
                + " AND TABLE_TYPE = 'BASE TABLE'")) {
            ps.setString(1, database);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new BackfillException("table " + database + "." + table + " does not exist (or the user cannot see it); check the"
                            + " name and the user's SELECT grant");
                }
            }
        }
        List<String> columns = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ?"
                + " AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION")) {
            ps.setString(1, database);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                }
            }
        }
        if (columns.isEmpty()) {
            throw new BackfillException("table " + database + "." + table + " has no primary key, and a backfill reads and versions rows by"
                    + " their key; add a primary key (ALTER TABLE ... ADD PRIMARY KEY (...)) before backfilling it");
        }
        return List.copyOf(columns);
    }

    /** A MySQL/MariaDB identifier in backquotes, backquotes inside doubled. */
    public static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }
}
