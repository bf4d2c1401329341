package io.sluice.sink.redis;

import static io.sluice.sink.TestEvents.delete;
import static io.sluice.sink.TestEvents.upsert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.embedded.RedisServer;
import io.sluice.event.ChangeEvent;
import io.sluice.event.TableId;
import io.sluice.sink.DocumentMapper;
import io.sluice.sink.OutageLoad;
import io.sluice.sink.RetriableSinkException;
import io.sluice.sink.SinkContractIT;
import io.sluice.sink.SinkRunner;
import io.sluice.sink.TestEvents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** The Redis sink against a real Redis server: the sink contract, and what is Redis's own. */
class RedisSinkIT extends SinkContractIT<RedisSink> {
    private static final String KEY_1 = "shop:inventory:customers:{1}";
    private static final String ROWS = "shop:inventory:customers:{*}";
    /** A row of a table no sweep is about, older than the snapshot and without a version key: not Sluice's. */
    private static final String FOREIGN = "shop:inventory:orders:{4}";
    private static final ObjectMapper JSON = new ObjectMapper();

    private RedisServer redis;
    private Jedis jedis;

    @BeforeEach
    void connect() {
        redis = RedisServer.shared();
        jedis = new Jedis(redis.host(), redis.port());
        jedis.flushAll();
    }

    @AfterEach
    void disconnect() {
        jedis.close();
    }

    @Override
    protected RedisSink newSink(Map<String, String> keys) {
        return newSink(redis, keys);
    }

    /** Each row key of the table with its JSON value and the version its version key holds. */
    @Override
    protected Map<String, Stored> documents(RedisSink sink) {
        Map<String, Stored> out = new LinkedHashMap<>();
        for (String key : jedis.keys(ROWS)) {
            String id = key.substring(key.indexOf(":{") + 2, key.length() - 1);
            out.put(id, new Stored(Long.parseLong(jedis.get(key + ":v")), jedis.get(key)));
        }
        return out;
    }

    /** Every key of the server with its value: tombstones' version keys included. */
    @Override
    protected Object state(RedisSink sink) {
        return snapshot();
    }

    /** A database flushed, as a server restarted without persistence has lost it. */
    @Override
    protected void loseData(RedisSink sink) {
        jedis.flushAll();
    }

    @Override
    protected void generationKept(String generation) {
        assertThat(jedis.get(RedisSink.GENERATION_KEY + "cache")).isEqualTo(generation);
    }

    @Override
    protected void beforeSweep() {
        jedis.set(FOREIGN, "another table's row, older than the snapshot");
    }

    @Override
    protected void afterSweep(RedisSink sink) {
        assertThat(jedis.get("shop:inventory:customers:{4}:v")).as("the tombstone of the removed row")
                .isEqualTo(RedisScript.paddedVersion(TestEvents.snapshotVersion(1000) - 1));
        assertThat(jedis.exists(FOREIGN)).isTrue();
    }

    private RedisSink newSink(RedisServer server, Map<String, String> extra) {
        Map<String, String> props = new HashMap<>(Map.of(RedisSinkConfig.URI, "redis://" + server.host() + ":" + server.port()));
        props.putAll(extra);
        return new RedisSink("cache", RedisSinkConfig.parse("cache", props));
    }

    private RedisSink sink(RedisServer server, Map<String, String> extra) {
        RedisSink sink = newSink(server, extra);
        sink.open();
        return sink;
    }

    @Test
    void shouldUpsertUpdateAndDeleteWithVersions() throws Exception {
        try (RedisSink sink = sink(redis, Map.of())) {
            sink.write(List.of(upsert(1, "Ada", 100), upsert(2, "Grace", 110)));
            Map<String, Object> doc = JSON.readValue(jedis.get(KEY_1), new TypeReference<Map<String, Object>>() { });
            assertThat(doc).containsEntry("name", "Ada").containsEntry("balance", 12.5).containsEntry("joined", "2024-02-29T23:59:59.123456Z");
            assertThat(jedis.get(KEY_1 + ":v")).isEqualTo(String.format("%019d", upsert(1, "Ada", 100).version()));

            sink.write(List.of(upsert(1, "Ada L.", 120)));
            assertThat(jedis.get(KEY_1)).contains("Ada L.");

            sink.write(List.of(delete(1, 130)));
            assertThat(jedis.exists(KEY_1)).isFalse();
            assertThat(jedis.pttl(KEY_1 + ":v")).isPositive(); // the tombstone expires
            assertThat(jedis.get("shop:inventory:customers:{2}")).contains("Grace");
        }
    }

