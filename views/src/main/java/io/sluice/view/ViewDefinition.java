package io.sluice.view;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A document view, as a person declares it: one document per row of a root table, with related rows nested in it.
 * Declared per pipeline; its documents go to the pipeline's sinks under their own name (see {@link CompiledView#id}).
 * Absent lists and maps mean "none" (relations, renames) or "all" (columns); {@link ViewValidator} checks the whole
 * definition against the source's tables before anything is stored.
 *
 * <pre>{@code
 * {"name": "orders", "pipeline": "shop", "root": "shop.orders", "columns": ["id", "placed_at", "total"],
 *  "relations": [
 *    {"name": "customer", "kind": "one", "table": "shop.customers", "on": {"customer_id": "id"}, "columns": ["name", "city"]},
 *    {"name": "items", "kind": "many", "table": "shop.order_items", "on": {"id": "order_id"}, "orderBy": ["id"],
 *     "relations": [{"name": "product", "kind": "one", "table": "shop.products", "on": {"product_id": "id"},
 *                    "columns": ["name"]}]}]}
 * }</pre>
 *
 * @param name the view's name: lower case letters, digits and {@code _}, starting with a letter
 * @param pipeline the pipeline whose source and sinks the view uses
 * @param root the root table as {@code database.table}: one document per row, keyed by its primary key
 * @param columns the root's columns the document holds; null or empty for all
 * @param rename document field names for columns, column to field; null for none
 * @param relations the tables nested in the document; null for none
 */
public record ViewDefinition(String name, String pipeline, String root, List<String> columns, Map<String, String> rename,
        List<Relation> relations) {

    /** The longest path of relations below the root. */
    public static final int MAX_DEPTH = 4;

    /** The relations, never null. */
    public List<Relation> relationsOrEmpty() {
        return relations == null ? List.of() : relations;
    }

    /**
     * Every table the view names: the root first, then its relations depth first, each once. A table a draft leaves
     * out (null, or a null relation) is skipped: {@link ViewValidator} reports those.
     */
    public Set<String> tables() {
        Set<String> out = new LinkedHashSet<>();
        if (root != null) {
            out.add(root);
        }
        addTables(relationsOrEmpty(), out);
        return out;
    }

    /** The databases of the {@linkplain #tables() tables} written as {@code database.table}, each once, in that order. */
    public List<String> databases() {
        return tables().stream().filter(t -> t.indexOf('.') > 0).map(t -> t.substring(0, t.indexOf('.'))).distinct().toList();
    }

    private static void addTables(List<Relation> relations, Set<String> out) {
        for (Relation r : relations) {
            if (r != null) {
                if (r.table() != null) {
                    out.add(r.table());
                }
                addTables(r.relationsOrEmpty(), out);
            }
        }
    }
}
