package io.sluice.view;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The tables of a source's databases as views need them: columns with their types, primary and unique keys, and
 * foreign keys (offered as suggestions). Read from {@code information_schema}. Immutable and thread-safe.
 */
public final class Catalog {

    /**
     * A column.
     *
     * @param type the SQL data type in lower case, for example {@code bigint} or {@code varchar}
     */
    public record Column(String name, String type, boolean nullable) {
    }

    /** A foreign key of a table: its columns refer to the referenced table's columns, in order. */
    public record ForeignKey(List<String> columns, String referencedTable, List<String> referencedColumns) {
    }

    /**
     * A table.
     *
     * @param name {@code database.table}
     * @param primaryKey the primary key's columns in order; empty for a table without one
     * @param uniqueKeys every unique key (the primary key included), each its columns in order
     */
    public record Table(String name, List<Column> columns, List<String> primaryKey, List<List<String>> uniqueKeys,
            List<ForeignKey> foreignKeys) {

        public Optional<Column> column(String column) {
            return columns.stream().filter(c -> c.name().equals(column)).findFirst();
        }

        /** Whether these columns, in any order, are the primary key or a unique key: at most one row has given values. */
        public boolean isKey(Collection<String> key) {
            return uniqueKeys.stream().anyMatch(u -> u.size() == key.size() && u.containsAll(key));
        }
    }

    private final Map<String, Table> tables;

    public Catalog(Collection<Table> tables) {
        Map<String, Table> byName = new LinkedHashMap<>();
        tables.forEach(t -> byName.put(t.name(), t));
        this.tables = Collections.unmodifiableMap(byName);
    }

    /** A table by {@code database.table}. */
    public Optional<Table> table(String name) {
        return Optional.ofNullable(tables.get(name));
    }

    public Collection<Table> tables() {
        return tables.values();
    }

    /** Reads the base tables of the databases, with their columns and keys. */
    public static Catalog read(Connection c, List<String> databases) throws SQLException {
        Map<String, List<Column>> columns = new LinkedHashMap<>();
        Map<String, Map<String, List<String>>> keys = new LinkedHashMap<>();
        Map<String, Map<String, ForeignKeyBuilder>> foreign = new LinkedHashMap<>();
        String in = String.join(", ", Collections.nCopies(databases.size(), "?"));
        try (PreparedStatement ps = c.prepareStatement("SELECT c.TABLE_SCHEMA, c.TABLE_NAME, c.COLUMN_NAME, c.DATA_TYPE, c.IS_NULLABLE"
                + " FROM information_schema.COLUMNS c JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND"
                + " t.TABLE_NAME = c.TABLE_NAME WHERE t.TABLE_TYPE = 'BASE TABLE' AND c.TABLE_SCHEMA IN (" + in + ")"
                + " ORDER BY c.TABLE_SCHEMA, c.TABLE_NAME, c.ORDINAL_POSITION")) {
            bind(ps, databases);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.computeIfAbsent(rs.getString(1) + "." + rs.getString(2), k -> new ArrayList<>()).add(new Column(rs.getString(3),
                            rs.getString(4).toLowerCase(Locale.ROOT), "YES".equals(rs.getString(5))));
                }
            }
        }
        // KEY_COLUMN_USAGE alone: MariaDB shows TABLE_CONSTRAINTS only to users with more than SELECT, which a capture user
        // has not. A foreign key's rows name the referenced table; the primary key is named PRIMARY; the rest are unique.
        try (PreparedStatement ps = c.prepareStatement("SELECT TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME,"
                + " REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE"
                + " WHERE TABLE_SCHEMA IN (" + in + ") ORDER BY TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION")) {
            bind(ps, databases);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String table = rs.getString(1) + "." + rs.getString(2);
                    String constraint = rs.getString(3);
                    if (rs.getString(6) != null) {
                        String referenced = rs.getString(5) + "." + rs.getString(6);
                        foreign.computeIfAbsent(table, k -> new LinkedHashMap<>()).computeIfAbsent(constraint,
                                k -> new ForeignKeyBuilder(referenced)).add(rs.getString(4), rs.getString(7));
                    } else {
                        keys.computeIfAbsent(table, k -> new LinkedHashMap<>()).computeIfAbsent(constraint, k -> new ArrayList<>())
                                .add(rs.getString(4));
                    }
                }
            }
        }
        List<Table> out = new ArrayList<>();
        columns.forEach((name, cols) -> {
            Map<String, List<String>> unique = keys.getOrDefault(name, Map.of());
            List<ForeignKey> fks = foreign.getOrDefault(name, Map.of()).values().stream().map(ForeignKeyBuilder::build).toList();
            out.add(new Table(name, List.copyOf(cols), List.copyOf(unique.getOrDefault("PRIMARY", List.of())),
                    unique.values().stream().map(List::copyOf).toList(), fks));
        });
        return new Catalog(out);
    }

    private static void bind(PreparedStatement ps, List<String> values) throws SQLException {
        for (int i = 0; i < values.size(); i++) {
            ps.setString(i + 1, values.get(i));
        }
    }

    /** The columns of one foreign key as they are read, one row each. */
    private static final class ForeignKeyBuilder {
        private final String referenced;
        private final List<String> columns = new ArrayList<>();
        private final List<String> referencedColumns = new ArrayList<>();

        ForeignKeyBuilder(String referenced) {
            this.referenced = referenced;
        }

        ForeignKeyBuilder add(String column, String referencedColumn) {
            columns.add(column);
            referencedColumns.add(referencedColumn);
            return this;
        }

        ForeignKey build() {
            return new ForeignKey(List.copyOf(columns), referenced, List.copyOf(referencedColumns));
        }
    }
}
