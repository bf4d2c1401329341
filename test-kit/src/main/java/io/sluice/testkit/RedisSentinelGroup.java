package io.sluice.testkit;

import io.sluice.embedded.FreePorts;
import io.sluice.embedded.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import redis.clients.jedis.Jedis;
import redis.embedded.RedisSentinel;

/**
 * A real primary, its replica and a sentinel that monitors them as {@value #MASTER}, on free loopback ports.
 * {@link #failover()} has the sentinel promote the replica (SENTINEL FAILOVER: the old primary becomes a replica of
 * the new one). Closed with {@link #close()}.
 */
public final class RedisSentinelGroup implements AutoCloseable {
    /** The name the sentinel knows the primary by. */
    public static final String MASTER = "sluice";

    private final List<RedisServer> servers;
    private final int sentinelPort = FreePorts.next();
    private final RedisSentinel sentinel;

    public RedisSentinelGroup() {
        servers = List.of(RedisServer.startNew(), RedisServer.startNew());
        try (Jedis replica = jedis(servers.get(1))) {
            replica.replicaof(servers.get(0).host(), servers.get(0).port());
            Awaitility.await("the replica to sync").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> replica.info("replication").contains("master_link_status:up"));
        }
        sentinel = RedisSentinel.newRedisSentinel().bind("127.0.0.1").port(sentinelPort).masterName(MASTER).masterPort(servers.get(0).port())
                .quorumSize(1).downAfterMilliseconds(3000).failOverTimeout(10_000).parallelSyncs(1).build();
        try {
            sentinel.start();
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("the sentinel did not start on port " + sentinelPort, e);
        }
        Awaitility.await("the sentinel to see the replica").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            try (Jedis s = new Jedis("127.0.0.1", sentinelPort)) {
                return !s.sentinelReplicas(MASTER).isEmpty();
            }
        });
    }

    /** The sentinel's address as a sink's {@code redis.uri} takes it. */
    public String uri() {
        return "redis://127.0.0.1:" + sentinelPort;
    }

    /** The server the sentinel names as primary now. */
    public RedisServer primary() {
        try (Jedis s = new Jedis("127.0.0.1", sentinelPort)) {
            int port = Integer.parseInt(s.sentinelGetMasterAddrByName(MASTER).get(1));
            return servers.stream().filter(r -> r.port() == port).findFirst().orElseThrow();
        }
    }

    /** Has the sentinel promote the replica, and returns once the new primary takes writes. */
    public RedisServer failover() {
        RedisServer before = primary();
        try (Jedis s = new Jedis("127.0.0.1", sentinelPort)) {
            s.sentinelFailover(MASTER);
        }
        Awaitility.await("the replica to be promoted").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            RedisServer now = primary();
            if (now == before) {
                return false;
            }
            try (Jedis j = jedis(now)) {
                return j.info("replication").contains("role:master");
            }
        });
        return primary();
    }

    private static Jedis jedis(RedisServer server) {
        return new Jedis(server.host(), server.port());
    }

    @Override
    public void close() {
        if (sentinel != null) {
            try {
                sentinel.stop();
            } catch (IOException e) {
                System.err.println("sluice test sentinel: " + e.getMessage());
            }
        }
        servers.forEach(RedisServer::close);
    }
}
