package io.sluice.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;

/**
 * A real Redis server (the binary bundled by embedded-redis) on a free loopback port.
 *
 * <p>{@link #shared()}, for tests, is started once per JVM and stopped when the JVM exits; {@link #stop()} and
 * {@link #start()} simulate an outage on the same port. Data survives a restart (append-only file).
 */
public final class RedisServer implements AutoCloseable {
    /** What {@link #start()} configures the server to persist, for a benchmark's header. */
    public static final String PERSISTENCE = "appendonly yes, appendfsync always: a write Redis acknowledged is on disk,"
            + " as a checkpoint past it counts on";

    private static RedisServer shared;

    private final int port;
    private final Path dir;
    private final List<String> settings;
    /** The library's server of the same name: the running process, null while stopped. */
    private redis.embedded.RedisServer server;

    private RedisServer(List<String> settings) {
        this.settings = List.copyOf(settings);
        this.port = FreePorts.next();
        try {
            this.dir = Files.createTempDirectory("sluice-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The server shared by every test of this JVM. */
    public static synchronized RedisServer shared() {
        if (shared == null) {
            RedisServer started = startNew();
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "redis-server-stop"));
            shared = started;
        }
        return shared;
    }

    /**
     * Starts a server of its own; the caller closes it.
     *
     * @param settings lines of redis.conf added to the defaults, such as {@code cluster-enabled yes}
     */
    public static RedisServer startNew(String... settings) {
        RedisServer s = new RedisServer(List.of(settings));
        s.start();
        return s;
    }

    public synchronized void start() {
        if (server != null) {
            return;
        }
        try {
            var builder = redis.embedded.RedisServer.newRedisServer();
            settings.forEach(builder::setting);
            redis.embedded.RedisServer s = builder
                    .port(port)
                    .bind("127.0.0.1")
                    // Like a production cache that survives restarts: an outage test stops and starts it.
                    .setting("dir " + dir)
                    .setting("save \"\"")
                    .setting("appendonly yes")
                    .setting("appendfsync always")
                    .onShutdownForceStop(true)
                    .build();
            s.start();
            server = s;
        } catch (IOException e) {
            throw new UncheckedIOException("Redis did not start on port " + port, e);
        }
    }

    public synchronized void stop() {
        if (server == null) {
            return;
        }
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException("Redis on port " + port + " did not stop", e);
        } finally {
            server = null;
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (RuntimeException e) {
            System.err.println("sluice embedded Redis: " + e.getMessage());
        }
        ScratchDirectories.delete(dir);
    }

    /**
     * Stops the server, removes its append-only file and starts it again on the same port: a server restarted
     * without persistence, as many caches run, comes back empty.
     */
    public synchronized void restartEmpty() {
        stop();
        ScratchDirectories.delete(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        start();
    }

    /**
     * Removes every key and rewrites the append-only file down to nothing, and returns once the rewrite is done: a
     * benchmark's contenders then start alike, none paying for a rewrite of the keys that the others wrote.
     *
     * @throws IllegalStateException if the rewrite has not ended within a minute
     */
    public void empty() {
        // FLUSHALL frees every key before it answers: millions take longer than a client's default timeout.
        try (Jedis jedis = new Jedis(host(), port(), 120_000)) {
            jedis.flushAll();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            boolean asked = false;
            while (true) {
                String persistence = jedis.info("persistence");
                if (persistence.contains("aof_rewrite_in_progress:0") && persistence.contains("aof_rewrite_scheduled:0")) {
                    if (asked) {
                        return;
                    }
                    try {
                        jedis.bgrewriteaof();
                        asked = true;
                    } catch (JedisDataException e) {
                        // A rewrite Redis started by itself began in between: wait for it, then ask for ours.
                        if (!String.valueOf(e.getMessage()).contains("in progress")) {
                            throw e;
                        }
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Redis on port " + port + " did not finish rewriting its append-only file within a minute");
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while Redis rewrote its append-only file", e);
        }
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /**
     * Every string key that starts with {@code prefix} and ends with {@code suffix}, with its value: read with SCAN
     * and MGET, so that a test compares a whole target without loading it key by key.
     */
    public Map<String, String> strings(String prefix, String suffix) {
        Map<String, String> out = new HashMap<>();
        try (Jedis jedis = new Jedis(host(), port())) {
            scan(jedis, prefix, page -> {
                List<String> keys = page.stream().filter(k -> k.endsWith(suffix)).toList();
                if (!keys.isEmpty()) {
                    List<String> values = jedis.mget(keys.toArray(String[]::new));
                    for (int i = 0; i < keys.size(); i++) {
                        if (values.get(i) != null) {
                            out.put(keys.get(i), values.get(i));
                        }
                    }
                }
            });
        }
        return out;
    }

    /** Removes every key that starts with {@code prefix}: the shared server reloads all it holds when a test restarts it. */
    public void unlinkAll(String prefix) {
        try (Jedis jedis = new Jedis(host(), port())) {
            scan(jedis, prefix, page -> jedis.unlink(page.toArray(String[]::new)));
        }
    }

    /** Hands every non-empty page of the keys under a prefix to {@code page}. */
    private static void scan(Jedis jedis, String prefix, Consumer<List<String>> page) {
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            var result = jedis.scan(cursor, new ScanParams().match(prefix + "*").count(5000));
            if (!result.getResult().isEmpty()) {
                page.accept(result.getResult());
            }
            cursor = result.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    }

    public boolean isRunning() {
        return server != null;
    }
}
