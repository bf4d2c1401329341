package io.sluice.avro;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.avro.Conversions;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

class ConnectToAvroTest {
    private final ConnectToAvro mapper = new ConnectToAvro();

    @Test
    void shouldMapDecimalsExactlyWithPrecisionAndScale() {
        var decimal = Decimal.builder(2).parameter("connect.decimal.precision", "10").optional().build();
        var schema = SchemaBuilder.struct().name("src.db.t.Value").field("price", decimal).build();
        Struct row = new Struct(schema).put("price", new BigDecimal("12345678.90"));

        GenericData.Record record = mapper.toAvroRecord(row);

        Schema priceSchema = record.getSchema().getField("price").schema().getTypes().get(1);
        assertThat(priceSchema.getLogicalType()).isEqualTo(LogicalTypes.decimal(10, 2));
        BigDecimal back = new Conversions.DecimalConversion().fromBytes((ByteBuffer) record.get("price"), priceSchema,
                priceSchema.getLogicalType());
        assertThat(back).isEqualByComparingTo("12345678.90");
    }

    @Test
    void shouldPutNonNullDefaultsFirstInOptionalUnions() {
        var schema = SchemaBuilder.struct().name("src.db.t.Value")
                .field("tier", SchemaBuilder.int32().optional().defaultValue(1).doc("loyalty tier").build())
                .field("note", SchemaBuilder.string().optional().build())
                .build();
        Schema avro = mapper.toAvroSchema(schema);
        Schema.Field tier = avro.getField("tier");
        assertThat(tier.schema().getTypes().get(0).getType()).isEqualTo(Schema.Type.INT);
        assertThat(tier.defaultVal()).isEqualTo(1);
        assertThat(tier.doc()).isEqualTo("loyalty tier");
        Schema.Field note = avro.getField("note");
        assertThat(note.schema().getTypes().get(0).getType()).isEqualTo(Schema.Type.NULL);
        assertThat(note.defaultVal()).isEqualTo(JsonProperties.NULL_VALUE);
    }

    @Test
    void shouldKeepDebeziumSemanticsInConnectProperties() {
        var en = SchemaBuilder.string().name("io.debezium.data.Enum").parameter("allowed", "a,b,c").build();
        var schema = SchemaBuilder.struct().name("src.db.t.Value").field("status", en).build();
        Schema status = mapper.toAvroSchema(schema).getField("status").schema();
        assertThat(status.getProp("connect.name")).isEqualTo("io.debezium.data.Enum");
        assertThat(status.getObjectProp("connect.parameters")).isEqualTo(Map.of("allowed", "a,b,c"));
    }

    @Test
    void shouldDefineARepeatedRecordTypeOnce() {
        var geometry = SchemaBuilder.struct().name("io.debezium.data.geometry.Geometry").optional()
                .field("wkb", SchemaBuilder.bytes().build()).field("srid", SchemaBuilder.int32().optional().build()).build();
        var schema = SchemaBuilder.struct().name("src.db.t.Value").field("a", geometry).field("b", geometry).build();
        Schema avro = mapper.toAvroSchema(schema);
        // Parsing the printed schema proves there is one definition and one reference.
        Schema reparsed = new Schema.Parser().parse(avro.toString());
        assertThat(reparsed.getField("b").schema().getTypes().get(1).getFullName()).isEqualTo("io.debezium.data.geometry.Geometry");
    }

    @Test
    void shouldConvertZonedTimestampsToUtcMicros() {
        var ts = SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").build();
        var schema = SchemaBuilder.struct().name("src.db.t.Value").field("at", ts).build();
        Struct row = new Struct(schema).put("at", "2024-02-29T23:59:59.123456Z");
        assertThat(mapper.toAvroRecord(row).get("at")).isEqualTo(1709251199123456L);
    }

    @Test
    void shouldMakeInvalidNamesValid() {
        assertThat(AvroNames.name("order-lines")).isEqualTo("order_lines");
        assertThat(AvroNames.name("1st")).isEqualTo("_1st");
        assertThat(AvroNames.fullName("my-src.db 1.t")).isEqualTo("my_src.db_1.t");
    }
}
