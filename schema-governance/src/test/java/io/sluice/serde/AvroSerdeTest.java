package io.sluice.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.registry.RegistryError;
import io.sluice.registry.RegistryException;
import io.sluice.testkit.MetadataDatabase;
import io.sluice.registry.SchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
    private static final Schema SCHEMA = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Order\",\"fields\":["
            + "{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"note\",\"type\":[\"null\",\"string\"],\"default\":null}]}");

    private final SchemaRegistry registry = new SchemaRegistry(MetadataDatabase.inMemory(), Clock.systemUTC());
    private final CachingRegistryClient client = new CachingRegistryClient(new LocalRegistryClient(registry));

    private static GenericRecord order(long id, String note) {
        GenericData.Record r = new GenericData.Record(SCHEMA);
        r.put("id", id);
        r.put("note", note);
        return r;
    }

    @Test
    void shouldWriteConfluentWireFormatThatPlainAvroDecodes() throws Exception {
        AvroSerde serde = new AvroSerde(client, true);
        byte[] bytes = serde.serialize("shop.orders-value", SCHEMA, order(7, "fragile"));

        long id = registry.lookup("shop.orders-value", SCHEMA.toString(), false).id();
        assertThat(bytes[0]).isEqualTo((byte) 0);
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo((int) id);
        // The rest is exactly Avro's binary encoding.
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(plain, null);
        new GenericDatumWriter<GenericRecord>(SCHEMA).write(order(7, "fragile"), enc);
        enc.flush();
        assertThat(Arrays.copyOfRange(bytes, 5, bytes.length)).isEqualTo(plain.toByteArray());

        GenericRecord back = (GenericRecord) serde.deserialize(bytes);
        assertThat(back.get("id")).isEqualTo(7L);
        assertThat(back.get("note").toString()).isEqualTo("fragile");
    }

    @Test
    void shouldMakeNoRegistryCallsAtSteadyState() {
        AvroSerde serde = new AvroSerde(client, true);
        byte[] first = serde.serialize("s-value", SCHEMA, order(1, null));
        serde.deserialize(first);
        long warm = client.remoteCalls();
        for (int i = 0; i < 10_000; i++) {
            serde.deserialize(serde.serialize("s-value", SCHEMA, order(i, "n" + i)));
        }
        assertThat(client.remoteCalls()).isEqualTo(warm);
        assertThat(warm).isEqualTo(1); // one registration; the id's schema came with it
    }

    @Test
    void shouldRefuseUnregisteredSchemasWithoutAutoRegistration() {
        AvroSerde serde = new AvroSerde(client, false);
        assertThatThrownBy(() -> serde.serialize("unknown-value", SCHEMA, order(1, null)))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.error()).isEqualTo(RegistryError.SUBJECT_NOT_FOUND));
    }

    @Test
    void shouldRefuseBytesThatAreNotWireFormat() {
        AvroSerde serde = new AvroSerde(client, true);
        assertThatThrownBy(() -> serde.deserialize(new byte[] {1, 0, 0, 0, 1, 2})).isInstanceOf(SerdeException.class)
                .hasMessageContaining("magic byte 1");
        assertThatThrownBy(() -> serde.deserialize(new byte[] {0, 0})).isInstanceOf(SerdeException.class);
        byte[] good = serde.serialize("t-value", SCHEMA, order(1, "x"));
        byte[] truncated = Arrays.copyOf(good, 6);
        assertThatThrownBy(() -> serde.deserialize(truncated)).isInstanceOf(SerdeException.class);
    }
}
