package io.sluice.sink.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.sink.DocumentMapper;
import io.sluice.sink.TableMapping;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * Index mappings derived from Avro schemas: text with a keyword sub-field for strings, keyword for enums, exact
 * numeric types, dates for dates and timestamps, scaled floats for small decimals (keyword for large ones, so no
 * digit is lost), binary for bytes, objects for records and JSON columns.
 */
final class IndexMappings {
    private static final ObjectMapper JSON = new ObjectMapper();

    private IndexMappings() {
    }

    /** The {@code properties} object of a row schema under a table mapping. */
    static ObjectNode properties(Schema row, TableMapping mapping) {
        ObjectNode props = JSON.createObjectNode();
        for (Schema.Field f : row.getFields()) {
            if ((!mapping.include().isEmpty() && !mapping.include().contains(f.name())) || mapping.exclude().contains(f.name())) {
                continue;
            }
            props.set(mapping.rename().getOrDefault(f.name(), f.name()), field(f.schema()));
        }
        props.set(DocumentMapper.DELETED_FIELD, JSON.createObjectNode().put("type", "boolean"));
        return props;
    }

    static ObjectNode field(Schema schema) {
        if (schema.getType() == Schema.Type.UNION) {
            for (Schema branch : schema.getTypes()) {
                if (branch.getType() != Schema.Type.NULL) {
                    return field(branch);
                }
            }
        }
        ObjectNode n = JSON.createObjectNode();
        LogicalType logical = schema.getLogicalType();
        if (logical != null) {
            switch (logical.getName()) {
                case "decimal" -> {
                    LogicalTypes.Decimal d = (LogicalTypes.Decimal) logical;
                    if (d.getPrecision() <= 15 && d.getScale() <= 6) {
                        return n.put("type", "scaled_float").put("scaling_factor", Math.pow(10, d.getScale()));
                    }
                    return n.put("type", "keyword");
                }
                case "date" -> {
                    return n.put("type", "date").put("format", "strict_date");
                }
                case "timestamp-millis", "timestamp-micros", "local-timestamp-millis", "local-timestamp-micros" -> {
                    return n.put("type", "date").put("format", "strict_date_optional_time_nanos");
                }
                case "time-millis", "time-micros" -> {
                    return n.put("type", "keyword");
                }
                default -> {
                }
            }
        }
        Object connectName = schema.getProp("connect.name");
        if ("io.debezium.data.Json".equals(connectName)) {
            return n.put("type", "object").put("dynamic", true);
        }
        if ("io.debezium.data.Enum".equals(connectName) || "io.debezium.data.EnumSet".equals(connectName)) {
            return n.put("type", "keyword");
        }
        switch (schema.getType()) {
            case STRING -> {
                n.put("type", "text");
                n.putObject("fields").putObject("keyword").put("type", "keyword").put("ignore_above", DocumentMapper.KEYWORD_MAX_LENGTH);
            }
            case ENUM -> n.put("type", "keyword");
            case INT -> n.put("type", "integer");
            case LONG -> n.put("type", "long");
            case FLOAT -> n.put("type", "float");
            case DOUBLE -> n.put("type", "double");
            case BOOLEAN -> n.put("type", "boolean");
            case BYTES, FIXED -> n.put("type", "binary");
            case RECORD -> {
                n.put("type", "object");
                ObjectNode props = n.putObject("properties");
                for (Schema.Field f : schema.getFields()) {
                    props.set(f.name(), field(f.schema()));
                }
            }
            case ARRAY -> {
                return field(schema.getElementType());
            }
            case MAP -> n.put("type", "object").put("dynamic", true);
            default -> n.put("type", "keyword");
        }
        return n;
    }

    /**
     * Compares a wanted mapping with the index's current one.
     *
     * @return the fields to add (additive change), and the conflicts that need a reindex
     */
    static Diff diff(JsonNode current, ObjectNode wanted) {
        ObjectNode add = JSON.createObjectNode();
        List<String> conflicts = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = wanted.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode have = current == null ? null : current.get(e.getKey());
            if (have == null) {
                add.set(e.getKey(), e.getValue());
            } else if (!have.path("type").asText("object").equals(e.getValue().path("type").asText("object"))) {
                conflicts.add(e.getKey() + ": index has " + have.path("type").asText("object") + ", schema needs "
                        + e.getValue().path("type").asText("object"));
            }
        }
        return new Diff(add, conflicts);
    }

    record Diff(ObjectNode add, List<String> conflicts) {
    }
}
