package io.sluice.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * The row-to-document contract every sink shares: each Avro type of a change event as the JSON value a target
 * stores, and the mapping's include, exclude and rename.
 */
class DocumentMapperTest {
    private static final Schema DECIMAL = LogicalTypes.decimal(12, 2).addToSchema(Schema.create(Schema.Type.BYTES));
    private static final Schema JSON_COLUMN = jsonColumn();
    private static final Schema ADDRESS = SchemaBuilder.record("Address").fields().requiredString("city").optionalInt("zip").endRecord();
    private static final Schema ROW = SchemaBuilder.record("Row").namespace("test").fields()
            .requiredInt("id")
            .name("price").type(DECIMAL).noDefault()
            .name("born").type(LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT))).noDefault()
            .name("opens").type(LogicalTypes.timeMicros().addToSchema(Schema.create(Schema.Type.LONG))).noDefault()
            .name("elapsed").type(LogicalTypes.timeMicros().addToSchema(Schema.create(Schema.Type.LONG))).noDefault()
            .name("updated").type(LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG))).noDefault()
            .name("created").type(LogicalTypes.localTimestampMillis().addToSchema(Schema.create(Schema.Type.LONG))).noDefault()
            .name("photo").type(Schema.create(Schema.Type.BYTES)).noDefault()
            .name("attributes").type(JSON_COLUMN).noDefault()
            .name("address").type(ADDRESS).noDefault()
            .name("tags").type().array().items().stringType().noDefault()
            .name("note").type().unionOf().nullType().and().stringType().endUnion().nullDefault()
            .requiredBoolean("active")
            .requiredString("secret")
            .endRecord();

    private static Schema jsonColumn() {
        Schema s = Schema.create(Schema.Type.STRING);
        s.addProp("connect.name", "io.debezium.data.Json");
        return s;
    }

    private static GenericRecord row() {
        GenericData.Record r = new GenericData.Record(ROW);
        r.put("id", 7);
        r.put("price", new Conversions.DecimalConversion().toBytes(new BigDecimal("1234.50"), DECIMAL, LogicalTypes.decimal(12, 2)));
        r.put("born", 19_000); // days since 1970-01-01
        r.put("opens", 9L * 3_600_000_000L + 30L * 60_000_000L + 5);
        r.put("elapsed", -(26L * 3_600_000_000L + 1)); // a MySQL TIME outside one day
        r.put("updated", 1_700_000_000_123_456L);
        r.put("created", 1_700_000_000_123L);
        r.put("photo", ByteBuffer.wrap("hi".getBytes(StandardCharsets.UTF_8)));
        r.put("attributes", "{\"size\": \"L\", \"stock\": [1, 2]}");
        GenericData.Record address = new GenericData.Record(ADDRESS);
        address.put("city", "Lyon");
        r.put("address", address);
        r.put("tags", List.of("new", "sale"));
        r.put("note", null);
        r.put("active", true);
        r.put("secret", "s3cr3t");
        return r;
    }

    @Test
    void shouldTurnEveryAvroTypeIntoTheJsonValueTargetsStore() {
        Map<String, Object> doc = DocumentMapper.document(row(), TableMapping.defaults("{table}"));

        assertThat(doc).containsEntry("id", 7).containsEntry("price", new BigDecimal("1234.50")).containsEntry("born", "2022-01-08")
                .containsEntry("opens", "09:30:00.000005").containsEntry("elapsed", "-26:00:00.000001")
                .containsEntry("updated", "2023-11-14T22:13:20.123456Z").containsEntry("created", "2023-11-14T22:13:20.123")
                .containsEntry("photo", "aGk=").containsEntry("tags", List.of("new", "sale")).containsEntry("note", null)
                .containsEntry("active", true);
        assertThat(DocumentMapper.json(doc)).isEqualTo("{\"id\":7,\"price\":1234.50,\"born\":\"2022-01-08\",\"opens\":\"09:30:00.000005\","
                + "\"elapsed\":\"-26:00:00.000001\",\"updated\":\"2023-11-14T22:13:20.123456Z\",\"created\":\"2023-11-14T22:13:20.123\","
                + "\"photo\":\"aGk=\",\"attributes\":{\"size\":\"L\",\"stock\":[1,2]},\"address\":{\"city\":\"Lyon\",\"zip\":null},"
                + "\"tags\":[\"new\",\"sale\"],\"note\":null,\"active\":true,\"secret\":\"s3cr3t\"}");
    }

    @Test
    void shouldKeepOnlyIncludedFieldsLessExcludedOnesUnderTheirNewNames() {
        TableMapping defaults = TableMapping.defaults("{table}");
        TableMapping some = new TableMapping(defaults.target(), defaults.id(), Set.of("id", "price", "secret", "note"), Set.of("secret"),
                Map.of("price", "amount"), DeleteMode.DELETE);

        Map<String, Object> doc = DocumentMapper.document(row(), some);

        assertThat(doc).containsOnlyKeys("id", "amount", "note");
        assertThat(doc.keySet()).containsExactly("id", "amount", "note"); // in the table's column order
        assertThat(DocumentMapper.jsonValue(doc.get("amount"))).isEqualTo("1234.50");
    }

    @Test
    void shouldKeepAJsonColumnThatIsNotValidJsonAsItsText() {
        GenericRecord r = row();
        r.put("attributes", "{not json");

        assertThat(DocumentMapper.document(r, TableMapping.defaults("{table}"))).containsEntry("attributes", "{not json");
    }
}
