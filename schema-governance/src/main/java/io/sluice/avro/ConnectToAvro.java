package io.sluice.avro;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

/**
 * Maps Kafka Connect schemas and values, as Debezium's MySQL and MariaDB connectors produce them, to Avro.
 *
 * <h2>Type mapping</h2>
 * <table>
 * <caption>Connect schema to Avro schema</caption>
 * <tr><th>Connect (Debezium semantic name)</th><th>Avro</th><th>MySQL/MariaDB columns</th></tr>
 * <tr><td>INT8, INT16, INT32</td><td>int</td><td>TINYINT, SMALLINT, MEDIUMINT, INT (signed), unsigned TINYINT to MEDIUMINT</td></tr>
 * <tr><td>INT64</td><td>long</td><td>BIGINT, unsigned INT</td></tr>
 * <tr><td>Decimal</td><td>bytes, logical decimal(precision, scale)</td><td>DECIMAL/NUMERIC exactly; unsigned BIGINT as decimal(20,0)
 *     (the worker sets {@code bigint.unsigned.handling.mode=precise}), so no value overflows</td></tr>
 * <tr><td>FLOAT32, FLOAT64</td><td>float, double</td><td>FLOAT, DOUBLE</td></tr>
 * <tr><td>BOOLEAN</td><td>boolean</td><td>BOOLEAN as BIT(1); TINYINT(1) stays an int</td></tr>
 * <tr><td>io.debezium.time.Date</td><td>int, logical date</td><td>DATE</td></tr>
 * <tr><td>io.debezium.time.MicroTime / Time / NanoTime</td><td>long time-micros / int time-millis</td><td>TIME; values
 *     outside a day (MySQL allows -838:59:59 to 838:59:59) keep their sign and size in microseconds</td></tr>
 * <tr><td>io.debezium.time.Timestamp / MicroTimestamp / NanoTimestamp</td><td>long local-timestamp-millis /
 *     local-timestamp-micros</td><td>DATETIME: a wall-clock value without a zone, exactly as stored</td></tr>
 * <tr><td>io.debezium.time.ZonedTimestamp</td><td>long timestamp-micros (UTC instant)</td><td>TIMESTAMP: an instant,
 *     independent of the server's and the client's time zone</td></tr>
 * <tr><td>io.debezium.time.Year</td><td>int</td><td>YEAR</td></tr>
 * <tr><td>io.debezium.data.Bits</td><td>bytes (little-endian, as Debezium)</td><td>BIT(n), n &gt; 1</td></tr>
 * <tr><td>io.debezium.data.Enum, EnumSet</td><td>string with the allowed values in {@code connect.parameters}</td>
 *     <td>ENUM, SET (comma-separated)</td></tr>
 * <tr><td>STRING, io.debezium.data.Json</td><td>string</td><td>CHAR, VARCHAR, TEXT (utf8mb4), JSON</td></tr>
 * <tr><td>BYTES</td><td>bytes</td><td>BINARY, VARBINARY, BLOB</td></tr>
 * <tr><td>io.debezium.data.geometry.*</td><td>record {wkb: bytes, srid: int?}</td><td>spatial types, as WKB</td></tr>
 * </table>
 *
 * <p>Optional fields become unions with {@code null}: {@code ["null", T]} with default null, or
 * {@code [T, "null"]} when the column has a non-null default, which becomes the field's default. Column comments
 * become docs. Every schema keeps its Connect name in {@code connect.name} and its parameters in
 * {@code connect.parameters}, as Confluent's AvroData does, so that nothing Debezium said about a column is lost.
 *
 * <p>Thread safety: not thread-safe; use one mapper per capture thread. Converted schemas are cached by identity
 * of the Connect schema (Debezium reuses schema objects until a table's schema changes), so a steady stream maps
 * each schema once; the cache is cleared when it exceeds {@value #MAX_CACHED_SCHEMAS} entries.
 */
public final class ConnectToAvro {
    static final int MAX_CACHED_SCHEMAS = 4096;

