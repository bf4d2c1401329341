package io.sluice.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import io.sluice.event.ChangeEvent;
import io.sluice.event.Operation;
import io.sluice.event.SourcePosition;
import io.sluice.event.TableId;
import io.sluice.sink.redis.RedisSink;
import io.sluice.sink.redis.RedisSinkConfig;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** {@link Verifier} against a real MariaDB table and a real Redis that stops answering in the middle. */
class VerifierIT {
    private static final Schema VALUE = SchemaBuilder.record("Value").namespace("verify.items").fields().requiredInt("id")
            .requiredString("name").requiredInt("qty").endRecord();
    private static final Schema KEY = SchemaBuilder.record("Key").namespace("verify.items").fields().requiredInt("id").endRecord();

    @Test
    void shouldWaitForATargetThatStopsAnsweringAndFinishTheComparisonOnceItIsBack() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        String database = "verify_" + UUID.randomUUID().toString().substring(0, 6);
        db.recreateItemsDatabase(database);
        db.insertItems(database + ".items", 1, 50);
        TableId table = new TableId("shop", database, "items");
        BackfillRun.Schemas schemas = new BackfillRun.Schemas(VALUE, KEY);
        try (RedisServer redis = RedisServer.startNew(); RedisSink sink = new RedisSink("cache", RedisSinkConfig.parse("cache",
                Map.of(RedisSinkConfig.URI, "redis://" + redis.host() + ":" + redis.port()))); Connection c = db.connect(database)) {
            sink.open();
            List<ChangeEvent> rows = new ArrayList<>();
            for (Map<String, Object> row : ChunkReader.open(c, database, "items", null, 100, null, null).next().rows()) {
                GenericRecord value = RowConverter.value(table, row, VALUE);
                rows.add(new ChangeEvent(table, Operation.READ, RowConverter.key(value, KEY), null, value,
                        new SourcePosition("mysql-bin.000001", 4, 0, null, 0, true), Instant.now(), 1_000));
            }
            assertThat(sink.write(rows).rejected()).isEmpty();

            redis.stop();
            Verifier verifier = new Verifier(new Verifier.Options(table, null, 20, Duration.ZERO, 5, 0), sink, new ChunkWindows(), null,
                    Clock.systemUTC(), d -> Thread.sleep(d.toMillis()));
            long started = System.nanoTime();
            CompletableFuture<Verifier.Report> report = CompletableFuture.supplyAsync(() -> {
                try {
                    return verifier.run(c, schemas);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(1500);
            assertThat(report).as("waiting for Redis").isNotDone();
            redis.start(); // its append-only file brings the rows back

            Verifier.Report done = report.get(60, TimeUnit.SECONDS);
            assertThat(done.rowsChecked()).isEqualTo(50);
            assertThat(done.clean()).as(done.toString()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        }
    }
}
