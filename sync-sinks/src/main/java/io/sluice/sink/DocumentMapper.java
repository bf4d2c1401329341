package io.sluice.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;

/**
 * Turns a row image into a JSON-ready document, applying a {@link TableMapping}'s include, exclude and rename.
 *
 * <p>Values: decimals become {@link BigDecimal} (exact in JSON), timestamps ISO-8601 strings (UTC instants end in
 * {@code Z}, DATETIME values have no zone), dates {@code yyyy-MM-dd}, times {@code HH:mm:ss.SSSSSS}, bytes Base64,
 * JSON columns ({@code io.debezium.data.Json}) nested JSON, records nested objects. Stateless and thread-safe.
 */
public final class DocumentMapper {
    /** The field that marks a deleted row under {@link DeleteMode#MARK}. */
    public static final String DELETED_FIELD = "__deleted";
    /**
     * Strings longer than this are indexed for full-text matches only, not as one exact term: OpenSearch's
     * {@code ignore_above} in its default mapping of strings, and far under Lucene's limit of 32,766 bytes a term.
     */
    public static final int KEYWORD_MAX_LENGTH = 256;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Reads documents back without rounding: a decimal stays the {@link BigDecimal} it was written from. */
    private static final ObjectMapper EXACT = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true)).build();
    private static final TypeReference<LinkedHashMap<String, Object>> OBJECT = new TypeReference<>() { };

    private DocumentMapper() {
    }

    /** The document of a row image. */
    public static Map<String, Object> document(GenericRecord row, TableMapping mapping) {
        Map<String, Object> doc = new LinkedHashMap<>();
        for (Schema.Field f : row.getSchema().getFields()) {
            String name = f.name();
            if ((!mapping.include().isEmpty() && !mapping.include().contains(name)) || mapping.exclude().contains(name)) {
                continue;
            }
            doc.put(mapping.rename().getOrDefault(name, name), value(f.schema(), row.get(f.pos())));
        }
        return doc;
    }

    /** The document as a JSON string. */
    public static String json(Map<String, Object> document) {
        return write(document, "document");
    }

    /**
     * A stored document read back from its JSON, in its field order; numbers with a fraction as {@link BigDecimal},
     * so that writing it again gives the same text.
     *
     * @throws IllegalArgumentException if the text is not a JSON object
     */
    public static Map<String, Object> parse(String json) {
        try {
            return EXACT.readValue(json, OBJECT);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("stored document is not a JSON object: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * JSON text read back as a tree that writes out as it came in: decimals keep their digits ({@code 12.50}, not
     * 12.5), so a stored document can be changed and written again.
     *
     * @throws IllegalArgumentException if the text is not JSON
     */
    public static JsonNode tree(String json) {
        try {
            return EXACT.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** One document value as JSON text: {@code 42}, {@code true}, {@code "a"}, {@code {"a":1}}. */
    public static String jsonValue(Object value) {
        return write(value, "value");
    }

    private static String write(Object value, String what) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(what + " cannot be written as JSON: " + e.getMessage(), e);
        }
    }

    static Object value(Schema schema, Object value) {
        if (value == null) {
            return null;
        }
        if (schema.getType() == Schema.Type.UNION) {
            for (Schema branch : schema.getTypes()) {
                if (branch.getType() != Schema.Type.NULL) {
                    return value(branch, value);
                }
            }
            return null;
        }
        LogicalType logical = schema.getLogicalType();
        if (logical != null) {
            switch (logical.getName()) {
                case "decimal":
                    return new BigDecimal(new BigInteger(bytes(value)), ((LogicalTypes.Decimal) logical).getScale());
                case "date":
                    return LocalDate.ofEpochDay((Integer) value).toString();
                case "time-millis":
                    return LocalTime.ofNanoOfDay(((Integer) value) * 1_000_000L).toString();
                case "time-micros": {
                    long micros = (Long) value;
                    return micros >= 0 && micros < 86_400_000_000L ? LocalTime.ofNanoOfDay(micros * 1000L).toString() : duration(micros);
                }
                case "timestamp-millis":
                    return Instant.ofEpochMilli((Long) value).toString();
                case "timestamp-micros":
                    return micros((Long) value).toString();
                case "local-timestamp-millis":
                    return LocalDateTime.ofInstant(Instant.ofEpochMilli((Long) value), ZoneOffset.UTC).toString();
                case "local-timestamp-micros":
                    return LocalDateTime.ofInstant(micros((Long) value), ZoneOffset.UTC).toString();
                default:
                    break;
            }
        }
        if ("io.debezium.data.Json".equals(schema.getProp("connect.name"))) {
            try {
                return JSON.readTree(value.toString());
            } catch (JsonProcessingException e) {
                return value.toString();
            }
        }
        return switch (schema.getType()) {
            case STRING, ENUM -> value.toString();
            case BYTES, FIXED -> Base64.getEncoder().encodeToString(bytes(value));
            case RECORD -> {
                GenericRecord r = (GenericRecord) value;
                Map<String, Object> nested = new LinkedHashMap<>();
                for (Schema.Field f : r.getSchema().getFields()) {
                    nested.put(f.name(), value(f.schema(), r.get(f.pos())));
                }
                yield nested;
            }
            case ARRAY -> {
                List<Object> out = new ArrayList<>();
                for (Object o : (List<?>) value) {
                    out.add(value(schema.getElementType(), o));
                }
                yield out;
            }
            case MAP -> {
                Map<String, Object> out = new LinkedHashMap<>();
                ((Map<?, ?>) value).forEach((k, v) -> out.put(k.toString(), value(schema.getValueType(), v)));
                yield out;
            }
            default -> value;
        };
    }

    private static Instant micros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }

    private static String duration(long micros) {
        long abs = Math.abs(micros);
        return String.format("%s%02d:%02d:%02d.%06d", micros < 0 ? "-" : "", abs / 3_600_000_000L, (abs / 60_000_000L) % 60,
                (abs / 1_000_000L) % 60, abs % 1_000_000L);
    }

    private static byte[] bytes(Object v) {
        if (v instanceof ByteBuffer b) {
            byte[] out = new byte[b.remaining()];
            b.duplicate().get(out);
            return out;
        }
        if (v instanceof byte[] b) {
            return b;
        }
        if (v instanceof GenericFixed f) {
            return f.bytes();
        }
        throw new IllegalArgumentException("expected bytes, got " + v.getClass().getName());
    }
}
