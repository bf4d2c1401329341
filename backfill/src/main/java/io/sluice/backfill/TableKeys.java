package io.sluice.backfill;

import io.sluice.event.ChangeEvent;
import io.sluice.event.Operation;
import io.sluice.event.SourcePosition;
import io.sluice.event.TableId;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;

/**
 * The primary keys of one table, as verify handles them: taken from rows, read back from a sink's ids (text: the
 * key's values joined by {@code ':'}, the default id template), compared by their values' text, and looked up in the
 * table in batches. Thread-safe.
 */
final class TableKeys {
    private final TableId table;
    private final List<String> columns;

    TableKeys(TableId table, List<String> columns) {
        this.table = table;
        this.columns = List.copyOf(columns);
    }

    List<String> columns() {
        return columns;
    }

    /** A row's key. */
    List<Object> of(Map<String, Object> row) {
        return columns.stream().map(row::get).toList();
    }

    /** A row that holds the key alone: how a key the table lacks goes through a DBLog window. */
    Map<String, Object> keyRow(List<Object> key) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            row.put(columns.get(i), key.get(i));
        }
        return row;
    }

    /** A key from an id of the default template. */
    List<Object> parseId(String id) {
        if (columns.size() == 1) {
            return List.of(id);
        }
        return List.of((Object[]) id.split(":", columns.size()));
    }

    /** The id of the default template for a key. */
    static String idOf(List<Object> key) {
        return String.join(":", key.stream().map(String::valueOf).toList());
    }

    /** Keys compared by their values' text: ids read back from a target are text, rows carry typed values. */
    static List<Object> normalize(List<Object> key) {
        return new ArrayList<>(text(key));
    }

    static List<String> text(List<Object> key) {
        return key.stream().map(String::valueOf).toList();
    }

    /** The rows with these keys, by normalized key; absent keys are left out. */
    Map<List<Object>, Map<String, Object>> rowsByKey(Connection c, List<List<Object>> keys) throws SQLException {
        Map<List<Object>, Map<String, Object>> out = new LinkedHashMap<>();
        if (keys.isEmpty()) {
            return out;
        }
        String tuple = "(" + String.join(", ", Collections.nCopies(columns.size(), "?")) + ")";
        String sql = "SELECT * FROM " + ChunkReader.quote(table.database()) + "." + ChunkReader.quote(table.table()) + " WHERE ("
                + String.join(", ", columns.stream().map(ChunkReader::quote).toList()) + ") IN ("
                + String.join(", ", Collections.nCopies(keys.size(), tuple)) + ")";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int p = 1;
            for (List<Object> k : keys) {
                for (Object v : k) {
                    ps.setObject(p++, v);
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                for (Map<String, Object> row : ChunkReader.rows(rs)) {
                    out.put(normalize(of(row)), row);
                }
            }
        }
        return out;
    }

    /** A delete of a key the table lacks: its before image carries the key only. */
    ChangeEvent deleteEvent(List<Object> key, BackfillRun.Schemas schemas, SourcePosition position, Instant at, long version) {
        GenericData.Record before = new GenericData.Record(schemas.value());
        for (int i = 0; i < columns.size(); i++) {
            Schema.Field f = schemas.value().getField(columns.get(i));
            before.put(f.pos(), RowConverter.convert(f.schema(), keyValue(f.schema(), key.get(i))));
        }
        return new ChangeEvent(table, Operation.DELETE, RowConverter.key(before, schemas.key()), before, null, position, at, version);
    }

    /** An id read back from a target is text: give key columns of numeric types their numbers. */
    private static Object keyValue(Schema schema, Object v) {
        if (!(v instanceof String s)) {
            return v;
        }
        Schema t = schema;
        if (t.getType() == Schema.Type.UNION) {
            t = t.getTypes().stream().filter(x -> x.getType() != Schema.Type.NULL).findFirst().orElse(t);
        }
        if (t.getLogicalType() != null) {
            return "decimal".equals(t.getLogicalType().getName()) ? new BigDecimal(s) : s;
        }
        return switch (t.getType()) {
            case INT -> Integer.parseInt(s);
            case LONG -> Long.parseLong(s);
            case FLOAT -> Float.parseFloat(s);
            case DOUBLE -> Double.parseDouble(s);
            case BOOLEAN -> Boolean.parseBoolean(s);
            default -> s;
        };
    }

    /** A list cut into consecutive batches of at most {@code size}. */
    static <T> List<List<T>> batches(List<T> all, int size) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += size) {
            out.add(all.subList(i, Math.min(all.size(), i + size)));
        }
        return out;
    }
}