    private final Map<org.apache.kafka.connect.data.Schema, Converter> cache = new IdentityHashMap<>();

    /** A schema pair with the function that converts values between them. */
    private record Converter(Schema avro, ValueConverter values) {
    }

    @FunctionalInterface
    private interface ValueConverter {
        Object convert(Object connectValue);
    }

    /**
     * The Avro schema of a Connect schema.
     *
     * @throws UnsupportedSchemaException if the Connect schema has a type Avro cannot express
     */
    public Schema toAvroSchema(org.apache.kafka.connect.data.Schema connectSchema) {
        return converter(connectSchema).avro();
    }

    /**
     * Converts a Connect value (a {@link Struct} for records) to the Avro value of {@link #toAvroSchema}.
     *
     * @param connectValue the value; null gives null
     * @throws UnsupportedSchemaException if the value does not match the schema's declared type
     */
    public Object toAvroValue(org.apache.kafka.connect.data.Schema connectSchema, Object connectValue) {
        if (connectValue == null) {
            return null;
        }
        return converter(connectSchema).values().convert(connectValue);
    }

    /** Converts a Connect struct to an Avro record; null gives null. */
    public GenericData.Record toAvroRecord(Struct struct) {
        return struct == null ? null : (GenericData.Record) toAvroValue(struct.schema(), struct);
    }

    private Converter converter(org.apache.kafka.connect.data.Schema connectSchema) {
        Converter c = cache.get(connectSchema);
        if (c == null) {
            if (cache.size() >= MAX_CACHED_SCHEMAS) {
                cache.clear();
            }
            c = build(connectSchema, new HashMap<>());
            cache.put(connectSchema, c);
        }
        return c;
    }

    /**
     * @param named record schemas already defined in this top-level schema, by full name: Avro allows one
     *     definition per name, so a second geometry column reuses the first one's record schema
     */
    private Converter build(org.apache.kafka.connect.data.Schema s, Map<String, Converter> named) {
        Converter base = buildRequired(s, named);
        Schema avro = base.avro();
        if (s.name() != null || (s.parameters() != null && !s.parameters().isEmpty())) {
            avro = withConnectProps(avro, s);
        }
        return new Converter(avro, base.values());
    }

    private Converter buildRequired(org.apache.kafka.connect.data.Schema s, Map<String, Converter> named) {
        String name = s.name();
        if (name != null) {
            Converter logical = logical(s, name);
            if (logical != null) {
                return logical;
            }
        }
        return switch (s.type()) {
            case INT8 -> new Converter(withConnectType(Schema.create(Schema.Type.INT), "int8"), v -> ((Number) v).intValue());
            case INT16 -> new Converter(withConnectType(Schema.create(Schema.Type.INT), "int16"), v -> ((Number) v).intValue());
            case INT32 -> new Converter(Schema.create(Schema.Type.INT), v -> v);
            case INT64 -> new Converter(Schema.create(Schema.Type.LONG), v -> v);
            case FLOAT32 -> new Converter(Schema.create(Schema.Type.FLOAT), v -> v);
            case FLOAT64 -> new Converter(Schema.create(Schema.Type.DOUBLE), v -> v);
            case BOOLEAN -> new Converter(Schema.create(Schema.Type.BOOLEAN), v -> v);
            case STRING -> new Converter(Schema.create(Schema.Type.STRING), v -> v);
            case BYTES -> new Converter(Schema.create(Schema.Type.BYTES), ConnectToAvro::bytes);
            case ARRAY -> array(s, named);
            case MAP -> map(s, named);
            case STRUCT -> record(s, named);
        };
    }

    /** Avro has no 8- and 16-bit ints: remember the Connect type, as Confluent's AvroData does. */
    private static Schema withConnectType(Schema s, String type) {
        s.addProp("connect.type", type);
        return s;
    }