    @Test
    void shouldApplyBatchesThatSpanSeveralScriptCallsInOrder() {
        int rows = RedisScript.ROWS_PER_CALL * 2 + 37;
        List<ChangeEvent> batch = new ArrayList<>();
        for (int id = 0; id < rows; id++) {
            batch.add(upsert(id, "first" + id, 1000 + id));
        }
        for (int id = 0; id < rows; id += 2) {
            batch.add(id % 4 == 0 ? delete(id, 5000 + id) : upsert(id, "second" + id, 5000 + id));
        }
        try (RedisSink sink = sink(redis, Map.of())) {
            assertThat(sink.write(batch).rejected()).isEmpty();
        }
        for (int id = 0; id < rows; id++) {
            String held = jedis.get("shop:inventory:customers:{" + id + "}");
            if (id % 4 == 0) {
                assertThat(held).as("row %d", id).isNull();
            } else {
                assertThat(held).as("row %d", id).contains(id % 2 == 0 ? "\"second" + id + "\"" : "\"first" + id + "\"");
            }
        }
    }

    @Test
    void shouldRejectOnlyTheRowRedisRefusesAndApplyTheRestOfItsCall() {
        jedis.hset(KEY_1 + ":v", "not", "a version"); // GET on a hash: WRONGTYPE for row 1 only
        try (RedisSink sink = sink(redis, Map.of())) {
            var result = sink.write(List.of(upsert(1, "Ada", 100), upsert(2, "Grace", 110)));
            assertThat(result.rejected()).singleElement().satisfies(r -> {
                assertThat(r.event().version()).isEqualTo(upsert(1, "Ada", 100).version());
                assertThat(r.reason()).contains("WRONGTYPE");
            });
        }
        assertThat(jedis.exists(KEY_1)).isFalse();
        assertThat(jedis.get("shop:inventory:customers:{2}")).contains("Grace");
    }

    @Test
    void shouldRetryNotRejectWhileRedisIsOutOfMemoryAndLandEverythingOnceItHasRoom() {
        RedisServer own = RedisServer.startNew();
        try (RedisSink sink = sink(own, Map.of()); Jedis admin = new Jedis(own.host(), own.port())) {
            sink.write(List.of(upsert(1, "Ada", 100)));
            admin.configSet("maxmemory-policy", "noeviction");
            admin.configSet("maxmemory", "1"); // every write is over the limit: Redis answers OOM
            assertThatThrownBy(() -> sink.write(List.of(upsert(1, "Ada King", 120), upsert(2, "Grace", 110))))
                    .isInstanceOf(RetriableSinkException.class).hasMessageContaining("cache").hasMessageContaining("OOM");
            admin.configSet("maxmemory", "0");
            assertThat(sink.write(List.of(upsert(1, "Ada King", 120), upsert(2, "Grace", 110))).rejected()).isEmpty();
            assertThat(admin.get(KEY_1)).contains("Ada King");
            assertThat(admin.get("shop:inventory:customers:{2}")).contains("Grace");
        } finally {
            own.close();
        }
    }

    @Test
    void shouldWriteHashesAndHonourFieldMapping() {
        try (RedisSink sink = sink(redis, Map.of(RedisSinkConfig.FORMAT, "hash", "fields.exclude", "joined", "fields.rename", "name:full_name",
                "target", "c:{table}"))) {
            sink.write(List.of(upsert(1, "Ada", 100)));
            Map<String, String> hash = jedis.hgetAll("c:customers:{1}");
            assertThat(hash).containsEntry("full_name", "Ada").containsEntry("balance", "12.50").doesNotContainKey("joined")
                    .containsEntry("email", "ada@example.org");
        }
    }

