package io.sluice.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.embedded.MariaDbServer;
import io.sluice.event.ChangeEvent;
import io.sluice.event.Operation;
import io.sluice.review.SchemaGate;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every MySQL/MariaDB column type round-trips to Avro with exact values, from a snapshot and from the binlog alike. */
class ColumnTypesIT {
    private static final String COLUMNS = "id INT PRIMARY KEY,"
            + " c_tinyint TINYINT, c_tinyint_u TINYINT UNSIGNED, c_smallint SMALLINT, c_smallint_u SMALLINT UNSIGNED,"
            + " c_mediumint MEDIUMINT, c_int INT, c_int_u INT UNSIGNED, c_bigint BIGINT, c_bigint_u BIGINT UNSIGNED,"
            + " c_decimal DECIMAL(30,10), c_float FLOAT, c_double DOUBLE,"
            + " c_date DATE, c_time TIME(6), c_datetime DATETIME(3), c_datetime6 DATETIME(6), c_timestamp TIMESTAMP(6) NULL,"
            + " c_year YEAR, c_bit1 BIT(1), c_bit12 BIT(12), c_bool BOOLEAN,"
            + " c_enum ENUM('small','medium','large'), c_set SET('red','green','blue'),"
            + " c_char CHAR(5), c_varchar VARCHAR(100), c_text TEXT,"
            + " c_binary BINARY(4), c_varbinary VARBINARY(16), c_blob BLOB,"
            + " c_json JSON, c_geometry GEOMETRY, c_point POINT,"
            + " c_nullable VARCHAR(10) NULL,"
            + " c_default INT NOT NULL DEFAULT 7 COMMENT 'has a default'";

    private static final String VALUES = " -128, 255, -32768, 65535, -8388608, -2147483648, 4294967295,"
            + " -9223372036854775808, 18446744073709551615,"
            + " '12345678901234567890.0123456789', 1.5, 3.141592653589793,"
            + " '2024-02-29', '13:45:30.123456', '2024-02-29 12:34:56.789', '2024-02-29 12:34:56.789012',"
            // inserted in a session at +02:00: the instant is 12:34:56.789012 UTC
            + " '2024-02-29 14:34:56.789012',"
            + " 2024, b'1', b'101000000001', TRUE,"
            + " 'medium', 'red,blue',"
            + " 'ab', 'Grüße 👋 ñ', REPEAT('x', 3000),"
            + " x'00FF1020', x'DEADBEEF', x'00010203',"
            + " '{\"a\": [1, 2, {\"b\": null}]}', ST_GeomFromText('POINT(1 2)'), ST_GeomFromText('POINT(3 4)'),"
            + " NULL, DEFAULT";

    @TempDir
    Path dataDir;

