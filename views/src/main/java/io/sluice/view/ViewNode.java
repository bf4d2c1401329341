package io.sluice.view;

import io.sluice.event.TableId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One table of a view as the engine walks it: the root, or a relation nested under its parent. Built by
 * {@link ViewValidator} from a valid definition; immutable once built, and thread-safe.
 */
public final class ViewNode {
    private final String path;
    private final TableId table;
    private final String field;
    private final Relation.Kind kind;
    private final List<String> parentColumns;
    private final List<String> columns;
    private final List<String> keyColumns;
    private final Map<String, String> fields;
    private final List<String> orderBy;
    private final List<ViewNode> children = new ArrayList<>();
    private final ViewNode parent;

    ViewNode(String path, TableId table, String field, Relation.Kind kind, List<String> parentColumns, List<String> columns,
            List<String> keyColumns, Map<String, String> fields, List<String> orderBy, ViewNode parent) {
        this.path = path;
        this.table = table;
        this.field = field;
        this.kind = kind;
        this.parentColumns = List.copyOf(parentColumns);
        this.columns = List.copyOf(columns);
        this.keyColumns = List.copyOf(keyColumns);
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        this.orderBy = List.copyOf(orderBy);
        this.parent = parent;
        if (parent != null) {
            parent.children.add(this);
        }
    }

    /** Where the node sits: empty for the root, else its fields' names from the root joined by dots. */
    public String path() {
        return path;
    }

    public TableId table() {
        return table;
    }

    /** The parent document's field that holds this node's rows; null for the root. */
    public String field() {
        return field;
    }

    /** One row or many; null for the root. */
    public Relation.Kind kind() {
        return kind;
    }

    /** The parent's join columns; empty for the root. */
    public List<String> parentColumns() {
        return parentColumns;
    }

    /** This table's join columns, paired in order with {@link #parentColumns()}; empty for the root. */
    public List<String> columns() {
        return columns;
    }

    /** The table's primary key. */
    public List<String> keyColumns() {
        return keyColumns;
    }

    /** The columns the document holds, each with its field name, in the table's order. */
    public Map<String, String> fields() {
        return fields;
    }

    /** For a to-many node, the columns that order its rows. */
    public List<String> orderBy() {
        return orderBy;
    }

    public List<ViewNode> children() {
        return Collections.unmodifiableList(children);
    }

    /** Null for the root. */
    public ViewNode parent() {
        return parent;
    }

    public boolean isRoot() {
        return parent == null;
    }

    /** This node and every node below it, parents before children. */
    public List<ViewNode> walk() {
        List<ViewNode> out = new ArrayList<>();
        out.add(this);
        children.forEach(c -> out.addAll(c.walk()));
        return out;
    }

    /** The columns of this table whose change can change a document: its fields, its joins both ways, its order. */
    public List<String> watchedColumns() {
        List<String> out = new ArrayList<>(fields.keySet());
        out.addAll(columns);
        out.addAll(orderBy);
        out.addAll(keyColumns);
        children.forEach(c -> out.addAll(c.parentColumns));
        return out.stream().distinct().toList();
    }
}