    @Test
    void shouldReadHashesBackInTheFormVerifyExpects() throws Exception {
        try (RedisSink sink = sink(redis, Map.of(RedisSinkConfig.FORMAT, "hash", "fields.rename", "name:full_name"))) {
            ChangeEvent ada = upsert(1, "Ada", 100);
            sink.write(List.of(ada));
            List<String> held = sink.readBack(List.of(ada, upsert(2, "never written", 100)));
            String expected = sink.stored(DocumentMapper.document(ada.after(), sink.mapping()));
            assertThat(JSON.readTree(held.get(0))).isEqualTo(JSON.readTree(expected));
            assertThat(JSON.readTree(held.get(0)).get("balance").asText()).isEqualTo("12.50");
            assertThat(held.get(1)).isNull();
            List<String> ids = new ArrayList<>();
            sink.scanIds(ada.table(), ids::addAll);
            assertThat(ids).containsExactly("1");
        }
    }

    @Test
    void shouldSweepSeveralTablesInOnePassEachBelowItsOwnSnapshotVersion() {
        TableId orders = new TableId("shop", "inventory", "orders");
        try (RedisSink sink = sink(redis, Map.of())) {
            sink.write(TestEvents.acrossTwoSnapshots());
            sink.write(List.of(upsert(1, "a", 100), upsert(2, "b", 110), upsert(3, "c", 120), upsert(4, "d", 130)).stream()
                    .map(e -> TestEvents.inTable(orders, e)).toList());
            jedis.set("shop:inventory:suppliers:{1}", "a table not swept");
            jedis.set("shop:inventory:suppliers:{1}:v", "0000000000000000001");
            Map<TableId, Long> snapshots = new LinkedHashMap<>(TestEvents.snapshotAt(1000));
            snapshots.put(orders, TestEvents.snapshotVersion(115));
            assertThat(sink.sweep(snapshots)).containsExactly(Map.entry(TestEvents.TABLE, 1L), Map.entry(orders, 2L));
            assertThat(jedis.keys("shop:inventory:orders:{*}")).containsExactlyInAnyOrder("shop:inventory:orders:{3}", "shop:inventory:orders:{4}");
            assertThat(jedis.exists("shop:inventory:customers:{4}")).isFalse();
            assertThat(jedis.exists("shop:inventory:suppliers:{1}")).isTrue();
        }
    }

    @Test
    void shouldMarkTheRowsASnapshotDidNotSeeInMarkDeleteModeAsHashes() {
        try (RedisSink sink = sink(redis, Map.of("delete.mode", "mark", "redis.format", "hash"))) {
            sink.write(TestEvents.acrossTwoSnapshots());
            assertThat(sink.sweep(TestEvents.snapshotAt(1000))).containsExactly(Map.entry(TestEvents.TABLE, 1L));
            assertThat(jedis.hgetAll("shop:inventory:customers:{4}")).containsEntry("name", "Hedy").containsEntry("balance", "12.50")
                    .containsEntry("__deleted", "true");
            assertThat(jedis.hget("shop:inventory:customers:{3}", "__deleted")).isNull();
        }
    }

    @Test
    void shouldLoseNothingAndBufferNothingWhileRedisIsDown() throws Exception {
        RedisServer own = RedisServer.startNew();
        try (RedisSink sink = sink(own, Map.of())) {
            SinkRunner runner = OutageLoad.runner(sink, Duration.ofMillis(20), Duration.ofMillis(200));
            OutageLoad load = OutageLoad.start(runner, 200, 10, Duration.ofMillis(5));
            await().atMost(Duration.ofSeconds(30)).until(() -> load.handedOut() > 20);
            own.stop();
            await().atMost(Duration.ofSeconds(30)).until(() -> !runner.status().healthy());
            int duringOutage = load.handedOut();
            Thread.sleep(2000);
            // Backpressure: the writer waits on the stuck batch instead of queueing more.
            assertThat(load.handedOut()).isEqualTo(duringOutage);
            assertThat(runner.status().lastError()).contains("cache");
            own.start();
            assertThat(load.finish(Duration.ofSeconds(60))).isEmpty();
            assertThat(runner.status().healthy()).isTrue();
            try (Jedis check = new Jedis(own.host(), own.port())) {
                for (int id = 0; id < 2000; id++) {
                    assertThat(check.get("shop:inventory:customers:{" + id + "}")).as("key %d", id).contains("\"n" + id + "\"");
                }
            }
        } finally {
            own.close();
        }
    }

    private Map<String, String> snapshot() {
        Map<String, String> out = new HashMap<>();
        for (String k : jedis.keys("*")) {
            out.put(k, jedis.get(k));
        }
        return out;
    }
}
