package io.sluice.contract;

import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.protobuf.ByteString;
import com.google.protobuf.NullValue;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.NullableType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import dev.cel.common.types.StructTypeReference;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;

/**
 * How a change event's rows look to CEL: a row's Avro record is a struct type named after the record, whose fields
 * have CEL's types (integers are {@code int}, decimals {@code double}, strings {@code string}, nullable columns their
 * type or null), so that an expression is type-checked against the table's columns when it is declared; at run time a
 * row is a read-only map over the record, converted field by field as CEL reads it.
 */
final class AvroCel {
    private AvroCel() {
    }

    /** Registers the row's record type (and nested records) for the checker. */
    static CelTypeProvider typeProvider(Schema record) {
        ImmutableMap.Builder<String, CelType> types = ImmutableMap.builder();
        collect(record, types);
        ImmutableMap<String, CelType> byName = types.buildKeepingLast();
        return new CelTypeProvider() {
            @Override
            public ImmutableCollection<CelType> types() {
                return ImmutableSet.copyOf(byName.values());
            }

            @Override
            public Optional<CelType> findType(String typeName) {
                return Optional.ofNullable(byName.get(typeName));
            }
        };
    }

    private static void collect(Schema schema, ImmutableMap.Builder<String, CelType> types) {
        Schema s = nonNull(schema);
        if (s.getType() == Schema.Type.RECORD) {
            ImmutableSet<String> names = s.getFields().stream().map(Schema.Field::name).collect(ImmutableSet.toImmutableSet());
            types.put(s.getFullName(), StructType.create(s.getFullName(), names,
                    name -> Optional.ofNullable(s.getField(name)).map(f -> type(f.schema()))));
            s.getFields().forEach(f -> collect(f.schema(), types));
        } else if (s.getType() == Schema.Type.ARRAY) {
            collect(s.getElementType(), types);
        }
    }

    /** The CEL type of a field of this Avro type. */
    static CelType type(Schema schema) {
        Schema s = nonNull(schema);
        CelType base = baseType(s);
        return s != schema && base instanceof SimpleType simple && simple != SimpleType.DYN ? NullableType.create(simple) : base;
    }

    private static CelType baseType(Schema s) {
        LogicalType logical = s.getLogicalType();
        if (logical instanceof LogicalTypes.Decimal) {
            return SimpleType.DOUBLE;
        }
        return switch (s.getType()) {
            case BOOLEAN -> SimpleType.BOOL;
            case INT, LONG -> SimpleType.INT;
            case FLOAT, DOUBLE -> SimpleType.DOUBLE;
            case STRING, ENUM -> SimpleType.STRING;
            case BYTES, FIXED -> SimpleType.BYTES;
            case ARRAY -> ListType.create(type(s.getElementType()));
            case RECORD -> StructTypeReference.create(s.getFullName());
            case NULL -> SimpleType.NULL_TYPE;
            default -> SimpleType.DYN;
        };
    }

    /** The branch of a {@code [null, X]} union that is not null; any other schema itself. */
    static Schema nonNull(Schema schema) {
        if (schema.getType() == Schema.Type.UNION) {
            for (Schema branch : schema.getTypes()) {
                if (branch.getType() != Schema.Type.NULL) {
                    return branch;
                }
            }
        }
        return schema;
    }

    /** Whether the field's Avro type is one a {@code CEL_FIELD} transform applies to (not a record or an array). */
    static boolean isPrimitive(Schema schema) {
        Schema.Type t = nonNull(schema).getType();
        return t != Schema.Type.RECORD && t != Schema.Type.ARRAY && t != Schema.Type.MAP && t != Schema.Type.UNION;
    }

    /** Confluent's name of a field's type, as CEL_FIELD rules see it in {@code typeName}: STRING, INT, ... */
    static String typeName(Schema schema) {
        Schema s = nonNull(schema);
        return switch (s.getType()) {
            case STRING -> "STRING";
            case INT -> "INT";
            case LONG -> "LONG";
            case FLOAT -> "FLOAT";
            case DOUBLE -> "DOUBLE";
            case BOOLEAN -> "BOOLEAN";
            case BYTES -> "BYTES";
            case FIXED -> "FIXED";
            case ENUM -> "ENUM";
            case RECORD -> "RECORD";
            case ARRAY -> "ARRAY";
            case MAP -> "MAP";
            default -> "NULL";
        };
    }

