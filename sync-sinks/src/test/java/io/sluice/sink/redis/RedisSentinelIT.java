package io.sluice.sink.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.embedded.RedisServer;
import io.sluice.event.ChangeEvent;
import io.sluice.sink.OutageLoad;
import io.sluice.sink.SinkRunner;
import io.sluice.sink.TestEvents;
import io.sluice.testkit.RedisSentinelGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The Redis sink behind a real sentinel: it finds the primary by its name, and when the sentinel promotes the replica
 * under load it follows, and with {@code redis.wait.replicas} loses nothing a checkpoint counted on, nor what the old
 * primary took after the promotion.
 */
class RedisSentinelIT {
    @Test
    void shouldLoseNothingWhenTheSentinelPromotesTheReplicaUnderLoad() throws Exception {
        try (RedisSentinelGroup group = new RedisSentinelGroup();
                RedisSink sink = new RedisSink("cache", RedisSinkConfig.parse("cache", Map.of(RedisSinkConfig.URI, group.uri(),
                        RedisSinkConfig.MODE, "sentinel", RedisSinkConfig.SENTINEL_MASTER, RedisSentinelGroup.MASTER,
                        RedisSinkConfig.WAIT_REPLICAS, "1", RedisSinkConfig.WAIT_TIMEOUT_MS, "1000", RedisSinkConfig.TIMEOUT_MS, "1000")))) {
            RedisServer first = group.primary();
            SinkRunner runner = OutageLoad.runner(sink, Duration.ofMillis(20), Duration.ofMillis(200));
            Random random = new Random(26);
            Map<Integer, String> table = new HashMap<>();
            AtomicReference<RedisServer> promoted = new AtomicReference<>();
            Thread failover = new Thread(() -> promoted.set(group.failover()), "failover");
            long position = 100;
            for (int batch = 0; batch < 120; batch++) {
                if (batch == 20) {
                    failover.start();
                }
                List<ChangeEvent> events = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    int id = 1 + random.nextInt(3000);
                    position += 10;
                    String name = "n" + position;
                    events.add(TestEvents.upsert(id, name, position));
                    table.put(id, name);
                }
                runner.write(events);
                if (batch % 5 == 4) {
                    runner.flush(); // a checkpoint
                }
                Thread.sleep(10);
            }
            failover.join(Duration.ofSeconds(60).toMillis());
            runner.flush();

            assertThat(promoted.get()).as("the replica was promoted").isNotNull().isNotSameAs(first);
            HeldNames.assertEqual(promoted.get().strings(HeldNames.PREFIX, "}"), table);
        }
    }
}
