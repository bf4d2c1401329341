package io.sluice.sink.redis;

import static io.sluice.sink.TestEvents.delete;
import static io.sluice.sink.TestEvents.upsert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.event.ChangeEvent;
import io.sluice.sink.OutageLoad;
import io.sluice.sink.RetriableSinkException;
import io.sluice.sink.SinkRunner;
import io.sluice.sink.TestEvents;
import io.sluice.testkit.RedisTestServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** The Redis sink against a real Redis server. */
class RedisSinkIT {
    private static final String KEY_1 = "shop:inventory:customers:{1}";
    private static final ObjectMapper JSON = new ObjectMapper();

    private RedisTestServer redis;
    private Jedis jedis;

    @BeforeEach
    void connect() {
        redis = RedisTestServer.shared();
        jedis = new Jedis(redis.host(), redis.port());
        jedis.flushAll();
    }

    @AfterEach
    void disconnect() {
        jedis.close();
    }

    private RedisSink sink(RedisTestServer server, Map<String, String> extra) {
        Map<String, String> props = new HashMap<>(Map.of(RedisSinkConfig.URI, "redis://" + server.host() + ":" + server.port()));
        props.putAll(extra);
        RedisSink sink = new RedisSink("cache", RedisSinkConfig.parse("cache", props));
        sink.open();
        return sink;
    }

