package io.sluice.review;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;

/** Field-level differences between two versions of a record schema, recursing into nested records. */
public final class SchemaDiff {
    private SchemaDiff() {
    }

    /**
     * The changes from {@code before} to {@code after}.
     *
     * @param before the old schema, or null when there is none (every field then counts as added)
     */
    public static List<FieldChange> between(Schema before, Schema after) {
        List<FieldChange> out = new ArrayList<>();
        diffRecords(before, after, "", out);
        return out;
    }

    private static void diffRecords(Schema before, Schema after, String prefix, List<FieldChange> out) {
        Map<String, Schema.Field> old = new HashMap<>();
        if (before != null && before.getType() == Schema.Type.RECORD) {
            before.getFields().forEach(f -> old.put(f.name(), f));
        }
        if (after.getType() != Schema.Type.RECORD) {
            return;
        }
        for (Schema.Field f : after.getFields()) {
            String path = prefix + f.name();
            Schema.Field was = old.remove(f.name());
            if (was == null) {
                for (String alias : f.aliases()) {
                    was = old.remove(alias);
                    if (was != null) {
                        out.add(new FieldChange(FieldChange.Kind.RENAMED, path, prefix + alias, path));
                        break;
                    }
                }
            }
            if (was == null) {
                out.add(new FieldChange(FieldChange.Kind.ADDED, path, null, describe(f)));
                continue;
            }
            compare(was, f, path, out);
        }
        for (Schema.Field removed : old.values()) {
            out.add(new FieldChange(FieldChange.Kind.REMOVED, prefix + removed.name(), describe(removed), null));
        }
    }

    private static void compare(Schema.Field was, Schema.Field now, String path, List<FieldChange> out) {
        Schema a = nonNull(was.schema());
        Schema b = nonNull(now.schema());
        if (nullable(was.schema()) != nullable(now.schema())) {
            out.add(new FieldChange(FieldChange.Kind.NULLABILITY_CHANGED, path, nullable(was.schema()) ? "nullable" : "required",
                    nullable(now.schema()) ? "nullable" : "required"));
        }
        if (a.getType() == Schema.Type.RECORD && b.getType() == Schema.Type.RECORD) {
            diffRecords(a, b, path + ".", out);
        } else if (!typeName(a).equals(typeName(b))) {
            out.add(new FieldChange(FieldChange.Kind.TYPE_CHANGED, path, typeName(a), typeName(b)));
        }
        if (!Objects.equals(defaultText(was), defaultText(now))) {
            out.add(new FieldChange(FieldChange.Kind.DEFAULT_CHANGED, path, defaultText(was), defaultText(now)));
        }
        if (!Objects.equals(was.doc(), now.doc())) {
            out.add(new FieldChange(FieldChange.Kind.DOC_CHANGED, path, was.doc(), now.doc()));
        }
    }

    private static String describe(Schema.Field f) {
        return typeName(nonNull(f.schema())) + (nullable(f.schema()) ? " (nullable)" : "")
                + (f.hasDefaultValue() ? " default " + defaultText(f) : " (no default)");
    }

    private static boolean nullable(Schema s) {
        return s.getType() == Schema.Type.UNION && s.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.NULL);
    }

    private static Schema nonNull(Schema s) {
        if (s.getType() != Schema.Type.UNION) {
            return s;
        }
        List<Schema> types = s.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).toList();
        return types.size() == 1 ? types.get(0) : Schema.createUnion(types);
    }

    private static String typeName(Schema s) {
        String base = switch (s.getType()) {
            case RECORD, ENUM, FIXED -> s.getType().getName() + " " + s.getFullName() + (s.getType() == Schema.Type.ENUM ? s.getEnumSymbols() : "");
            case ARRAY -> "array<" + typeName(s.getElementType()) + ">";
            case MAP -> "map<" + typeName(s.getValueType()) + ">";
            case UNION -> s.getTypes().stream().map(SchemaDiff::typeName).toList().toString();
            default -> s.getType().getName();
        };
        return s.getLogicalType() == null ? base : base + "(" + s.getLogicalType().getName() + ")";
    }

    /** A field's default as a person reads it ({@code null} for Avro's null default), or null when it has none. */
    private static String defaultText(Schema.Field f) {
        if (!f.hasDefaultValue()) {
            return null;
        }
        return f.defaultVal() == JsonProperties.NULL_VALUE ? "null" : String.valueOf(f.defaultVal());
    }
}
