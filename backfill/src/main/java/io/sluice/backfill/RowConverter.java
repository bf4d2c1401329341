package io.sluice.backfill;

import io.sluice.event.TableId;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Turns a row read over JDBC ({@link ChunkReader}) into the Avro record the capture stream carries for the same
 * row, so that a backfilled document equals a streamed one. The target schema is the table's registered value
 * schema, which {@code io.sluice.avro.ConnectToAvro} derived from Debezium's; this class follows that mapping
 * backwards (its {@code connect.name} and logical types say what Debezium made of each column).
 *
 * <p>Not supported (refused with a {@link BackfillException} that names the column): spatial columns.
 * TIMESTAMP columns are read as instants by the JDBC driver, which assumes the server's and the JVM's time zones
 * agree unless the connection says otherwise.
 *
 * <p>Stateless and thread-safe.
 */
public final class RowConverter {
    private RowConverter() {
    }

    /**
     * The value record of a row.
     *
     * @param row column name to JDBC value, as {@link ChunkReader} reads it
     * @param valueSchema the table's registered value (row) schema
     * @throws BackfillException if a column cannot be converted, naming it
     */
    public static GenericRecord value(TableId table, Map<String, Object> row, Schema valueSchema) {
        GenericData.Record out = new GenericData.Record(valueSchema);
        for (Schema.Field f : valueSchema.getFields()) {
            if (!row.containsKey(f.name())) {
                throw new BackfillException("column " + f.name() + " of " + table + " is in the registered schema but not in the table;"
                        + " the table changed after the schema was registered: let capture pass the change (and its review) first");
            }
            try {
                out.put(f.pos(), convert(f.schema(), row.get(f.name())));
            } catch (RuntimeException e) {
                throw new BackfillException("column " + f.name() + " of " + table + " cannot be backfilled: " + e.getMessage());
            }
        }
        return out;
    }

    /** The key record of a converted value: the key schema's fields taken from the value. */
    public static GenericRecord key(GenericRecord value, Schema keySchema) {
        GenericData.Record key = new GenericData.Record(keySchema);
        for (Schema.Field f : keySchema.getFields()) {
            key.put(f.pos(), value.get(f.name()));
        }
        return key;
    }

    /** A JDBC value (as {@link ChunkReader} reads it) as the Avro value of a field of {@code schema}; null stays null. */
    public static Object convert(Schema schema, Object v) {
        if (v == null) {
            return null;
        }
        if (schema.getType() == Schema.Type.UNION) {
            for (Schema branch : schema.getTypes()) {
                if (branch.getType() != Schema.Type.NULL) {
                    return convert(branch, v);
                }
            }
            throw new IllegalArgumentException("a union without a non-null branch");
        }
        LogicalType logical = schema.getLogicalType();
        if (logical != null) {
            switch (logical.getName()) {
                case "decimal": {
                    int scale = ((LogicalTypes.Decimal) logical).getScale();
                    BigDecimal d = v instanceof BigDecimal b ? b : v instanceof BigInteger i ? new BigDecimal(i) : new BigDecimal(v.toString());
                    return ByteBuffer.wrap(d.setScale(scale, RoundingMode.UNNECESSARY).unscaledValue().toByteArray());
                }
                case "date":
                    return (int) localDate(v).toEpochDay();
                case "time-millis":
                    return (int) (timeMicros(v) / 1000L);
                case "time-micros":
                    return timeMicros(v);
                case "local-timestamp-millis":
                    return localDateTimeMicros(v) / 1000L;
                case "local-timestamp-micros":
                    return localDateTimeMicros(v);
                case "timestamp-millis":
                    return instantMicros(v) / 1000L;
                case "timestamp-micros":
                    return instantMicros(v);
                default:
                    throw new IllegalArgumentException("logical type " + logical.getName() + " is not supported");
            }
        }
        String connectName = schema.getProp("connect.name");
        if ("io.debezium.time.Year".equals(connectName)) {
            return v instanceof Date || v instanceof LocalDate ? localDate(v).getYear() : ((Number) v).intValue();
        }
        if ("io.debezium.data.Bits".equals(connectName)) {
            return ByteBuffer.wrap(reversed(bits(v)));
        }
        return switch (schema.getType()) {
            case INT -> v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).intValue();
            case LONG -> v instanceof Boolean b ? (b ? 1L : 0L) : ((Number) v).longValue();
            case FLOAT -> ((Number) v).floatValue();
            case DOUBLE -> ((Number) v).doubleValue();
            case BOOLEAN -> v instanceof Boolean b ? b : v instanceof byte[] bytes ? bytes.length > 0 && bytes[bytes.length - 1] != 0
                    : ((Number) v).longValue() != 0;
            case STRING, ENUM -> v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : v.toString();
            case BYTES -> ByteBuffer.wrap(v instanceof byte[] b ? b : v.toString().getBytes(StandardCharsets.UTF_8));
            case RECORD -> throw new IllegalArgumentException("spatial and other structured columns (" + schema.getFullName()
                    + ") are not supported by backfills yet; exclude the table or stream it with a snapshot");
            default -> throw new IllegalArgumentException("Avro type " + schema.getType() + " is not supported");
        };
    }

    private static LocalDate localDate(Object v) {
        if (v instanceof LocalDate d) {
            return d;
        }
        if (v instanceof java.sql.Date d) {
            return d.toLocalDate();
        }
        if (v instanceof LocalDateTime t) {
            return t.toLocalDate();
        }
        return LocalDate.parse(v.toString());
    }

    /** TIME as signed microseconds: MySQL's TIME reaches -838:59:59 to 838:59:59, so it is read as text. */
    private static long timeMicros(Object v) {
        if (v instanceof LocalTime t) {
            return t.toNanoOfDay() / 1000L;
        }
        if (v instanceof Time t) {
            return t.toLocalTime().toNanoOfDay() / 1000L;
        }
        String s = v.toString().trim();
        boolean negative = s.startsWith("-");
        String[] parts = (negative ? s.substring(1) : s).split(":");
        String[] seconds = parts[2].split("\\.");
        long micros = (Long.parseLong(parts[0]) * 3600L + Long.parseLong(parts[1]) * 60L + Long.parseLong(seconds[0])) * 1_000_000L;
        if (seconds.length > 1) {
            micros += Long.parseLong((seconds[1] + "000000").substring(0, 6));
        }
        return negative ? -micros : micros;
    }

    private static long localDateTimeMicros(Object v) {
        LocalDateTime t = v instanceof LocalDateTime l ? l : v instanceof Timestamp ts ? ts.toLocalDateTime() : LocalDateTime.parse(
                v.toString().replace(' ', 'T'));
        return micros(t.toInstant(ZoneOffset.UTC));
    }

    private static long instantMicros(Object v) {
        Instant i = v instanceof Timestamp ts ? ts.toInstant() : v instanceof Instant in ? in : v instanceof OffsetDateTime o
                ? o.toInstant() : v instanceof LocalDateTime l ? l.atZone(ZoneId.systemDefault()).toInstant()
                : Instant.parse(v.toString());
        return micros(i);
    }

    private static long micros(Instant i) {
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000L);
    }

    private static byte[] bits(Object v) {
        if (v instanceof byte[] b) {
            return b;
        }
        if (v instanceof Boolean b) {
            return new byte[] {(byte) (b ? 1 : 0)};
        }
        long n = ((Number) v).longValue();
        return BigInteger.valueOf(n).toByteArray();
    }

    /** JDBC gives BIT(n) big-endian; Debezium sends it little-endian. */
    private static byte[] reversed(byte[] b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[b.length - 1 - i];
        }
        return out;
    }
}
