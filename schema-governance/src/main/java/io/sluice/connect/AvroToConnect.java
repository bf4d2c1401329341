package io.sluice.connect;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

/**
 * Maps Avro schemas and values back to Kafka Connect, the inverse of {@link io.sluice.avro.ConnectToAvro}:
 * {@code connect.name}, {@code connect.parameters} and {@code connect.type} restore Debezium's semantic types
 * (so a sink sees the same Connect data the source connector produced); schemas without them get the standard
 * mapping (Avro logical types to Connect's Decimal, Date, Time and Timestamp).
 *
 * <p>Not thread-safe: one per converter instance and thread. Schemas are cached by identity.
 */
public final class AvroToConnect {
    private static final DateTimeFormatter ZONED = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    private record Mapping(org.apache.kafka.connect.data.Schema connect, Function<Object, Object> values) {
    }

    private final Map<Schema, Mapping> cache = new IdentityHashMap<>();

    public org.apache.kafka.connect.data.Schema toConnectSchema(Schema avro) {
        return mapping(avro).connect();
    }

    /** Converts an Avro datum to the Connect value of {@link #toConnectSchema}; null gives null. */
    public Object toConnectValue(Schema avro, Object value) {
        return value == null ? null : mapping(avro).values().apply(value);
    }

    private Mapping mapping(Schema avro) {
        Mapping m = cache.get(avro);
        if (m == null) {
            if (cache.size() > 4096) {
                cache.clear();
            }
            m = build(avro, false);
            cache.put(avro, m);
        }
        return m;
    }

