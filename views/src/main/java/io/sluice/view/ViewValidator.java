package io.sluice.view;

import io.sluice.event.TableId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Checks a view's definition as a whole against the source's tables and turns it into the tree of {@link ViewNode}s
 * the engine walks. Every problem is reported at once, each with its path in the definition and the fix: unknown
 * tables or columns, a table the pipeline does not capture, joins between columns of different kinds, a to-one
 * relation whose columns are no key of its table, cycles, depth, and field names that clash. The source's foreign
 * keys are offered where a join is missing. Stateless and thread-safe.
 */
public final class ViewValidator {
    private static final Pattern VIEW_NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    /** An Avro name: documents are Avro records before they reach the sinks. */
    private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private ViewValidator() {
    }

    /**
     * Validates a definition and builds its tree.
     *
     * @param source the source's name, for the tables' ids
     * @param captured whether the pipeline takes a {@code database.table}
     * @throws InvalidViewException listing every problem
     */
    public static ViewNode validate(ViewDefinition view, String source, Catalog catalog, Predicate<String> captured) {
        Checker checker = new Checker(source, catalog, captured);
        ViewNode root = checker.check(view);
        if (!checker.problems.isEmpty()) {
            throw new InvalidViewException(view.name() == null ? "(unnamed)" : view.name(), checker.problems);
        }
        return root;
    }

    /** The relations the source's foreign keys suggest for a table: lookups it refers to, and tables that refer to it. */
    public static List<Relation> suggestions(Catalog catalog, String table) {
        List<Relation> out = new ArrayList<>();
        catalog.table(table).ifPresent(t -> {
            for (Catalog.ForeignKey fk : t.foreignKeys()) {
                out.add(new Relation(simpleName(fk.referencedTable()), Relation.Kind.ONE, fk.referencedTable(), zip(fk.columns(),
                        fk.referencedColumns()), null, null, null, null));
            }
            for (Catalog.Table other : catalog.tables()) {
                for (Catalog.ForeignKey fk : other.foreignKeys()) {
                    if (fk.referencedTable().equals(table)) {
                        out.add(new Relation(simpleName(other.name()), Relation.Kind.MANY, other.name(), zip(fk.referencedColumns(),
                                fk.columns()), null, null, null, null));
                    }
                }
            }
        });
        return out;
    }

    private static String simpleName(String qualified) {
        return qualified.substring(qualified.indexOf('.') + 1);
    }