    @Test
    void shouldRoundTripEveryColumnTypeExactly() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        CaptureFixtures.createCaptureUser(db);
        db.recreateDatabase("types_db");
        db.execute("CREATE TABLE types_db.all_types (" + COLUMNS + ")");
        insertRow(db, 1);
        CollectingConsumer consumer = new CollectingConsumer();
        SourceConfig config = SourceConfig.parse(CaptureFixtures.sourceProps(db, "types", "types_db", dataDir));
        try (CaptureWorker worker = new CaptureWorker(config, consumer, SchemaGate.permissive(), Clock.systemUTC())) {
            worker.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> consumer.changes("all_types").size() == 1);
            insertRow(db, 2);
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.changes("all_types").size() == 2);
        }
        List<ChangeEvent> changes = consumer.changes("all_types");
        assertThat(changes.get(0).operation()).isEqualTo(Operation.READ);
        assertThat(changes.get(1).operation()).isEqualTo(Operation.CREATE);
        for (ChangeEvent change : changes) {
            assertExactValues(change.after());
        }
        assertSchema(changes.get(1).after().getSchema());
    }

    private static void insertRow(MariaDbServer db, int id) throws Exception {
        try (Connection c = db.connect("types_db"); Statement s = c.createStatement()) {
            s.execute("SET time_zone = '+02:00'");
            s.execute("INSERT INTO all_types VALUES (" + id + "," + VALUES + ")");
        }
    }

    private static void assertExactValues(GenericRecord r) {
        assertThat(r.get("c_tinyint")).isEqualTo(-128);
        assertThat(r.get("c_tinyint_u")).isEqualTo(255);
        assertThat(r.get("c_smallint")).isEqualTo(-32768);
        assertThat(r.get("c_smallint_u")).isEqualTo(65535);
        assertThat(r.get("c_mediumint")).isEqualTo(-8388608);
        assertThat(r.get("c_int")).isEqualTo(-2147483648);
        assertThat(r.get("c_int_u")).isEqualTo(4294967295L);
        assertThat(r.get("c_bigint")).isEqualTo(Long.MIN_VALUE);
        assertThat(decimal(r, "c_bigint_u")).isEqualTo(new BigDecimal("18446744073709551615"));
        assertThat(decimal(r, "c_decimal")).isEqualTo(new BigDecimal("12345678901234567890.0123456789"));
        assertThat(r.get("c_float")).isEqualTo(1.5f);
        assertThat(r.get("c_double")).isEqualTo(3.141592653589793);
        assertThat(r.get("c_date")).isEqualTo((int) LocalDate.of(2024, 2, 29).toEpochDay());
        assertThat(r.get("c_time")).isEqualTo(LocalTime.of(13, 45, 30, 123_456_000).toNanoOfDay() / 1000);
        assertThat(r.get("c_datetime")).isEqualTo(LocalDateTime.of(2024, 2, 29, 12, 34, 56, 789_000_000).toInstant(ZoneOffset.UTC).toEpochMilli());
        assertThat(r.get("c_datetime6")).isEqualTo(micros(LocalDateTime.of(2024, 2, 29, 12, 34, 56, 789_012_000)));
        assertThat(r.get("c_timestamp")).isEqualTo(micros(LocalDateTime.of(2024, 2, 29, 12, 34, 56, 789_012_000)));
        assertThat(r.get("c_year")).isEqualTo(2024);
        assertThat(r.get("c_bit1")).isEqualTo(true);
        assertThat(bytes(r, "c_bit12")).containsExactly(0x01, 0x0A);
        assertThat(r.get("c_bool")).isEqualTo(1);
        assertThat(r.get("c_enum").toString()).isEqualTo("medium");
        assertThat(r.get("c_set").toString()).isEqualTo("red,blue");
        assertThat(r.get("c_char").toString()).isEqualTo("ab");
        assertThat(r.get("c_varchar").toString()).isEqualTo("Grüße 👋 ñ");
        assertThat(r.get("c_text").toString()).hasSize(3000);
        assertThat(bytes(r, "c_binary")).containsExactly(0x00, 0xFF, 0x10, 0x20);
        assertThat(bytes(r, "c_varbinary")).containsExactly(0xDE, 0xAD, 0xBE, 0xEF);
        assertThat(bytes(r, "c_blob")).containsExactly(0x00, 0x01, 0x02, 0x03);
        assertThat(r.get("c_json").toString()).isEqualTo("{\"a\": [1, 2, {\"b\": null}]}");
        GenericRecord point = (GenericRecord) r.get("c_point");
        // WKB of POINT(3 4): byte order 1 (little-endian), type 1 (point), then x and y as doubles.
        ByteBuffer wkb = ((ByteBuffer) point.get("wkb")).duplicate().order(ByteOrder.LITTLE_ENDIAN);
        assertThat(wkb.get()).isEqualTo((byte) 1);
        assertThat(wkb.getInt()).isEqualTo(1);
        assertThat(wkb.getDouble()).isEqualTo(3.0);
        assertThat(wkb.getDouble()).isEqualTo(4.0);
        assertThat(((GenericRecord) r.get("c_geometry")).get("wkb")).isNotNull();
        assertThat(r.get("c_nullable")).isNull();
        assertThat(r.get("c_default")).isEqualTo(7);
    }

    private static void assertSchema(Schema s) {
        assertThat(logical(s, "c_bigint_u")).isEqualTo(LogicalTypes.decimal(20, 0));
        assertThat(logical(s, "c_decimal")).isEqualTo(LogicalTypes.decimal(30, 10));
        assertThat(logical(s, "c_date")).isEqualTo(LogicalTypes.date());
        assertThat(logical(s, "c_time")).isEqualTo(LogicalTypes.timeMicros());
        assertThat(logical(s, "c_datetime")).isEqualTo(LogicalTypes.localTimestampMillis());
        assertThat(logical(s, "c_datetime6")).isEqualTo(LogicalTypes.localTimestampMicros());
        assertThat(logical(s, "c_timestamp")).isEqualTo(LogicalTypes.timestampMicros());
        assertThat(nonNull(s.getField("c_enum").schema()).getProp("connect.name")).isEqualTo("io.debezium.data.Enum");
        assertThat(s.getField("c_default").doc()).isEqualTo("has a default");
        assertThat(s.getField("c_default").defaultVal()).isEqualTo(7);
        assertThat(s.getField("id").schema().getType()).isEqualTo(Schema.Type.INT);
        // Parsing the printed schema back proves it is valid Avro, named types included.
        assertThat(new Schema.Parser().parse(s.toString())).isEqualTo(s);
    }

    private static LogicalType logical(Schema record, String field) {
        return nonNull(record.getField(field).schema()).getLogicalType();
    }

    private static Schema nonNull(Schema s) {
        if (s.getType() != Schema.Type.UNION) {
            return s;
        }
        return s.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElseThrow();
    }

    private static BigDecimal decimal(GenericRecord r, String field) {
        Schema s = nonNull(r.getSchema().getField(field).schema());
        return new Conversions.DecimalConversion().fromBytes(((ByteBuffer) r.get(field)).duplicate(), s, s.getLogicalType());
    }

    private static int[] bytes(GenericRecord r, String field) {
        ByteBuffer b = ((ByteBuffer) r.get(field)).duplicate();
        int[] out = new int[b.remaining()];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.get() & 0xFF;
        }
        return out;
    }

    private static long micros(LocalDateTime t) {
        var i = t.toInstant(ZoneOffset.UTC);
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }
}
