package io.sluice.admin.server;

import io.sluice.embedded.RedisServer;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisMonitor;

/**
 * Every command a Redis server runs while this is open (MONITOR), with the time and the client address Redis gives:
 * what the test can check about who wrote when, from the target's side.
 */
final class RedisMonitor implements AutoCloseable {
    private static final Pattern LINE = Pattern.compile("^(\\d+\\.\\d+) \\[\\d+ ([^\\]]+)\\] (.*)$");

    /** One command as MONITOR printed it. */
    record Command(Instant at, String client, String text) {
    }

    private final Jedis jedis;
    private final List<Command> commands = new ArrayList<>();
    private final Thread thread;

    private RedisMonitor(RedisServer redis) {
        jedis = new Jedis(redis.host(), redis.port());
        thread = new Thread(() -> {
            try {
                jedis.monitor(new JedisMonitor() {
                    @Override
                    public void onCommand(String line) {
                        Matcher m = LINE.matcher(line);
                        if (m.matches()) {
                            BigDecimal seconds = new BigDecimal(m.group(1));
                            Instant at = Instant.ofEpochSecond(seconds.longValue(), seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
                            synchronized (commands) {
                                commands.add(new Command(at, m.group(2), m.group(3)));
                            }
                        }
                    }
                });
            } catch (RuntimeException e) {
                // closed
            }
        }, "redis-monitor");
        thread.setDaemon(true);
        thread.start();
    }

    static RedisMonitor start(RedisServer redis) throws InterruptedException {
        RedisMonitor m = new RedisMonitor(redis);
        Thread.sleep(200); // MONITOR is on once the server answered it
        return m;
    }

    /** Commands run after {@code since} from one of {@code clients}. */
    List<Command> commandsFrom(Set<String> clients, Instant since) {
        synchronized (commands) {
            return commands.stream().filter(c -> c.at().isAfter(since) && clients.contains(c.client())).toList();
        }
    }

    /**
     * Commands run after {@code since} from any client but {@code clients}; the commands a script runs (client
     * {@code lua}) follow the script's call, which names its client.
     */
    List<Command> commandsNotFrom(Set<String> clients, Instant since) {
        synchronized (commands) {
            return commands.stream().filter(c -> c.at().isAfter(since) && !clients.contains(c.client()) && !c.client().equals("lua")).toList();
        }
    }

    @Override
    public void close() throws InterruptedException {
        jedis.disconnect();
        thread.join(2000);
    }
}
