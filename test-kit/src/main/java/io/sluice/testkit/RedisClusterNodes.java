package io.sluice.testkit;

import io.sluice.embedded.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.params.MigrateParams;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * A real Redis Cluster of three primaries (no replicas) on free loopback ports, the slots split evenly between them,
 * formed with CLUSTER ADDSLOTS and MEET as {@code redis-cli --cluster create} does. {@link #moveSlot} reshards one slot
 * while clients write, the way {@code redis-cli --cluster reshard} does (IMPORTING/MIGRATING, MIGRATE key by key,
 * SETSLOT NODE). Closed with {@link #close()}.
 */
public final class RedisClusterNodes implements AutoCloseable {
    private static final int SLOTS = 16384;
    private final List<RedisServer> nodes = new ArrayList<>();

    public RedisClusterNodes() {
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(RedisServer.startNew("cluster-enabled yes", "cluster-node-timeout 5000", "cluster-config-file nodes.conf"));
            }
            for (int i = 0; i < nodes.size(); i++) {
                int from = i * SLOTS / nodes.size();
                int to = (i + 1) * SLOTS / nodes.size();
                try (Jedis j = jedis(i)) {
                    j.clusterAddSlots(IntStream.range(from, to).toArray());
                    for (RedisServer other : nodes) {
                        j.clusterMeet(other.host(), other.port());
                    }
                }
            }
            Awaitility.await("the cluster to form").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                for (int i = 0; i < nodes.size(); i++) {
                    try (Jedis j = jedis(i)) {
                        if (!j.clusterInfo().contains("cluster_state:ok") || j.clusterNodes().lines().count() < nodes.size()) {
                            return false;
                        }
                    }
                }
                return true;
            });
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The nodes' addresses as a sink's {@code redis.uri} takes them: {@code redis://host:port,...}. */
    public String uri() {
        return nodes.stream().map(n -> "redis://" + n.host() + ":" + n.port()).collect(Collectors.joining(","));
    }

    public List<RedisServer> nodes() {
        return List.copyOf(nodes);
    }

    /** The index of the node that serves a slot now. */
    public int owner(int slot) {
        try (Jedis j = jedis(0)) {
            for (Object range : j.clusterSlots()) {
                List<?> r = (List<?>) range;
                if ((Long) r.get(0) <= slot && slot <= (Long) r.get(1)) {
                    long port = (Long) ((List<?>) r.get(2)).get(1);
                    return IntStream.range(0, nodes.size()).filter(i -> nodes.get(i).port() == port).findFirst().orElseThrow();
                }
            }
        }
        throw new IllegalStateException("no node serves slot " + slot);
    }

    /**
     * Moves a slot and its keys to another node while clients may write: the source answers ASK for keys it no longer
     * holds during the move and MOVED after it, and every node learns the new owner.
     */
    public void moveSlot(int slot, int to) {
        int from = owner(slot);
        if (from == to) {
            return;
        }
        try (Jedis source = jedis(from); Jedis target = jedis(to)) {
            String sourceId = source.clusterMyId();
            String targetId = target.clusterMyId();
            target.clusterSetSlotImporting(slot, sourceId);
            source.clusterSetSlotMigrating(slot, targetId);
            RedisServer destination = nodes.get(to);
            while (true) {
                List<String> keys = source.clusterGetKeysInSlot(slot, 100);
                if (keys.isEmpty()) {
                    break;
                }
                source.migrate(destination.host(), destination.port(), 0, 5000, new MigrateParams().replace(), keys.toArray(String[]::new));
            }
            target.clusterSetSlotNode(slot, targetId);
            source.clusterSetSlotNode(slot, targetId);
            for (int i = 0; i < nodes.size(); i++) {
                if (i != from && i != to) {
                    try (Jedis other = jedis(i)) {
                        other.clusterSetSlotNode(slot, targetId);
                    }
                }
            }
        }
    }

    /**
     * Every string key, over all nodes, that starts with {@code prefix} and ends with {@code suffix}, with its value
     * (read with a GET each: a cluster refuses an MGET over several slots).
     */
    public Map<String, String> strings(String prefix, String suffix) {
        Map<String, String> all = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            try (Jedis j = jedis(i)) {
                String cursor = ScanParams.SCAN_POINTER_START;
                do {
                    ScanResult<String> page = j.scan(cursor, new ScanParams().match(prefix + "*").count(1000));
                    for (String key : page.getResult()) {
                        if (key.endsWith(suffix)) {
                            String value = j.get(key);
                            if (value != null) {
                                all.put(key, value);
                            }
                        }
                    }
                    cursor = page.getCursor();
                } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            }
        }
        return all;
    }

    /** How many keys each node holds. */
    public List<Long> sizes() {
        List<Long> sizes = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            try (Jedis j = jedis(i)) {
                sizes.add(j.dbSize());
            }
        }
        return sizes;
    }

    private Jedis jedis(int node) {
        return new Jedis(nodes.get(node).host(), nodes.get(node).port(), Protocol.DEFAULT_TIMEOUT);
    }

    @Override
    public void close() {
        nodes.forEach(RedisServer::close);
    }
}
