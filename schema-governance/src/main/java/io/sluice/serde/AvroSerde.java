package io.sluice.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Avro values in Confluent's wire format, with schema ids from a registry.
 *
 * <p>Give it a {@link CachingRegistryClient}: a steady stream then costs no registry call. Writers and readers
 * are cached per schema. Thread-safe.
 */
public final class AvroSerde {
    private final RegistryClient registry;
    private final boolean autoRegister;
    private final Map<Schema, GenericDatumWriter<Object>> writers = new ConcurrentHashMap<>();
    private final Map<Schema, GenericDatumReader<Object>> readers = new ConcurrentHashMap<>();
    private final ThreadLocal<ByteArrayOutputStream> buffers = ThreadLocal.withInitial(() -> new ByteArrayOutputStream(256));
    private final ThreadLocal<BinaryEncoder> encoders = new ThreadLocal<>();
    private final ThreadLocal<BinaryDecoder> decoders = new ThreadLocal<>();

    /**
     * @param registry where ids come from
     * @param autoRegister register schemas that are new under a subject (as Confluent's {@code auto.register.schemas});
     *     when false, an unregistered schema fails with SCHEMA_NOT_FOUND
     */
    public AvroSerde(RegistryClient registry, boolean autoRegister) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.autoRegister = autoRegister;
    }

    /**
     * Encodes a value (a record, or any Avro datum) under a subject.
     *
     * @throws SerdeException if the value does not match its schema
     */
    public byte[] serialize(String subject, Schema schema, Object value) {
        long id = autoRegister ? registry.register(subject, schema) : registry.lookup(subject, schema);
        if (id > Integer.MAX_VALUE) {
            throw new SerdeException("Schema id " + id + " does not fit the wire format's 4 bytes");
        }
        ByteArrayOutputStream out = buffers.get();
        out.reset();
        out.write(WireFormat.MAGIC);
        out.write((int) (id >>> 24));
        out.write((int) (id >>> 16));
        out.write((int) (id >>> 8));
        out.write((int) id);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, encoders.get());
        encoders.set(encoder);
        try {
            writers.computeIfAbsent(schema, GenericDatumWriter::new).write(value, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerdeException("Cannot encode a value of subject '" + subject + "' with schema " + schema.getFullName() + ": "
                    + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /**
     * Decodes wire-format bytes with the writer's schema from the registry.
     *
     * @throws SerdeException if the bytes are not wire format or do not decode
     */
    public Object deserialize(byte[] bytes) {
        int id = WireFormat.schemaId(bytes);
        Schema writer = registry.schemaById(id);
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, WireFormat.HEADER_LENGTH,
                bytes.length - WireFormat.HEADER_LENGTH, decoders.get());
        decoders.set(decoder);
        try {
            return readers.computeIfAbsent(writer, GenericDatumReader::new).read(null, decoder);
        } catch (IOException | RuntimeException e) {
            throw new SerdeException("Cannot decode " + bytes.length + " bytes with schema id " + id + ": " + e.getMessage(), e);
        }
    }

}
