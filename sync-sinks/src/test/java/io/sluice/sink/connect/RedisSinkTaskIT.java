package io.sluice.sink.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.connect.SluiceAvroConverter;
import io.sluice.embedded.RedisServer;
import io.sluice.registry.SchemaRegistry;
import io.sluice.serde.LocalRegistryClient;
import io.sluice.testkit.MetadataDatabase;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The Redis sink task fed the way a Connect worker feeds it: Debezium envelopes written and read back through
 * Sluice's Avro converter and registry, with the tombstones that follow deletes.
 */
class RedisSinkTaskIT {
    private static final String TOPIC = "shop.inventory.customers";
    private static final Schema KEY = SchemaBuilder.struct().name(TOPIC + ".Key").field("id", Schema.INT32_SCHEMA).build();
    private static final Schema ROW = SchemaBuilder.struct().name(TOPIC + ".Value").optional()
            .field("id", Schema.INT32_SCHEMA).field("name", Schema.STRING_SCHEMA).build();
    private static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.mariadb.Source")
            .field("file", Schema.STRING_SCHEMA).field("pos", Schema.INT64_SCHEMA).field("row", Schema.OPTIONAL_INT32_SCHEMA)
            .field("gtid", Schema.OPTIONAL_STRING_SCHEMA).field("server_id", Schema.INT64_SCHEMA).field("snapshot", Schema.OPTIONAL_STRING_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA).field("db", Schema.STRING_SCHEMA).field("table", Schema.OPTIONAL_STRING_SCHEMA).build();
    private static final Schema ENVELOPE = SchemaBuilder.struct().name(TOPIC + ".Envelope").field("before", ROW).field("after", ROW)
            .field("source", SOURCE).field("op", Schema.STRING_SCHEMA).field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA).build();

    private final SchemaRegistry registry = new SchemaRegistry(MetadataDatabase.inMemory(), Clock.systemUTC());
    private long offset;

    private SluiceAvroConverter converter(boolean isKey) {
        SluiceAvroConverter c = new SluiceAvroConverter(new LocalRegistryClient(registry));
        c.configure(Map.of(), isKey);
        return c;
    }

    private SinkRecord record(int id, String op, String before, String after, long pos) {
        return record(id, op, before, after, pos, null);
    }

    /** A record; {@code snapshot} is Debezium's {@code source.snapshot} marker, null for a streamed change. */
    private SinkRecord record(int id, String op, String before, String after, long pos, String snapshot) {
        Struct key = new Struct(KEY).put("id", id);
        Struct source = new Struct(SOURCE).put("file", "mysql-bin.000003").put("pos", pos).put("row", 0).put("server_id", 1L)
                .put("snapshot", snapshot)
                .put("ts_ms", 1_700_000_000_000L).put("db", "inventory").put("table", "customers");
        Struct value = new Struct(ENVELOPE).put("before", row(id, before)).put("after", row(id, after)).put("source", source).put("op", op);
        SchemaAndValue k = converter(true).toConnectData(TOPIC, converter(true).fromConnectData(TOPIC, KEY, key));
        SchemaAndValue v = converter(false).toConnectData(TOPIC, converter(false).fromConnectData(TOPIC, ENVELOPE, value));
        return new SinkRecord(TOPIC, 0, k.schema(), k.value(), v.schema(), v.value(), offset++);
    }

    private static Struct row(int id, String name) {
        return name == null ? null : new Struct(ROW).put("id", id).put("name", name);
    }

    private SinkRecord tombstone(int id) {
        return new SinkRecord(TOPIC, 0, KEY, new Struct(KEY).put("id", id), null, null, offset++);
    }

    @Test
    void shouldReadItsPartitionsAgainFromTheStartWhenItsTargetLostItsData() {
        RedisServer redis = RedisServer.shared();
        TopicPartition partition = new TopicPartition(TOPIC, 0);
        Map<TopicPartition, Long> rewound = new HashMap<>();
        RedisSinkTask task = new RedisSinkTask();
        task.initialize(new SinkTaskContext() {
            @Override
            public Map<String, String> configs() {
                return Map.of();
            }

            @Override
            public void offset(Map<TopicPartition, Long> offsets) {
                rewound.putAll(offsets);
            }

            @Override
            public void offset(TopicPartition tp, long offset) {
                rewound.put(tp, offset);
            }

            @Override
            public void timeout(long timeoutMs) {
            }

            @Override
            public Set<TopicPartition> assignment() {
                return Set.of(partition);
            }

            @Override
            public void pause(TopicPartition... partitions) {
            }

            @Override
            public void resume(TopicPartition... partitions) {
            }

            @Override
            public void requestCommit() {
            }

            @Override
            public PluginMetrics pluginMetrics() {
                return null; // the task reports no metrics of its own
            }
        });
        task.start(Map.of("name", "cache", "redis.uri", "redis://" + redis.host() + ":" + redis.port(), "sluice.source", "shop",
                "connector.class", RedisSinkConnector.class.getName(), "topics", TOPIC));
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            jedis.flushAll();
            List<SinkRecord> records = List.of(record(1, "c", null, "Ada", 400), record(2, "c", null, "Grace", 500));
            task.put(records);
            task.flush(Map.of());
            assertThat(rewound).as("the first generation seen is the target's").isEmpty();

            jedis.flushAll(); // the target loses its data
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                task.flush(Map.of());
                return !rewound.isEmpty();
            });
            assertThat(rewound).containsExactly(Map.entry(partition, 0L));

            task.put(records); // what the worker delivers again from the start
            assertThat(jedis.get("shop:inventory:customers:{1}")).contains("Ada");
            assertThat(jedis.get("shop:inventory:customers:{2}")).contains("Grace");
        } finally {
            task.stop();
        }
    }

    @Test
    void shouldApplyEnvelopesFromTheConverterAndSkipTombstones() {
        RedisServer redis = RedisServer.shared();
        RedisSinkTask task = new RedisSinkTask();
        task.start(Map.of("name", "cache", "redis.uri", "redis://" + redis.host() + ":" + redis.port(), "sluice.source", "shop",
                "connector.class", RedisSinkConnector.class.getName(), "topics", TOPIC));
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            jedis.flushAll();
            List<SinkRecord> records = new ArrayList<>(List.of(record(1, "c", null, "Ada", 400), record(2, "c", null, "Grace", 500),
                    record(1, "u", "Ada", "Ada L.", 600), record(2, "d", "Grace", null, 700), tombstone(2)));
            task.put(records);
            task.flush(Map.of());
            assertThat(jedis.get("shop:inventory:customers:{1}")).contains("\"name\":\"Ada L.\"");
            assertThat(jedis.exists("shop:inventory:customers:{2}")).isFalse();

            // Connect redelivers after a restart: same end state, and an older record changes nothing.
            task.put(records);
            task.put(List.of(record(1, "u", "x", "stale", 500)));
            assertThat(jedis.get("shop:inventory:customers:{1}")).contains("\"name\":\"Ada L.\"");
        } finally {
            task.stop();
        }
        assertThat(registry.subjects(false)).contains(TOPIC + "-key", TOPIC + "-value");
        assertThat(new RedisSinkConnector().config().configKeys()).containsKey("sluice.snapshot.sweep");
    }

    @Test
    void shouldRemoveWhatASnapshotTakenAgainDidNotSeeOnceItsLastRowIsWrittenUnlessTurnedOff() {
        RedisServer redis = RedisServer.shared();
        List<SinkRecord> streamed = List.of(record(1, "c", null, "Ada", 400), record(2, "c", null, "Grace", 500), record(3, "c", null, "Hedy", 600));
        // Row 3 was deleted while nothing captured; the snapshot taken again reads rows 1 and 2, the last one marked.
        List<SinkRecord> snapshot = List.of(record(1, "r", null, "Ada", 9000, "first"), record(2, "r", null, "Grace H.", 9000, "last"));
        for (boolean sweep : List.of(false, true)) {
            RedisSinkTask task = new RedisSinkTask();
            task.start(Map.of("name", "cache", "redis.uri", "redis://" + redis.host() + ":" + redis.port(), "sluice.source", "shop",
                    "connector.class", RedisSinkConnector.class.getName(), "topics", TOPIC, "sluice.snapshot.sweep", Boolean.toString(sweep)));
            try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
                jedis.flushAll();
                task.put(streamed);
                task.put(snapshot.subList(0, 1));
                assertThat(jedis.exists("shop:inventory:customers:{3}")).as("before the snapshot's last row").isTrue();
                task.put(snapshot.subList(1, 2));
                assertThat(jedis.get("shop:inventory:customers:{2}")).contains("Grace H.");
                assertThat(jedis.exists("shop:inventory:customers:{3}")).as("swept: " + sweep).isEqualTo(!sweep);
                assertThat(jedis.exists("shop:inventory:customers:{1}")).isTrue();
            } finally {
                task.stop();
            }
        }
        assertThat(new RedisSinkConnector().config().configKeys()).containsKeys("redis.uri", "sluice.source", "tombstone.ttl.ms");
    }
}
