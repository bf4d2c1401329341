package io.sluice.sink.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sluice.embedded.RedisServer;
import io.sluice.sink.RetriableSinkException;
import io.sluice.sink.TestEvents;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * {@code redis.wait.replicas} on a real primary and replica: a flush returns once the replica holds every write, so
 * a checkpoint counts only on what a failover keeps; with the replica gone, the flush fails retriably (the checkpoint
 * waits) instead of counting on writes only the primary has.
 */
class RedisReplicaWaitIT {

    @Test
    void shouldFlushOnlyOnceTheReplicaHoldsEveryWrite() {
        try (RedisServer primary = RedisServer.startNew(); RedisServer replica = RedisServer.startNew();
                Jedis toReplica = new Jedis(replica.host(), replica.port())) {
            toReplica.replicaof(primary.host(), primary.port());
            await().atMost(Duration.ofSeconds(30)).until(() -> toReplica.info("replication").contains("master_link_status:up"));
            RedisSink sink = new RedisSink("cache", RedisSinkConfig.parse("cache", Map.of(RedisSinkConfig.URI, "redis://" + primary.host() + ":"
                    + primary.port(), RedisSinkConfig.WAIT_REPLICAS, "1", RedisSinkConfig.WAIT_TIMEOUT_MS, "2000")));
            sink.open();
            try {
                sink.write(List.of(TestEvents.upsert(1, "Ada", 100), TestEvents.upsert(2, "Grace", 200)));
                sink.flush();
                assertThat(replica.strings("shop:inventory:customers:{", "}")).as("on the replica when the flush returns").hasSize(2);

                replica.stop();
                sink.write(List.of(TestEvents.upsert(3, "Edsger", 300)));
                assertThatThrownBy(sink::flush).isInstanceOf(RetriableSinkException.class).hasMessageContaining("0 of the 1 replicas")
                        .hasMessageContaining("redis.wait.replicas");
            } finally {
                sink.close();
            }
        }
    }
}
