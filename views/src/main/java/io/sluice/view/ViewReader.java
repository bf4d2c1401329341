package io.sluice.view;

import io.sluice.backfill.ChunkReader;
import io.sluice.backfill.RowConverter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Builds a view's documents whole from the source, for a set of root keys: the root rows by key, then each level's
 * related rows by their parents' join values, a few hundred keys to a query, so that a batch of documents costs a
 * handful of indexed reads per level whatever their number. Nothing is kept between calls.
 *
 * <p>Stateless and thread-safe; the connection is the caller's and is used by one call at a time.
 */
public final class ViewReader {
    private ViewReader() {
    }

    /**
     * The documents of these root keys, as the source holds them now.
     *
     * @param keys root keys, each its values in the order of the root's primary key, as JDBC binds them
     * @return by root key in {@link KeyValues#text} form: the document, or empty when the root row is gone
     */
    public static Map<List<String>, Optional<GenericRecord>> read(CompiledView view, Connection c, Collection<List<Object>> keys)
            throws SQLException {
        ViewNode root = view.root();
        Map<List<String>, Optional<GenericRecord>> out = new LinkedHashMap<>();
        for (List<Object> key : keys) {
            out.put(KeyValues.text(key), Optional.empty());
        }
        List<Level> rows = select(view, root, c, root.keyColumns(), new ArrayList<>(keys), root.keyColumns());
        fill(view, root, c, rows);
        for (Level r : rows) {
            out.put(KeyValues.text(values(r.row(), root.keyColumns())), Optional.of(r.document()));
        }
        return out;
    }

    /**
     * The next root keys of a view in key order, for rebuilding every document a page at a time.
     *
     * @param after the last key of the previous page, or null for the first page
     * @return each key's values in primary-key order, as JDBC reads them
     */
    public static List<List<Object>> rootKeys(CompiledView view, Connection c, List<Object> after, int limit) throws SQLException {
        ViewNode root = view.root();
        String key = TupleQuery.columns(null, root.keyColumns());
        String sql = "SELECT " + key + " FROM " + TupleQuery.table(root)
                + (after == null ? "" : " WHERE (" + key + ") > (" + String.join(", ", Collections.nCopies(after.size(), "?")) + ")")
                + " ORDER BY " + key + " LIMIT " + limit;
        List<List<Object>> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; after != null && i < after.size(); i++) {
                ps.setObject(i + 1, after.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                for (Map<String, Object> row : ChunkReader.rows(rs)) {
                    out.add(values(row, root.keyColumns()));
                }
            }
        }
        return out;
    }

    /** One row read for a level: its JDBC values and the document built from it. */
    private record Level(Map<String, Object> row, GenericData.Record document) {
    }

    /** Reads each child level of {@code node} for the rows read at it, and nests the documents. */
    private static void fill(CompiledView view, ViewNode node, Connection c, List<Level> parents) throws SQLException {
        for (ViewNode child : node.children()) {
            Map<List<String>, List<Object>> wanted = new LinkedHashMap<>();
            for (Level p : parents) {
                List<Object> join = values(p.row(), child.parentColumns());
                if (!join.contains(null)) {
                    wanted.putIfAbsent(KeyValues.text(join), join);
                }
            }
            List<Level> rows = select(view, child, c, child.columns(), new ArrayList<>(wanted.values()), child.orderBy());
            fill(view, child, c, rows);
            Map<List<String>, List<GenericRecord>> byJoin = new LinkedHashMap<>();
            for (Level r : rows) {
                byJoin.computeIfAbsent(KeyValues.text(values(r.row(), child.columns())), k -> new ArrayList<>()).add(r.document());
            }
            for (Level p : parents) {
                List<GenericRecord> found = byJoin.getOrDefault(KeyValues.text(values(p.row(), child.parentColumns())), List.of());
                if (child.kind() == Relation.Kind.ONE) {
                    p.document().put(child.field(), found.isEmpty() ? null : found.get(0));
                } else {
                    p.document().put(child.field(), new ArrayList<>(found));
                }
            }
        }
    }

    /** The rows of a level's table whose columns equal one of the tuples, each with its document (without nesting). */
    private static List<Level> select(CompiledView view, ViewNode node, Connection c, List<String> columns, List<List<Object>> tuples,
            List<String> orderBy) throws SQLException {
        List<Level> out = new ArrayList<>();
        TupleQuery.run(c, "SELECT * FROM " + TupleQuery.table(node) + " WHERE (" + TupleQuery.columns(null, columns) + ") IN (",
                ") ORDER BY " + TupleQuery.columns(null, orderBy), tuples, rows -> {
                    for (Map<String, Object> row : rows) {
                        out.add(new Level(row, document(view, node, row)));
                    }
                });
        return out;
    }

    /** A level's document of a row: its fields as capture would stream them, nested levels empty. */
    private static GenericData.Record document(CompiledView view, ViewNode node, Map<String, Object> row) {
        GenericRecord converted = RowConverter.value(node.table(), row, view.tableSchema(node));
        GenericData.Record doc = new GenericData.Record(view.documentSchema(node));
        node.fields().forEach((column, field) -> doc.put(field, converted.get(column)));
        for (ViewNode child : node.children()) {
            doc.put(child.field(), child.kind() == Relation.Kind.ONE ? null : new ArrayList<>());
        }
        return doc;
    }

    private static List<Object> values(Map<String, Object> row, List<String> columns) {
        List<Object> out = new ArrayList<>(columns.size());
        for (String col : columns) {
            out.add(row.get(col));
        }
        return out;
    }
}
