package io.sluice.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.testkit.MetadataDatabase;
import io.sluice.registry.SchemaRegistry;
import io.sluice.serde.LocalRegistryClient;
import io.sluice.serde.WireFormat;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.junit.jupiter.api.Test;

class SluiceAvroConverterTest {
    private final SchemaRegistry registry = new SchemaRegistry(MetadataDatabase.inMemory(), Clock.systemUTC());

    private SluiceAvroConverter converter(boolean isKey) {
        SluiceAvroConverter c = new SluiceAvroConverter(new LocalRegistryClient(registry));
        c.configure(Map.of(), isKey);
        return c;
    }

    /** A value as Debezium's MariaDB connector produces it. */
    private static Schema debeziumValue() {
        return SchemaBuilder.struct().name("shop.inventory.orders.Value")
                .field("id", Schema.INT32_SCHEMA)
                .field("qty", SchemaBuilder.int16().build())
                .field("price", Decimal.builder(2).parameter("connect.decimal.precision", "10").build())
                .field("placed", SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").optional().build())
                .field("day", SchemaBuilder.int32().name("io.debezium.time.Date").build())
                .field("status", SchemaBuilder.string().name("io.debezium.data.Enum").parameter("allowed", "new,paid").build())
                .field("note", SchemaBuilder.string().optional().build())
                .build();
    }

    @Test
    void shouldRoundTripDebeziumValuesThroughTheRegistry() {
        Schema schema = debeziumValue();
        Struct value = new Struct(schema).put("id", 1).put("qty", (short) 3).put("price", new BigDecimal("19.90"))
                .put("placed", "2024-02-29T12:34:56.789012Z").put("day", 19782).put("status", "paid").put("note", null);

        byte[] bytes = converter(false).fromConnectData("shop.inventory.orders", schema, value);

        assertThat(WireFormat.schemaId(bytes)).isEqualTo((int) registry.version("shop.inventory.orders-value", -1, false).id());
        SchemaAndValue back = converter(false).toConnectData("shop.inventory.orders", bytes);
        Struct s = (Struct) back.value();
        assertThat(back.schema().field("qty").schema().type()).isEqualTo(Schema.Type.INT16);
        assertThat(back.schema().field("placed").schema().name()).isEqualTo("io.debezium.time.ZonedTimestamp");
        assertThat(back.schema().field("status").schema().parameters()).containsEntry("allowed", "new,paid");
        assertThat(back.schema().field("price").schema().name()).isEqualTo(Decimal.LOGICAL_NAME);
        assertThat(s.get("price")).isEqualTo(new BigDecimal("19.90"));
        assertThat(s.get("qty")).isEqualTo((short) 3);
        assertThat(s.get("placed")).isEqualTo("2024-02-29T12:34:56.789012Z");
        assertThat(s.get("day")).isEqualTo(19782);
        assertThat(s.get("status")).isEqualTo("paid");
        assertThat(s.get("note")).isNull();
    }

    @Test
    void shouldPassTombstonesThrough() {
        assertThat(converter(false).fromConnectData("t", debeziumValue(), null)).isNull();
        assertThat(converter(false).toConnectData("t", null)).isEqualTo(SchemaAndValue.NULL);
    }

    @Test
    void shouldUseKeySubjectsForKeys() {
        Schema key = SchemaBuilder.struct().name("shop.inventory.orders.Key").field("id", Schema.INT32_SCHEMA).build();
        converter(true).fromConnectData("shop.inventory.orders", key, new Struct(key).put("id", 5));
        assertThat(registry.subjects(false)).contains("shop.inventory.orders-key");
    }

    @Test
    void shouldMakeAnIncompatibleSchemaRetriableSoThatNothingPastItIsCommitted() {
        Schema v1 = SchemaBuilder.struct().name("r.Value").field("a", Schema.INT32_SCHEMA).build();
        Schema v2 = SchemaBuilder.struct().name("r.Value").field("a", Schema.INT32_SCHEMA).field("b", Schema.INT32_SCHEMA).build();
        SluiceAvroConverter c = converter(false);
        c.fromConnectData("r", v1, new Struct(v1).put("a", 1));
        assertThatThrownBy(() -> c.fromConnectData("r", v2, new Struct(v2).put("a", 1).put("b", 2)))
                .isInstanceOf(RetriableException.class).hasMessageContaining("not accepted");
    }

    @Test
    void shouldRefuseBytesThatAreNotWireFormatAsDataErrors() {
        assertThatThrownBy(() -> converter(false).toConnectData("t", new byte[] {9, 9, 9, 9, 9, 9})).isInstanceOf(DataException.class)
                .hasMessageContaining("magic byte");
    }

    @Test
    void shouldRequireARegistryUrlAndAKnownStrategy() {
        SluiceAvroConverter c = new SluiceAvroConverter();
        assertThatThrownBy(() -> c.configure(Map.of(), false)).isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() -> c.configure(Map.of("schema.registry.url", "http://x/registry", "value.subject.name.strategy", "Nope"), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("TopicNameStrategy");
        c.configure(Map.of("schema.registry.url", "http://x/registry",
                "value.subject.name.strategy", "io.confluent.kafka.serializers.subject.RecordNameStrategy"), false);
    }
}
