package io.sluice.view;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.util.Utf8;

/**
 * Column values as views compare and bind them: values read over JDBC and values taken from a change event's Avro
 * image must meet, so both are brought to one text form to compare ({@link #text}) and Avro values to what JDBC
 * binds ({@link #jdbc}). Stateless and thread-safe.
 */
public final class KeyValues {
    private KeyValues() {
    }

    /** A tuple of values in their comparable text form; null stays null (it never joins). */
    public static List<String> text(List<Object> values) {
        List<String> out = new ArrayList<>(values.size());
        for (Object v : values) {
            out.add(text(v));
        }
        return out;
    }

    /** A value's comparable text: numbers without trailing zeros (1, 1.0 and 1.00 meet), bytes in hex. */
    static String text(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof Number n) {
            return (n instanceof BigDecimal b ? b : new BigDecimal(n.toString())).stripTrailingZeros().toPlainString();
        }
        if (v instanceof byte[] b) {
            return HexFormat.of().formatHex(b);
        }
        return v.toString();
    }

    /** An Avro value of a column, as JDBC binds it. */
    static Object jdbc(Schema schema, Object v) {
        if (v == null) {
            return null;
        }
        Schema s = schema;
        if (s.getType() == Schema.Type.UNION) {
            s = s.getTypes().stream().filter(b -> b.getType() != Schema.Type.NULL).findFirst().orElse(s);
        }
        LogicalType logical = s.getLogicalType();
        if (logical instanceof LogicalTypes.Decimal d && v instanceof ByteBuffer b) {
            byte[] bytes = new byte[b.remaining()];
            b.duplicate().get(bytes);
            return new BigDecimal(new BigInteger(bytes), d.getScale());
        }
        if (logical instanceof LogicalTypes.Date && v instanceof Integer days) {
            return LocalDate.ofEpochDay(days);
        }
        if (v instanceof Utf8 || v instanceof CharSequence) {
            return v.toString();
        }
        if (v instanceof ByteBuffer b) {
            byte[] bytes = new byte[b.remaining()];
            b.duplicate().get(bytes);
            return bytes;
        }
        return v;
    }

    /**
     * A key value as JDBC would read it for a column of this Avro type: keys come back as text from a target's ids and
     * as JSON numbers from a stored rebuild, so numbers are given their column's number type again.
     */
    static Object typed(Schema schema, Object v) {
        Schema s = schema.getType() == Schema.Type.UNION
                ? schema.getTypes().stream().filter(b -> b.getType() != Schema.Type.NULL).findFirst().orElse(schema) : schema;
        if (!(v instanceof String) && !(v instanceof Number)) {
            return v;
        }
        String text = v.toString();
        if (s.getLogicalType() instanceof LogicalTypes.Decimal) {
            return new BigDecimal(text);
        }
        if (s.getLogicalType() != null) {
            return v;
        }
        return switch (s.getType()) {
            case INT -> v instanceof Number n ? n.intValue() : Integer.parseInt(text);
            case LONG -> v instanceof Number n ? n.longValue() : Long.parseLong(text);
            case FLOAT -> v instanceof Number n ? n.floatValue() : Float.parseFloat(text);
            case DOUBLE -> v instanceof Number n ? n.doubleValue() : Double.parseDouble(text);
            case BOOLEAN -> v instanceof Number n ? n.intValue() != 0 : Boolean.parseBoolean(text);
            default -> v;
        };
    }
}