    private static Converter logical(org.apache.kafka.connect.data.Schema s, String name) {
        switch (name) {
            case "org.apache.kafka.connect.data.Decimal": {
                int scale = Integer.parseInt(s.parameters().get("scale"));
                String p = s.parameters().get("connect.decimal.precision");
                // MySQL's largest DECIMAL has 65 digits; Debezium always sends the precision, this is a fallback.
                int precision = p == null ? 65 : Integer.parseInt(p);
                Schema avro = LogicalTypes.decimal(Math.max(precision, scale == 0 ? 1 : scale), scale)
                        .addToSchema(Schema.create(Schema.Type.BYTES));
                return new Converter(avro, v -> decimalBytes((BigDecimal) v, scale));
            }
            case "io.debezium.time.Date":
                return new Converter(LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT)), v -> v);
            case "org.apache.kafka.connect.data.Date":
                return new Converter(LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT)),
                        v -> (int) Math.floorDiv(((Date) v).getTime(), 86_400_000L));
            case "io.debezium.time.Time":
                return new Converter(LogicalTypes.timeMillis().addToSchema(Schema.create(Schema.Type.INT)), v -> v);
            case "org.apache.kafka.connect.data.Time":
                return new Converter(LogicalTypes.timeMillis().addToSchema(Schema.create(Schema.Type.INT)),
                        v -> (int) ((Date) v).getTime());
            case "io.debezium.time.MicroTime":
                return new Converter(LogicalTypes.timeMicros().addToSchema(Schema.create(Schema.Type.LONG)), v -> v);
            case "io.debezium.time.NanoTime":
                return new Converter(LogicalTypes.timeMicros().addToSchema(Schema.create(Schema.Type.LONG)),
                        v -> ((Long) v) / 1000L);
            case "io.debezium.time.Timestamp":
                return new Converter(LogicalTypes.localTimestampMillis().addToSchema(Schema.create(Schema.Type.LONG)), v -> v);
            case "io.debezium.time.MicroTimestamp":
                return new Converter(LogicalTypes.localTimestampMicros().addToSchema(Schema.create(Schema.Type.LONG)), v -> v);
            case "io.debezium.time.NanoTimestamp":
                return new Converter(LogicalTypes.localTimestampMicros().addToSchema(Schema.create(Schema.Type.LONG)),
                        v -> ((Long) v) / 1000L);
            case "org.apache.kafka.connect.data.Timestamp":
                return new Converter(LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG)),
                        v -> ((Date) v).getTime());
            case "io.debezium.time.ZonedTimestamp":
                return new Converter(LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG)),
                        v -> instantMicros((String) v));
            default:
                return null;
        }
    }

    private Converter array(org.apache.kafka.connect.data.Schema s, Map<String, Converter> named) {
        Converter element = build(s.valueSchema(), named);
        Schema avro = Schema.createArray(optionalIf(s.valueSchema(), element.avro(), null));
        return new Converter(avro, v -> {
            List<?> in = (List<?>) v;
            List<Object> out = new ArrayList<>(in.size());
            for (Object o : in) {
                out.add(o == null ? null : element.values().convert(o));
            }
            return out;
        });
    }

    private Converter map(org.apache.kafka.connect.data.Schema s, Map<String, Converter> named) {
        if (s.keySchema().type() != org.apache.kafka.connect.data.Schema.Type.STRING) {
            throw new UnsupportedSchemaException("Avro maps need string keys; the Connect map has "
                    + s.keySchema().type() + " keys");
        }
        Converter value = build(s.valueSchema(), named);
        Schema avro = Schema.createMap(optionalIf(s.valueSchema(), value.avro(), null));
        return new Converter(avro, v -> {
            Map<?, ?> in = (Map<?, ?>) v;
            Map<String, Object> out = new LinkedHashMap<>();
            in.forEach((k, o) -> out.put((String) k, o == null ? null : value.values().convert(o)));
            return out;
        });
    }

    private Converter record(org.apache.kafka.connect.data.Schema s, Map<String, Converter> named) {
        String fullName = AvroNames.fullName(s.name() == null ? "ConnectRecord" : s.name());
        Converter defined = named.get(fullName);
        if (defined != null) {
            return defined;
        }
        int dot = fullName.lastIndexOf('.');
        Schema avro = Schema.createRecord(dot < 0 ? fullName : fullName.substring(dot + 1), s.doc(),
                dot < 0 ? null : fullName.substring(0, dot), false);
        List<Field> fields = s.fields();
        ValueConverter[] fieldConverters = new ValueConverter[fields.size()];
        Converter self = new Converter(avro, v -> {
            Struct struct = (Struct) v;
            GenericData.Record record = new GenericData.Record(avro);
            for (int i = 0; i < fieldConverters.length; i++) {
                Object value = struct.get(fields.get(i));
                record.put(i, value == null ? null : fieldConverters[i].convert(value));
            }
            return record;
        });
        named.put(fullName, self);
        List<Schema.Field> avroFields = new ArrayList<>(fields.size());
        for (int i = 0; i < fields.size(); i++) {
            Field f = fields.get(i);
            Converter fc = build(f.schema(), named);
            fieldConverters[i] = fc.values();
            Object defaultValue = f.schema().defaultValue() == null ? null : fc.values().convert(f.schema().defaultValue());
            Schema fieldSchema = optionalIf(f.schema(), fc.avro(), defaultValue);
            Object avroDefault;
            if (defaultValue != null) {
                avroDefault = defaultForJson(defaultValue);
            } else if (f.schema().isOptional()) {
                avroDefault = JsonProperties.NULL_VALUE;
            } else {
                avroDefault = null;
            }
            avroFields.add(new Schema.Field(AvroNames.name(f.name()), fieldSchema, f.schema().doc(), avroDefault));
        }
        avro.setFields(avroFields);
        return self;
    }

    private static Schema optionalIf(org.apache.kafka.connect.data.Schema s, Schema avro, Object defaultValue) {
        if (!s.isOptional()) {
            return avro;
        }
        Schema nul = Schema.create(Schema.Type.NULL);
        return defaultValue == null ? Schema.createUnion(nul, avro) : Schema.createUnion(avro, nul);
    }

    private static Schema withConnectProps(Schema avro, org.apache.kafka.connect.data.Schema s) {
        if (avro.getType() == Schema.Type.RECORD) {
            // Record schemas are shared between uses: set the properties once, on the record itself.
            if (avro.getProp("connect.name") == null && s.name() != null) {
                avro.addProp("connect.name", s.name());
            }
            return avro;
        }
        if (s.name() != null) {
            avro.addProp("connect.name", s.name());
        }
        if (s.parameters() != null && !s.parameters().isEmpty()) {
            avro.addProp("connect.parameters", new TreeMap<>(s.parameters()));
        }
        return avro;
    }

    /** Avro's Field constructor wants JSON-able defaults: bytes as byte[], everything else as is. */
    private static Object defaultForJson(Object avroValue) {
        if (avroValue instanceof ByteBuffer buffer) {
            byte[] b = new byte[buffer.remaining()];
            buffer.duplicate().get(b);
            return b;
        }
        if (avroValue instanceof GenericData.Record) {
            return null;
        }
        return avroValue;
    }

    private static ByteBuffer bytes(Object v) {
        if (v instanceof byte[] b) {
            return ByteBuffer.wrap(b);
        }
        if (v instanceof ByteBuffer b) {
            return b;
        }
        throw new UnsupportedSchemaException("expected bytes, got " + v.getClass().getName());
    }

    private static ByteBuffer decimalBytes(BigDecimal value, int scale) {
        BigDecimal scaled = value.scale() == scale ? value : value.setScale(scale, RoundingMode.UNNECESSARY);
        return ByteBuffer.wrap(scaled.unscaledValue().toByteArray());
    }

    private static long instantMicros(String iso) {
        try {
            var instant = OffsetDateTime.parse(iso).toInstant();
            return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000L);
        } catch (DateTimeParseException e) {
            throw new UnsupportedSchemaException("TIMESTAMP value '" + iso + "' is not an ISO-8601 instant");
        }
    }
}
