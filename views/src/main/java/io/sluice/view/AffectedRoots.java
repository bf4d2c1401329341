package io.sluice.view;

import io.sluice.backfill.ChunkReader;
import io.sluice.event.ChangeEvent;
import io.sluice.event.Operation;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Which documents of a view a batch of changes touches: the root keys of every document that holds a changed row,
 * before or after the change (a row moved to another parent touches both). A root row gives its key; a related row
 * gives its parent's join values, which are the root's key when the parent is the root and the join is on its key,
 * and otherwise are resolved with one indexed query up the view's joins to the root, for the whole batch at once.
 *
 * <p>Changes that cannot alter a document are passed over: rows read by a snapshot of a related table (the root's
 * snapshot rows rebuild every document from the source anyway), and updates that touch no column the view uses.
 *
 * <p>Stateless and thread-safe; the connection is the caller's.
 */
public final class AffectedRoots {
    private AffectedRoots() {
    }

    /**
     * The root keys the changes touch.
     *
     * @param changes the batch's changes of any table, in binlog order
     * @return by key in {@link KeyValues#text} form, each key's values as JDBC binds them, in the root key's order
     */
    public static Map<List<String>, List<Object>> of(CompiledView view, List<ChangeEvent> changes, Connection c) throws SQLException {
        Map<List<String>, List<Object>> out = new LinkedHashMap<>();
        for (ViewNode node : view.root().walk()) {
            Map<List<String>, List<Object>> joins = new LinkedHashMap<>();
            for (ChangeEvent e : changes) {
                if (!e.table().equals(node.table()) || !matters(node, e)) {
                    continue;
                }
                for (GenericRecord image : images(e)) {
                    List<Object> values = node.isRoot() ? values(image, node.keyColumns()) : values(image, node.columns());
                    if (!values.contains(null)) {
                        joins.putIfAbsent(KeyValues.text(values), values);
                    }
                }
            }
            if (joins.isEmpty()) {
                continue;
            }
            if (node.isRoot()) {
                out.putAll(joins);
            } else if (node.parent().isRoot() && node.parentColumns().size() == node.parent().keyColumns().size()
                    && node.parentColumns().containsAll(node.parent().keyColumns())) {
                for (List<Object> join : joins.values()) {
                    List<Object> key = new ArrayList<>();
                    node.parent().keyColumns().forEach(k -> key.add(join.get(node.parentColumns().indexOf(k))));
                    out.putIfAbsent(KeyValues.text(key), key);
                }
            } else {
                resolve(node, new ArrayList<>(joins.values()), c).forEach(out::putIfAbsent);
            }
        }
        return out;
    }

    /** Whether a change of a node's table can alter the view's documents. */
    private static boolean matters(ViewNode node, ChangeEvent e) {
        if (e.operation() == Operation.READ) {
            return node.isRoot();
        }
        if (e.operation() != Operation.UPDATE) {
            return true;
        }
        for (String column : node.watchedColumns()) {
            if (!Objects.equals(value(e.before(), column), value(e.after(), column))) {
                return true;
            }
        }
        return false;
    }

    /** A column's value in an image; null when the image's schema has no such column. */
    private static Object value(GenericRecord image, String column) {
        Schema.Field f = image.getSchema().getField(column);
        return f == null ? null : image.get(f.pos());
    }

    private static List<GenericRecord> images(ChangeEvent e) {
        List<GenericRecord> out = new ArrayList<>(2);
        if (e.before() != null) {
            out.add(e.before());
        }
        if (e.after() != null) {
            out.add(e.after());
        }
        return out;
    }

    private static List<Object> values(GenericRecord image, List<String> columns) {
        List<Object> out = new ArrayList<>(columns.size());
        for (String column : columns) {
            Schema.Field f = image.getSchema().getField(column);
            out.add(f == null ? null : KeyValues.jdbc(f.schema(), image.get(f.pos())));
        }
        return out;
    }

    /**
     * The root keys of the documents that hold a node's rows with these join values: the parents are the rows whose
     * join columns equal them, and the joins up from there lead to the root.
     */
    private static Map<List<String>, List<Object>> resolve(ViewNode node, List<List<Object>> joins, Connection c) throws SQLException {
        List<ViewNode> chain = new ArrayList<>();
        for (ViewNode n = node.parent(); n != null; n = n.parent()) {
            chain.add(0, n);
        }
        ViewNode root = chain.get(0);
        StringBuilder from = new StringBuilder(TupleQuery.table(root) + " t0");
        for (int i = 1; i < chain.size(); i++) {
            ViewNode n = chain.get(i);
            List<String> on = new ArrayList<>();
            for (int j = 0; j < n.columns().size(); j++) {
                on.add("t" + i + "." + ChunkReader.quote(n.columns().get(j)) + " = t" + (i - 1) + "." + ChunkReader.quote(n.parentColumns().get(j)));
            }
            from.append(" JOIN ").append(TupleQuery.table(n)).append(" t").append(i).append(" ON ").append(String.join(" AND ", on));
        }
        String last = "t" + (chain.size() - 1);
        Map<List<String>, List<Object>> out = new LinkedHashMap<>();
        TupleQuery.run(c, "SELECT DISTINCT " + TupleQuery.columns("t0", root.keyColumns()) + " FROM " + from + " WHERE ("
                + TupleQuery.columns(last, node.parentColumns()) + ") IN (", ")", joins, rows -> {
                    for (Map<String, Object> row : rows) {
                        List<Object> key = new ArrayList<>();
                        root.keyColumns().forEach(k -> key.add(row.get(k)));
                        out.putIfAbsent(KeyValues.text(key), key);
                    }
                });
        return out;
    }

}