    private Mapping build(Schema avro, boolean optional) {
        if (avro.getType() == Schema.Type.UNION) {
            List<Schema> types = avro.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).toList();
            if (types.size() != 1) {
                throw new IllegalArgumentException("Connect has no unions: " + avro + " cannot be converted");
            }
            return build(types.get(0), optional || types.size() < avro.getTypes().size());
        }
        Object connectName = avro.getProp("connect.name");
        if (connectName != null && avro.getType() != Schema.Type.RECORD) {
            return semantic(avro, connectName.toString(), optional);
        }
        LogicalType logical = avro.getLogicalType();
        if (logical != null) {
            Mapping m = standardLogical(avro, logical, optional);
            if (m != null) {
                return m;
            }
        }
        switch (avro.getType()) {
            case RECORD:
                return record(avro, optional);
            case ARRAY: {
                Mapping element = build(avro.getElementType(), false);
                SchemaBuilder b = SchemaBuilder.array(element.connect());
                return new Mapping(opt(b, optional), v -> {
                    List<Object> out = new ArrayList<>();
                    for (Object o : (List<?>) v) {
                        out.add(o == null ? null : element.values().apply(o));
                    }
                    return out;
                });
            }
            case MAP: {
                Mapping value = build(avro.getValueType(), false);
                SchemaBuilder b = SchemaBuilder.map(org.apache.kafka.connect.data.Schema.STRING_SCHEMA, value.connect());
                return new Mapping(opt(b, optional), v -> {
                    Map<String, Object> out = new LinkedHashMap<>();
                    ((Map<?, ?>) v).forEach((k, o) -> out.put(k.toString(), o == null ? null : value.values().apply(o)));
                    return out;
                });
            }
            case INT: {
                Object type = avro.getProp("connect.type");
                if ("int8".equals(type)) {
                    return new Mapping(opt(SchemaBuilder.int8(), optional), v -> ((Integer) v).byteValue());
                }
                if ("int16".equals(type)) {
                    return new Mapping(opt(SchemaBuilder.int16(), optional), v -> ((Integer) v).shortValue());
                }
                return new Mapping(opt(SchemaBuilder.int32(), optional), v -> v);
            }
            case LONG:
                return new Mapping(opt(SchemaBuilder.int64(), optional), v -> v);
            case FLOAT:
                return new Mapping(opt(SchemaBuilder.float32(), optional), v -> v);
            case DOUBLE:
                return new Mapping(opt(SchemaBuilder.float64(), optional), v -> v);
            case BOOLEAN:
                return new Mapping(opt(SchemaBuilder.bool(), optional), v -> v);
            case STRING:
            case ENUM:
                return new Mapping(opt(SchemaBuilder.string(), optional), Object::toString);
            case BYTES:
            case FIXED:
                return new Mapping(opt(SchemaBuilder.bytes(), optional), AvroToConnect::bytes);
            default:
                throw new IllegalArgumentException("Avro type " + avro.getType() + " has no Connect equivalent");
        }
    }

    private Mapping record(Schema avro, boolean optional) {
        Object connectName = avro.getProp("connect.name");
        SchemaBuilder b = SchemaBuilder.struct().name(connectName != null ? connectName.toString() : avro.getFullName());
        if (avro.getDoc() != null) {
            b.doc(avro.getDoc());
        }
        List<Mapping> fields = new ArrayList<>();
        for (Schema.Field f : avro.getFields()) {
            Mapping m = build(f.schema(), false);
            fields.add(m);
            b.field(f.name(), m.connect());
        }
        org.apache.kafka.connect.data.Schema schema = opt(b, optional);
        return new Mapping(schema, v -> {
            GenericRecord r = (GenericRecord) v;
            Struct s = new Struct(schema);
            for (int i = 0; i < fields.size(); i++) {
                Object value = r.get(i);
                s.put(schema.fields().get(i), value == null ? null : fields.get(i).values().apply(value));
            }
            return s;
        });
    }

    private static Mapping semantic(Schema avro, String name, boolean optional) {
        SchemaBuilder b = switch (avro.getType()) {
            case INT -> SchemaBuilder.int32();
            case LONG -> SchemaBuilder.int64();
            case STRING -> SchemaBuilder.string();
            case BYTES, FIXED -> SchemaBuilder.bytes();
            case BOOLEAN -> SchemaBuilder.bool();
            case FLOAT -> SchemaBuilder.float32();
            case DOUBLE -> SchemaBuilder.float64();
            default -> throw new IllegalArgumentException("connect.name " + name + " on Avro type " + avro.getType());
        };
        Function<Object, Object> values = v -> v;
        switch (name) {
            case "org.apache.kafka.connect.data.Decimal" -> {
                int scale = ((LogicalTypes.Decimal) avro.getLogicalType()).getScale();
                b = Decimal.builder(scale);
                values = v -> new BigDecimal(new BigInteger(bytes(v)), scale);
            }
            case "io.debezium.time.ZonedTimestamp" -> {
                b = SchemaBuilder.string();
                values = v -> {
                    long micros = (Long) v;
                    Instant i = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
                    return ZONED.format(i.atOffset(ZoneOffset.UTC));
                };
            }
            case "io.debezium.time.NanoTime", "io.debezium.time.NanoTimestamp" -> values = v -> ((Long) v) * 1000L;
            case "org.apache.kafka.connect.data.Date" -> {
                b = Date.builder();
                values = v -> utilDate(((Integer) v) * 86_400_000L);
            }
            case "org.apache.kafka.connect.data.Time" -> {
                b = Time.builder();
                values = v -> utilDate((Integer) v);
            }
            case "org.apache.kafka.connect.data.Timestamp" -> {
                b = Timestamp.builder();
                values = v -> utilDate((Long) v);
            }
            default -> {
                if (avro.getType() == Schema.Type.STRING) {
                    values = Object::toString;
                } else if (avro.getType() == Schema.Type.BYTES || avro.getType() == Schema.Type.FIXED) {
                    values = AvroToConnect::bytes;
                }
            }
        }
        if (!name.startsWith("org.apache.kafka.connect.data.")) {
            b.name(name);
        }
        Object params = avro.getObjectProp("connect.parameters");
        if (params instanceof Map<?, ?> map) {
            SchemaBuilder builder = b;
            map.forEach((k, v) -> {
                if (builder.parameters() == null || !builder.parameters().containsKey(k.toString())) {
                    builder.parameter(k.toString(), String.valueOf(v));
                }
            });
        }
        return new Mapping(opt(b, optional), values);
    }

    private static Mapping standardLogical(Schema avro, LogicalType logical, boolean optional) {
        switch (logical.getName()) {
            case "decimal": {
                int scale = ((LogicalTypes.Decimal) logical).getScale();
                return new Mapping(opt(Decimal.builder(scale), optional), v -> new BigDecimal(new BigInteger(bytes(v)), scale));
            }
            case "date":
                return new Mapping(opt(Date.builder(), optional), v -> utilDate(((Integer) v) * 86_400_000L));
            case "time-millis":
                return new Mapping(opt(Time.builder(), optional), v -> utilDate((Integer) v));
            case "timestamp-millis":
                return new Mapping(opt(Timestamp.builder(), optional), v -> utilDate((Long) v));
            default:
                return null;
        }
    }

    /** The value of Connect's logical Date, Time and Timestamp; Connect's {@code Date} class takes the short name here. */
    private static java.util.Date utilDate(long epochMillis) {
        return new java.util.Date(epochMillis);
    }

    private static org.apache.kafka.connect.data.Schema opt(SchemaBuilder b, boolean optional) {
        return optional ? b.optional().build() : b.build();
    }

    private static byte[] bytes(Object v) {
        if (v instanceof byte[] b) {
            return b;
        }
        if (v instanceof ByteBuffer buffer) {
            byte[] out = new byte[buffer.remaining()];
            buffer.duplicate().get(out);
            return out;
        }
        if (v instanceof GenericFixed f) {
            return f.bytes();
        }
        throw new IllegalArgumentException("expected bytes, got " + v.getClass().getName());
    }
}