    @Test
    void shouldUpsertUpdateAndDeleteWithVersions() throws Exception {
        try (RedisSink sink = sink(redis, Map.of())) {
            sink.write(List.of(upsert(1, "Ada", 100), upsert(2, "Grace", 110)));
            Map<String, Object> doc = JSON.readValue(jedis.get(KEY_1), new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
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
    void shouldLeaveTheSameStateWhenABatchIsReplayedThreeTimes() {
        List<ChangeEvent> batch = List.of(upsert(1, "A", 100), upsert(2, "B", 110), upsert(1, "A2", 120), delete(2, 130), upsert(3, "C", 140));
        try (RedisSink sink = sink(redis, Map.of())) {
            sink.write(batch);
            Map<String, String> first = snapshot();
            sink.write(batch);
            sink.write(batch);
            sink.write(batch);
            assertThat(snapshot()).isEqualTo(first);
            assertThat(first.get(KEY_1)).contains("A2");
            assertThat(first).doesNotContainKey("shop:inventory:customers:{2}");
        }
    }

    @Test
    void shouldEndInTheNewestStateWhenEventsArriveOutOfOrder() {
        try (RedisSink sink = sink(redis, Map.of())) {
            sink.write(List.of(upsert(1, "newest", 300)));
            sink.write(List.of(upsert(1, "older", 200), upsert(1, "oldest", 100)));
            assertThat(jedis.get(KEY_1)).contains("newest");
        }
    }

    @Test
    void shouldNotResurrectADeletedKeyWithAnOlderWrite() {
        try (RedisSink sink = sink(redis, Map.of())) {
            sink.write(List.of(upsert(1, "alive", 100), delete(1, 200)));
            sink.write(List.of(upsert(1, "zombie", 150)));
            assertThat(jedis.exists(KEY_1)).isFalse();
            sink.write(List.of(upsert(1, "reborn", 250)));
            assertThat(jedis.get(KEY_1)).contains("reborn");
        }
    }

    @Test
    void shouldApplyBatchesThatSpanSeveralScriptCallsInOrder() {
        int rows = RedisScript.ROWS_PER_CALL * 2 + 37;
        List<ChangeEvent> batch = new java.util.ArrayList<>();
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
        RedisTestServer own = RedisTestServer.startNew();
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
            String expected = sink.stored(io.sluice.sink.DocumentMapper.document(ada.after(), sink.mapping()));
            assertThat(JSON.readTree(held.get(0))).isEqualTo(JSON.readTree(expected));
            assertThat(JSON.readTree(held.get(0)).get("balance").asText()).isEqualTo("12.50");
            assertThat(held.get(1)).isNull();
            List<String> ids = new java.util.ArrayList<>();
            sink.scanIds(ada.table(), ids::addAll);
            assertThat(ids).containsExactly("1");
        }
    }

    @Test
    void shouldRemoveOnlyTheRowsASnapshotTakenAgainDidNotSeeAndKeepThemFromComingBack() {
        try (RedisSink sink = sink(redis, Map.of())) {
            sink.write(TestEvents.acrossTwoSnapshots());
            jedis.set("shop:inventory:orders:{4}", "another table's row, older than the snapshot");
            assertThat(sink.sweep(TestEvents.snapshotAt(1000))).containsExactly(java.util.Map.entry(TestEvents.TABLE, 1L));
            assertThat(jedis.keys("shop:inventory:customers:{*}")).containsExactlyInAnyOrder("shop:inventory:customers:{1}",
                    "shop:inventory:customers:{2}", "shop:inventory:customers:{3}", "shop:inventory:customers:{6}");
            assertThat(jedis.get("shop:inventory:customers:{3}")).contains("Barbara L.");
            assertThat(jedis.get("shop:inventory:customers:{4}:v")).isEqualTo(RedisScript.paddedVersion(TestEvents.snapshotVersion(1000) - 1));
            assertThat(jedis.exists("shop:inventory:orders:{4}")).isTrue();
            assertThat(sink.sweep(TestEvents.snapshotAt(1000))).containsExactly(java.util.Map.entry(TestEvents.TABLE, 0L));

            sink.write(List.of(upsert(4, "Hedy again", 130)));
            assertThat(jedis.exists("shop:inventory:customers:{4}")).isFalse();
            sink.write(List.of(TestEvents.snapshotRead(4, "Hedy late", 1000)));
            assertThat(jedis.get("shop:inventory:customers:{4}")).contains("Hedy late");
        }
    }

    @Test
    void shouldSweepSeveralTablesInOnePassEachBelowItsOwnSnapshotVersion() {
        io.sluice.event.TableId orders = new io.sluice.event.TableId("shop", "inventory", "orders");
        try (RedisSink sink = sink(redis, Map.of())) {
            sink.write(TestEvents.acrossTwoSnapshots());
            sink.write(List.of(upsert(1, "a", 100), upsert(2, "b", 110), upsert(3, "c", 120), upsert(4, "d", 130)).stream()
                    .map(e -> TestEvents.inTable(orders, e)).toList());
            jedis.set("shop:inventory:suppliers:{1}", "a table not swept");
            jedis.set("shop:inventory:suppliers:{1}:v", "0000000000000000001");
            Map<io.sluice.event.TableId, Long> snapshots = new java.util.LinkedHashMap<>(TestEvents.snapshotAt(1000));
            snapshots.put(orders, TestEvents.snapshotVersion(115));
            assertThat(sink.sweep(snapshots)).containsExactly(Map.entry(TestEvents.TABLE, 1L), Map.entry(orders, 2L));
            assertThat(jedis.keys("shop:inventory:orders:{*}")).containsExactlyInAnyOrder("shop:inventory:orders:{3}", "shop:inventory:orders:{4}");
            assertThat(jedis.exists("shop:inventory:customers:{4}")).isFalse();
            assertThat(jedis.exists("shop:inventory:suppliers:{1}")).isTrue();
        }
    }

    @Test
    void shouldMarkTheRowsASnapshotDidNotSeeInMarkDeleteModeAsJsonAndAsHashes() throws Exception {
        try (RedisSink sink = sink(redis, Map.of("delete.mode", "mark"))) {
            sink.write(TestEvents.acrossTwoSnapshots());
            assertThat(sink.sweep(TestEvents.snapshotAt(1000))).containsExactly(java.util.Map.entry(TestEvents.TABLE, 1L));
            assertThat(jedis.get("shop:inventory:customers:{4}")).contains("\"name\":\"Hedy\"", "\"balance\":12.50", "\"__deleted\":true");
            assertThat(sink.sweep(TestEvents.snapshotAt(1000))).containsExactly(java.util.Map.entry(TestEvents.TABLE, 0L));
        }
        jedis.flushAll();
        try (RedisSink sink = sink(redis, Map.of("delete.mode", "mark", "redis.format", "hash"))) {
            sink.write(TestEvents.acrossTwoSnapshots());
            assertThat(sink.sweep(TestEvents.snapshotAt(1000))).containsExactly(java.util.Map.entry(TestEvents.TABLE, 1L));
            assertThat(jedis.hgetAll("shop:inventory:customers:{4}")).containsEntry("name", "Hedy").containsEntry("balance", "12.50")
                    .containsEntry("__deleted", "true");
            assertThat(jedis.hget("shop:inventory:customers:{3}", "__deleted")).isNull();
        }
    }

    @Test
    void shouldKeepAMarkedLastImageInMarkDeleteMode() throws Exception {
        try (RedisSink sink = sink(redis, Map.of("delete.mode", "mark"))) {
            sink.write(List.of(upsert(1, "Ada", 100), delete(1, 200)));
            Map<String, Object> doc = JSON.readValue(jedis.get(KEY_1), new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
            assertThat(doc).containsEntry("__deleted", true).containsEntry("name", "gone");
            sink.write(List.of(upsert(1, "zombie", 150)));
            assertThat(jedis.get(KEY_1)).contains("\"__deleted\":true");
        }
    }

    @Test
    void shouldKeepItsGenerationAcrossConnectionsAndGetANewOneOnceTheDatabaseIsFlushed() {
        String first;
        try (RedisSink sink = sink(redis, Map.of())) {
            first = sink.generation();
            assertThat(sink.generation()).isEqualTo(first);
        }
        try (RedisSink again = sink(redis, Map.of())) {
            assertThat(again.generation()).as("a new connection, a new sink instance").isEqualTo(first);
            jedis.flushAll();
            String next = again.generation();
            assertThat(next).isNotEqualTo(first);
            assertThat(jedis.get(RedisSink.GENERATION_KEY + "cache")).isEqualTo(next);
        }
    }

    @Test
    void shouldLoseNothingAndBufferNothingWhileRedisIsDown() throws Exception {
        RedisTestServer own = RedisTestServer.startNew();
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