    /** A value as CEL sees it. */
    static Object value(Schema schema, Object v) {
        if (v == null) {
            return NullValue.NULL_VALUE;
        }
        Schema s = nonNull(schema);
        if (s.getLogicalType() instanceof LogicalTypes.Decimal d) {
            return decimalAsDouble(v, d.getScale());
        }
        return switch (s.getType()) {
            case INT, LONG -> ((Number) v).longValue();
            case FLOAT, DOUBLE -> ((Number) v).doubleValue();
            case STRING, ENUM -> v.toString();
            case BYTES -> ByteString.copyFrom(((ByteBuffer) v).duplicate());
            case FIXED -> ByteString.copyFrom(((GenericFixed) v).bytes());
            case RECORD -> row((GenericRecord) v);
            case ARRAY -> {
                List<Object> out = new ArrayList<>();
                for (Object e : (List<?>) v) {
                    out.add(value(s.getElementType(), e));
                }
                yield out;
            }
            default -> v;
        };
    }

    /**
     * A decimal as a double, without a BigDecimal when the unscaled value and the power of ten are both exact doubles
     * (then one division is correctly rounded, as {@link BigDecimal#doubleValue()} is).
     */
    private static double decimalAsDouble(Object v, int scale) {
        if (v instanceof ByteBuffer buffer && buffer.remaining() <= 7 && scale >= 0 && scale < POWERS.length) {
            ByteBuffer b = buffer.duplicate();
            long unscaled = b.get(); // sign-extended
            while (b.hasRemaining()) {
                unscaled = (unscaled << 8) | (b.get() & 0xFF);
            }
            return unscaled / POWERS[scale];
        }
        return decimal(v, scale).doubleValue();
    }

    /** 10^0 to 10^22, each exact as a double. */
    private static final double[] POWERS = new double[23];

    static {
        double p = 1;
        for (int i = 0; i < POWERS.length; i++) {
            POWERS[i] = p;
            p *= 10;
        }
    }

    private static BigDecimal decimal(Object v, int scale) {
        if (v instanceof BigDecimal b) {
            return b;
        }
        ByteBuffer buffer = ((ByteBuffer) v).duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return new BigDecimal(new BigInteger(bytes), scale);
    }

    /**
     * A CEL result back in the field's Avro type.
     *
     * @throws IllegalArgumentException if the result does not fit the field (a string for an integer column)
     */
    static Object fromCel(Schema schema, Object v) {
        if (v == null || v instanceof NullValue) {
            if (schema.getType() == Schema.Type.UNION) {
                return null;
            }
            throw new IllegalArgumentException("null for a column that is not nullable");
        }
        Schema s = nonNull(schema);
        if (s.getLogicalType() instanceof LogicalTypes.Decimal d && v instanceof Number n) {
            BigDecimal value = new BigDecimal(n.toString()).setScale(d.getScale(), RoundingMode.HALF_EVEN);
            return ByteBuffer.wrap(value.unscaledValue().toByteArray());
        }
        return switch (s.getType()) {
            case STRING -> {
                if (v instanceof String text) {
                    yield new Utf8(text);
                }
                throw new IllegalArgumentException("a " + kind(v) + " for a string column");
            }
            case INT -> number(v, "int").intValue();
            case LONG -> number(v, "long").longValue();
            case FLOAT -> number(v, "float").floatValue();
            case DOUBLE -> number(v, "double").doubleValue();
            case BOOLEAN -> {
                if (v instanceof Boolean b) {
                    yield b;
                }
                throw new IllegalArgumentException("a " + kind(v) + " for a boolean column");
            }
            case BYTES -> {
                if (v instanceof ByteString b) {
                    yield ByteBuffer.wrap(b.toByteArray());
                }
                throw new IllegalArgumentException("a " + kind(v) + " for a bytes column");
            }
            default -> throw new IllegalArgumentException("a transform of a " + typeName(s) + " column");
        };
    }

    private static Number number(Object v, String column) {
        if (v instanceof Number n) {
            return n;
        }
        throw new IllegalArgumentException("a " + kind(v) + " for a " + column + " column");
    }

    private static String kind(Object v) {
        return v instanceof String ? "string" : v.getClass().getSimpleName();
    }

    /** A read-only view of a row for CEL; its fields are converted when read. */
    static Map<String, Object> row(GenericRecord record) {
        return new Row(record);
    }

    private static final class Row extends AbstractMap<String, Object> {
        private final GenericRecord record;

        Row(GenericRecord record) {
            this.record = record;
        }

        @Override
        public Object get(Object key) {
            Schema.Field f = key instanceof String name ? record.getSchema().getField(name) : null;
            return f == null ? null : value(f.schema(), record.get(f.pos()));
        }

        @Override
        public boolean containsKey(Object key) {
            return key instanceof String name && record.getSchema().getField(name) != null;
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            List<Schema.Field> fields = record.getSchema().getFields();
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, Object>> iterator() {
                    Iterator<Schema.Field> it = fields.iterator();
                    return new Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        @Override
                        public Entry<String, Object> next() {
                            Schema.Field f = it.next();
                            return new SimpleImmutableEntry<>(f.name(), value(f.schema(), record.get(f.pos())));
                        }
                    };
                }

                @Override
                public int size() {
                    return fields.size();
                }
            };
        }
    }
}
