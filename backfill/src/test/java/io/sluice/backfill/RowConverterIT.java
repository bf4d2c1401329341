package io.sluice.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.capture.CaptureWorker;
import io.sluice.capture.SourceConfig;
import io.sluice.embedded.MariaDbServer;
import io.sluice.event.ChangeEvent;
import io.sluice.event.SourceEvent;
import io.sluice.event.TableId;
import io.sluice.review.SchemaGate;
import java.nio.file.Files;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * A backfilled row must be the very record the capture stream carries for it, column type by column type, or a
 * backfill would write documents that differ from streamed ones (and verify would report them as drift).
 */
class RowConverterIT {
    private static final String DB = "rowconv";

    @Test
    void shouldProduceTheSameRecordAsDebeziumForEveryColumnType() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        db.createCaptureUser("rowconv_capture", "Rowconv-Pw-1");
        db.recreateDatabase(DB);
        db.execute("CREATE TABLE " + DB + ".everything (id BIGINT PRIMARY KEY, ti TINYINT, si SMALLINT UNSIGNED, mi MEDIUMINT, i INT UNSIGNED,"
                + " bi BIGINT UNSIGNED, flag TINYINT(1), b1 BIT(1), b12 BIT(12), dec1 DECIMAL(12,3), f FLOAT, d DOUBLE, dt DATE,"
                + " tm TIME(6), tm0 TIME, dtm DATETIME, dtm6 DATETIME(6), ts TIMESTAMP(3) NULL, y YEAR, c CHAR(3), v VARCHAR(20) NOT NULL"
                + " DEFAULT 'x', t TEXT, bl BLOB, vb VARBINARY(8), e ENUM('red','green'), st SET('a','b','c'), j JSON)");
        db.execute("INSERT INTO " + DB + ".everything VALUES (1, -5, 65535, -8388608, 4294967295, 18446744073709551615, 1, b'1',"
                + " b'101000000011', 123456789.125, 1.5, -2.25e300, '2024-02-29', '-838:59:59.000001', '23:59:59', '1999-12-31 23:59:59',"
                + " '2038-01-19 03:14:07.999999', '2026-11-29 10:11:12.345', 2155, 'abc', 'héllo ✓', 'long text', x'00ff10',"
                + " x'0102', 'green', 'a,c', '{\"k\": [1, 2]}')",
                "INSERT INTO " + DB + ".everything (id) VALUES (2)",
                "INSERT INTO " + DB + ".everything VALUES (3, 0, 0, 0, 0, 0, 0, b'0', b'000000000001', -0.001, 0, 0, '1970-01-01',"
                + " '00:00:00', '12:00:00', '1970-01-01 00:00:00', '2000-01-01 00:00:00.5', '1970-01-01 00:00:01', 1901, '', '',"
                + " '', x'', x'', 'red', '', 'null')");
        Map<String, String> props = new HashMap<>(Map.of(SourceConfig.NAME, "rowconv", SourceConfig.TYPE, "mariadb", SourceConfig.HOST, db.host(),
                SourceConfig.PORT, Integer.toString(db.port()), SourceConfig.USER, "rowconv_capture", SourceConfig.PASSWORD, "Rowconv-Pw-1",
                SourceConfig.DATABASES, DB, SourceConfig.SERVER_ID, "9402", SourceConfig.DATA_DIR,
                Files.createTempDirectory("sluice-rowconv-").toString()));
        Map<Object, ChangeEvent> streamed = new ConcurrentHashMap<>();
        try (CaptureWorker worker = new CaptureWorker(SourceConfig.parse(props), batch -> {
            for (SourceEvent e : batch) {
                if (e instanceof ChangeEvent c) {
                    streamed.put(c.key().get("id"), c);
                }
            }
        }, SchemaGate.permissive(), Clock.systemUTC())) {
            worker.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> streamed.size() == 3);
        }
        TableId table = new TableId("rowconv", DB, "everything");
        try (Connection c = db.connect(DB)) {
            ChunkReader reader = ChunkReader.open(c, DB, "everything", null, 10, null, null);
            for (Map<String, Object> row : reader.next().rows()) {
                ChangeEvent expected = streamed.get(((Number) row.get("id")).longValue());
                GenericRecord value = RowConverter.value(table, row, expected.after().getSchema());
                assertThat(value).as("row %s", row.get("id")).isEqualTo(expected.after());
                assertThat(RowConverter.key(value, expected.key().getSchema())).isEqualTo(expected.key());
            }
        }
    }
}