    private static Map<String, String> zip(List<String> a, List<String> b) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < a.size(); i++) {
            out.put(a.get(i), b.get(i));
        }
        return out;
    }

    /** One validation, collecting problems as it walks the definition. */
    private static final class Checker {
        private final String source;
        private final Catalog catalog;
        private final Predicate<String> captured;
        private final List<ViewProblem> problems = new ArrayList<>();

        Checker(String source, Catalog catalog, Predicate<String> captured) {
            this.source = source;
            this.catalog = catalog;
            this.captured = captured;
        }

        ViewNode check(ViewDefinition view) {
            if (view.name() == null || !VIEW_NAME.matcher(view.name()).matches()) {
                problem("name", (view.name() == null ? "is missing" : "'" + view.name() + "' is not allowed") + ": use 1 to 63 lower-case"
                        + " letters, digits and '_', starting with a letter");
            }
            if (view.pipeline() == null || view.pipeline().isBlank()) {
                problem("pipeline", "is missing: name the pipeline whose source and sinks the view uses");
            }
            Catalog.Table root = table("root", view.root());
            if (root == null) {
                return null;
            }
            Map<String, String> fields = fields("", root, view.columns(), view.rename());
            for (String key : root.primaryKey()) {
                if (!fields.containsKey(key)) {
                    fields.put(key, key); // a document always holds its key
                }
            }
            ViewNode node = new ViewNode("", tableId(root), null, null, List.of(), List.of(), root.primaryKey(), fields, List.of(), null);
            relations("", node, root, view.relationsOrEmpty(), fields.values(), Set.of(root.name()), 1);
            return node;
        }

        private void relations(String prefix, ViewNode parent, Catalog.Table parentTable, List<Relation> relations,
                Collection<String> parentFields, Set<String> onPath, int depth) {
            Set<String> taken = new HashSet<>(parentFields);
            for (int i = 0; i < relations.size(); i++) {
                Relation r = relations.get(i);
                String at = prefix + "relations[" + i + "]";
                if (r == null) {
                    problem(at, "is empty: give name, kind, table and on");
                    continue;
                }
                if (r.name() == null || !FIELD_NAME.matcher(r.name()).matches()) {
                    problem(at + ".name", (r.name() == null ? "is missing" : "'" + r.name() + "' is not a field name") + ": use letters,"
                            + " digits and '_', not starting with a digit");
                } else if (!taken.add(r.name())) {
                    problem(at + ".name", "'" + r.name() + "' is a field of the document already; pick another name for the relation");
                }
                if (r.kind() == null) {
                    problem(at + ".kind", "is missing: 'one' for a lookup (a row the parent refers to), 'many' for a nested array");
                }
                if (depth > ViewDefinition.MAX_DEPTH) {
                    problem(at, "is nested " + depth + " levels deep; a view nests at most " + ViewDefinition.MAX_DEPTH);
                    continue;
                }
                Catalog.Table table = table(at + ".table", r.table());
                if (table == null) {
                    continue;
                }
                if (onPath.contains(table.name())) {
                    problem(at + ".table", "'" + table.name() + "' is already on this path of the view (" + String.join(" > ", onPath)
                            + "): a cycle; nest it under another branch, or stop the path before it");
                    continue;
                }
                List<String> parentColumns = new ArrayList<>();
                List<String> childColumns = new ArrayList<>();
                join(at, r, parentTable, table, parentColumns, childColumns);
                List<String> orderBy = orderBy(at, r, table);
                Map<String, String> fields = fields(at + ".", table, r.columns(), r.rename());
                ViewNode node = new ViewNode(parent.path().isEmpty() ? String.valueOf(r.name()) : parent.path() + "." + r.name(),
                        tableId(table), r.name(), r.kind(), parentColumns, childColumns, table.primaryKey(), fields, orderBy, parent);
                Set<String> path = new LinkedHashSet<>(onPath);
                path.add(table.name());
                relations(at + ".", node, table, r.relationsOrEmpty(), fields.values(), path, depth + 1);
            }
        }

        private void join(String at, Relation r, Catalog.Table parent, Catalog.Table child, List<String> parentColumns,
                List<String> childColumns) {
            if (r.on() == null || r.on().isEmpty()) {
                List<Relation> hints = suggestions(catalog, parent.name()).stream().filter(s -> s.table().equals(child.name())).toList();
                problem(at + ".on", "is missing: map the parent's columns to " + child.name() + "'s" + (hints.isEmpty() ? ", for example"
                        + " {\"customer_id\": \"id\"}" : "; the source's foreign keys suggest " + hints.stream().map(h -> "\"kind\": \""
                        + h.kind().label() + "\", \"on\": " + json(h.on())).toList()));
                return;
            }
            r.on().forEach((p, c) -> {
                String where = at + ".on." + p;
                Catalog.Column pc = parent.column(p).orElse(null);
                Catalog.Column cc = child.column(c).orElse(null);
                if (pc == null) {
                    problem(where, "'" + p + "' is no column of " + parent.name() + " (its columns: " + names(parent) + ")");
                }
                if (cc == null) {
                    problem(where, "'" + c + "' is no column of " + child.name() + " (its columns: " + names(child) + ")");
                }
                if (pc != null && cc != null && !ColumnKinds.joinable(pc.type(), cc.type())) {
                    problem(where, parent.name() + "." + p + " is " + pc.type() + " and " + child.name() + "." + c + " is " + cc.type()
                            + ": join columns of the same kind (numbers with numbers, text with text, dates with dates)");
                }
                parentColumns.add(p);
                childColumns.add(c);
            });
            if (r.kind() == Relation.Kind.ONE && childColumns.stream().allMatch(c -> child.column(c).isPresent())
                    && !child.isKey(childColumns)) {
                problem(at + ".on", "a 'one' relation needs a key of " + child.name() + " on its side, and " + childColumns + " is not one"
                        + " (its keys: " + child.uniqueKeys() + "); join on a key, or make the relation 'many'");
            }
        }

        private List<String> orderBy(String at, Relation r, Catalog.Table table) {
            List<String> order = r.orderBy() == null || r.orderBy().isEmpty() ? table.primaryKey() : r.orderBy();
            if (r.orderBy() != null && !r.orderBy().isEmpty() && r.kind() == Relation.Kind.ONE) {
                problem(at + ".orderBy", "orders a 'many' relation's array; a 'one' relation has a single row: leave it out");
            }
            for (int i = 0; r.orderBy() != null && i < r.orderBy().size(); i++) {
                if (table.column(r.orderBy().get(i)).isEmpty()) {
                    problem(at + ".orderBy[" + i + "]", "'" + r.orderBy().get(i) + "' is no column of " + table.name() + " (its columns: "
                            + names(table) + ")");
                }
            }
            return order;
        }

        /** The columns a level of the document holds, each with its field name; problems for unknown ones and clashes. */
        private Map<String, String> fields(String at, Catalog.Table table, List<String> columns, Map<String, String> rename) {
            List<String> chosen = columns == null || columns.isEmpty() ? table.columns().stream().map(Catalog.Column::name).toList()
                    : columns;
            Map<String, String> fields = new LinkedHashMap<>();
            for (int i = 0; i < chosen.size(); i++) {
                String c = chosen.get(i);
                if (table.column(c).isEmpty()) {
                    problem(at + "columns[" + i + "]", "'" + c + "' is no column of " + table.name() + " (its columns: " + names(table)
                            + ")");
                    continue;
                }
                fields.put(c, c);
            }
            if (rename != null) {
                rename.forEach((column, field) -> {
                    if (!fields.containsKey(column)) {
                        problem(at + "rename." + column, "'" + column + "' is not among the columns this level holds (" + fields.keySet()
                                + "); rename only those");
                    } else if (field == null || !FIELD_NAME.matcher(field).matches()) {
                        problem(at + "rename." + column, "'" + field + "' is not a field name: use letters, digits and '_', not starting"
                                + " with a digit");
                    } else {
                        fields.put(column, field);
                    }
                });
            }
            Set<String> seen = new HashSet<>();
            fields.forEach((column, field) -> {
                if (!FIELD_NAME.matcher(field).matches() && (rename == null || !rename.containsKey(column))) {
                    problem(at + "columns", "column '" + column + "' of " + table.name() + " is not a valid field name: rename it (\"rename\":"
                            + " {\"" + column + "\": \"...\"})");
                } else if (!seen.add(field)) {
                    problem(at + "rename", "two columns of " + table.name() + " would both be field '" + field + "'; rename one");
                }
            });
            return fields;
        }

        private Catalog.Table table(String at, String name) {
            if (name == null || name.indexOf('.') <= 0 || name.indexOf('.') == name.length() - 1) {
                problem(at, (name == null ? "is missing" : "'" + name + "' is not database.table") + ": name a table as database.table,"
                        + " for example shop.orders");
                return null;
            }
            Catalog.Table t = catalog.table(name).orElse(null);
            if (t == null) {
                problem(at, "'" + name + "' is no table of the source (its tables: " + catalog.tables().stream().map(Catalog.Table::name)
                        .toList() + ")");
                return null;
            }
            if (!captured.test(name)) {
                problem(at, "'" + name + "' is not captured by the view's pipeline: add it to the pipeline's tables first");
            }
            if (t.primaryKey().isEmpty()) {
                problem(at, "'" + name + "' has no primary key: a view's tables need one, so that each row is found again");
            }
            return t;
        }

        private TableId tableId(Catalog.Table t) {
            int dot = t.name().indexOf('.');
            return new TableId(source, t.name().substring(0, dot), t.name().substring(dot + 1));
        }

        private static List<String> names(Catalog.Table t) {
            return t.columns().stream().map(Catalog.Column::name).toList();
        }

        private static String json(Map<String, String> on) {
            List<String> pairs = new ArrayList<>();
            on.forEach((k, v) -> pairs.add("\"" + k + "\": \"" + v + "\""));
            return "{" + String.join(", ", pairs) + "}";
        }

        private void problem(String path, String message) {
            problems.add(new ViewProblem(path, message));
        }
    }
}
