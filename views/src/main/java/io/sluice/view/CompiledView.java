package io.sluice.view;

import io.sluice.event.TableId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;

/**
 * A valid view with the Avro schemas its documents are written under: one record per level, built from the
 * registered value schemas of its tables. A document's root-key fields keep their tables' types; every other field
 * is nullable, so that a deleted document's key-only image is a valid record. Immutable and thread-safe.
 */
public final class CompiledView {
    /** The database part of a view's documents' table id: views are named {@code <source>.views.<view>} in the sinks. */
    public static final String DATABASE = "views";
    private static final String NAMESPACE = "io.sluice.view";

    private final ViewDefinition definition;
    private final ViewNode root;
    private final TableId id;
    private final Map<ViewNode, Schema> documents = new HashMap<>();
    private final Map<ViewNode, Schema> tables = new HashMap<>();
    private final Schema keySchema;

    private CompiledView(ViewDefinition definition, ViewNode root, Function<TableId, Schema> tableSchemas) {
        this.definition = definition;
        this.root = root;
        this.id = new TableId(root.table().source(), DATABASE, definition.name());
        for (ViewNode n : root.walk()) {
            tables.put(n, tableSchemas.apply(n.table()));
        }
        schema(root, definition.name());
        Schema rootTable = tables.get(root);
        List<Schema.Field> keys = new ArrayList<>();
        for (String column : root.keyColumns()) {
            keys.add(new Schema.Field(column, rootTable.getField(column).schema(), null, (Object) null));
        }
        this.keySchema = Schema.createRecord(definition.name() + "_key", null, NAMESPACE, false, keys);
    }

    /**
     * Compiles a validated view once the registered schemas of all its tables are known.
     *
     * @param tableSchemas each table's registered value schema, if capture registered one
     * @return empty while a table has no schema yet; see {@link #missingSchemas}
     * @throws InvalidViewException if a column the view reads is no longer in its table's schema
     */
    public static Optional<CompiledView> compile(ViewDefinition definition, ViewNode root, Function<TableId, Optional<Schema>> tableSchemas) {
        if (!missingSchemas(root, tableSchemas).isEmpty()) {
            return Optional.empty();
        }
        List<ViewProblem> gone = new ArrayList<>();
        for (ViewNode n : root.walk()) {
            Schema table = tableSchemas.apply(n.table()).orElseThrow();
            List<String> read = new ArrayList<>(n.watchedColumns());
            for (String column : read) {
                if (table.getField(column) == null) {
                    gone.add(new ViewProblem(n.path().isEmpty() ? "root" : n.path(), "column " + column + " of " + n.table().database() + "."
                            + n.table().table() + " is gone from its schema; update the view (PUT /api/v1/views/" + definition.name()
                            + ") to do without it"));
                }
            }
        }
        if (!gone.isEmpty()) {
            throw new InvalidViewException(definition.name(), gone);
        }
        return Optional.of(new CompiledView(definition, root, t -> tableSchemas.apply(t).orElseThrow()));
    }

    /** The tables of a view that have no registered schema yet: capture registers one with a table's first change. */
    public static List<TableId> missingSchemas(ViewNode root, Function<TableId, Optional<Schema>> tableSchemas) {
        return root.walk().stream().map(ViewNode::table).distinct().filter(t -> tableSchemas.apply(t).isEmpty()).toList();
    }

    public ViewDefinition definition() {
        return definition;
    }

    public String name() {
        return definition.name();
    }

    public ViewNode root() {
        return root;
    }

    /** The table id the view's documents carry to the sinks: {@code <source>.views.<view>}. */
    public TableId id() {
        return id;
    }

    /** The schema of the documents (the root level). */
    public Schema valueSchema() {
        return documents.get(root);
    }

    /** The schema of the documents' keys: the root table's primary key. */
    public Schema keySchema() {
        return keySchema;
    }

    /** The schema of one level's nested documents. */
    Schema documentSchema(ViewNode node) {
        return documents.get(node);
    }

    /** The registered value schema of a level's table. */
    Schema tableSchema(ViewNode node) {
        return tables.get(node);
    }

    private Schema schema(ViewNode node, String name) {
        Schema table = tables.get(node);
        List<Schema.Field> fields = new ArrayList<>();
        node.fields().forEach((column, field) -> {
            Schema s = table.getField(column).schema();
            if (node.isRoot() && node.keyColumns().contains(column)) {
                fields.add(new Schema.Field(field, s, null, (Object) null));
            } else {
                fields.add(new Schema.Field(field, nullable(s), null, JsonProperties.NULL_VALUE));
            }
        });
        for (ViewNode child : node.children()) {
            Schema nested = schema(child, name + "_" + child.field());
            if (child.kind() == Relation.Kind.ONE) {
                fields.add(new Schema.Field(child.field(), nullable(nested), null, JsonProperties.NULL_VALUE));
            } else {
                fields.add(new Schema.Field(child.field(), Schema.createArray(nested), null, List.of()));
            }
        }
        Schema record = Schema.createRecord(name, null, NAMESPACE, false, fields);
        documents.put(node, record);
        return record;
    }

    private static Schema nullable(Schema s) {
        if (s.getType() == Schema.Type.UNION) {
            return s.getTypes().get(0).getType() == Schema.Type.NULL ? s : nullFirst(s.getTypes());
        }
        return Schema.createUnion(Schema.create(Schema.Type.NULL), s);
    }

    private static Schema nullFirst(List<Schema> branches) {
        List<Schema> out = new ArrayList<>();
        out.add(Schema.create(Schema.Type.NULL));
        branches.stream().filter(b -> b.getType() != Schema.Type.NULL).forEach(out::add);
        return Schema.createUnion(out);
    }
}
