package io.sluice.sink.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.embedded.RedisServer;
import io.sluice.event.ChangeEvent;
import io.sluice.event.TableId;
import io.sluice.sink.FatalSinkException;
import io.sluice.sink.RetriableSinkException;
import io.sluice.sink.TestEvents;
import io.sluice.testkit.RedisClusterNodes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The Redis sink on a real three-primary Redis Cluster: each call's keys grouped by slot, MOVED and ASK followed
 * while slots move under the stream, and SCAN over every primary.
 */
class RedisClusterIT {
    private static RedisClusterNodes cluster;

    @BeforeAll
    static void start() {
        cluster = new RedisClusterNodes();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static RedisSink sink() {
        return new RedisSink("cache", RedisSinkConfig.parse("cache", Map.of(RedisSinkConfig.URI, cluster.uri(), RedisSinkConfig.MODE, "cluster")));
    }

    @Test
    void shouldKeepEveryKeyEqualToTheTableWhileSlotsMoveBetweenPrimaries() throws Exception {
        Random random = new Random(26);
        Map<Integer, String> table = new HashMap<>();
        AtomicBoolean streaming = new AtomicBoolean(true);
        AtomicInteger moved = new AtomicInteger();
        AtomicReference<Throwable> resharding = new AtomicReference<>();
        // Reshards the slots of rows being written, one after another, while the stream goes on.
        Thread reshard = new Thread(() -> {
            Random r = new Random(7);
            try {
                while (streaming.get()) {
                    int slot = JedisClusterCRC16.getSlot(HeldNames.PREFIX + (1 + r.nextInt(2000)) + "}");
                    cluster.moveSlot(slot, (cluster.owner(slot) + 1) % 3);
                    moved.incrementAndGet();
                }
            } catch (Throwable t) {
                resharding.set(t);
            }
        }, "reshard");
        try (RedisSink sink = sink()) {
            sink.open();
            reshard.start();
            long position = 100;
            for (int batch = 0; batch < 60; batch++) {
                List<ChangeEvent> events = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    int id = 1 + random.nextInt(2000);
                    position += 10;
                    if (random.nextInt(10) == 0) {
                        events.add(TestEvents.delete(id, position));
                        table.remove(id);
                    } else {
                        String name = "n" + position;
                        events.add(TestEvents.upsert(id, name, position));
                        table.put(id, name);
                    }
                }
                writeUntilAccepted(sink, events);
            }
            streaming.set(false);
            reshard.join();
            assertThat(resharding.get()).as("resharding").isNull();
            assertThat(moved.get()).as("slots moved during the stream").isGreaterThan(5);

            HeldNames.assertEqual(cluster.strings(HeldNames.PREFIX, "}"), table);
            assertThat(cluster.sizes()).as("keys on every primary").allMatch(n -> n > 100);

            List<String> listed = new ArrayList<>();
            sink.scanIds(TestEvents.TABLE, listed::addAll);
            assertThat(listed).hasSize(table.size());
            int someId = table.keySet().iterator().next();
            assertThat(sink.readBack(List.of(TestEvents.upsert(someId, "x", 1))).get(0)).contains("\"name\":\"" + table.get(someId) + "\"");
        }
    }

    @Test
    void shouldSweepRowsTheSnapshotDidNotSeeOnEveryPrimary() {
        TableId swept = new TableId("shop", "inventory", "swept");
        try (RedisSink sink = sink()) {
            List<ChangeEvent> rows = new ArrayList<>();
            for (int id = 1; id <= 300; id++) {
                rows.add(TestEvents.inTable(swept, TestEvents.upsert(id, "old" + id, 100)));
            }
            for (int id = 1; id <= 300; id += 2) {
                rows.add(TestEvents.inTable(swept, TestEvents.snapshotRead(id, "seen" + id, 1000)));
            }
            assertThat(sink.write(rows).rejected()).isEmpty();

            Map<TableId, Long> removed = sink.sweep(Map.of(swept, TestEvents.snapshotVersion(1000)));

            assertThat(removed).as("rows 2, 4, ... 300 were not seen").containsExactly(Map.entry(swept, 150L));
            Map<String, String> held = cluster.strings("shop:inventory:swept:{", "}");
            assertThat(held).hasSize(150).allSatisfy((key, json) -> assertThat(json).contains("\"name\":\"seen"));
        }
    }

    @Test
    void shouldSayWhenTheServerIsNotACluster() {
        RedisServer single = RedisServer.shared();
        try (RedisSink sink = new RedisSink("cache", RedisSinkConfig.parse("cache", Map.of(RedisSinkConfig.URI, "redis://" + single.host() + ":"
                + single.port(), RedisSinkConfig.MODE, "cluster")))) {
            assertThatThrownBy(sink::open).isInstanceOf(FatalSinkException.class).hasMessageContaining("not a node of a Redis Cluster")
                    .hasMessageContaining("redis.mode=standalone");
        }
    }

    /** Writes a batch, again while the sink says the cluster is busy (a slot moving): as the sink runner does. */
    private static void writeUntilAccepted(RedisSink sink, List<ChangeEvent> events) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                assertThat(sink.write(events).rejected()).isEmpty();
                return;
            } catch (RetriableSinkException e) {
                if (attempt == 50) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }
}
