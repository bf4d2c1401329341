package io.sluice.bench;

import io.sluice.embedded.RedisServer;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.Jedis;

/**
 * What Redis itself spent waiting during a phase: its own latency monitor's events (an fsync of the append-only file
 * or a fork slower than the threshold) and the append-only file's rewrites, so that a benchmark can tell a target's
 * stall from the pipeline's.
 */
final class RedisStalls {
    private static final int THRESHOLD_MS = 10;

    private final RedisServer redis;
    private long rewritesAtStart;

    RedisStalls(RedisServer redis) {
        this.redis = redis;
    }

    /** Clears the latency monitor and notes the rewrites so far. */
    void start() {
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            jedis.configSet("latency-monitor-threshold", Integer.toString(THRESHOLD_MS));
            jedis.sendCommand(() -> "LATENCY".getBytes(), "RESET");
            rewritesAtStart = rewrites(jedis);
        }
    }

    /** One line: the rewrites since {@link #start()} and each latency event's count of spikes and worst time. */
    String report() {
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            long rewrites = rewrites(jedis) - rewritesAtStart;
            List<String> events = new ArrayList<>();
            Object latest = jedis.sendCommand(() -> "LATENCY".getBytes(), "LATEST");
            for (Object e : (List<?>) latest) {
                List<?> event = (List<?>) e;
                events.add(new String((byte[]) event.get(0)) + " worst " + event.get(3) + " ms");
            }
            return String.format("Redis: %d append-only file rewrites; its stalls over %d ms: %s", rewrites, THRESHOLD_MS,
                    events.isEmpty() ? "none" : String.join(", ", events));
        }
    }

    private static long rewrites(Jedis jedis) {
        for (String line : jedis.info("persistence").split("\r?\n")) {
            if (line.startsWith("aof_rewrites:")) {
                return Long.parseLong(line.substring("aof_rewrites:".length()).trim());
            }
        }
        return 0;
    }
}
