package io.sluice.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import redis.embedded.RedisServer;

/**
 * A real Redis server (the binary bundled by embedded-redis) on a free loopback port.
 *
 * <p>{@link #shared()} is started once per JVM and stopped when the JVM exits; {@link #stop()} and
 * {@link #start()} simulate an outage on the same port. Data survives a restart (append-only file).
 */
public final class RedisTestServer implements AutoCloseable {
    private static RedisTestServer shared;

    private final int port;
    private final java.nio.file.Path dir;
    private RedisServer server;

    private RedisTestServer() {
        this.port = FreePorts.next();
        try {
            this.dir = java.nio.file.Files.createTempDirectory("sluice-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The server shared by every test of this JVM. */
    public static synchronized RedisTestServer shared() {
        if (shared == null) {
            RedisTestServer started = startNew();
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "redis-test-server-stop"));
            shared = started;
        }
        return shared;
    }

    /** Starts a server of its own; the caller closes it. */
    public static RedisTestServer startNew() {
        RedisTestServer s = new RedisTestServer();
        s.start();
        return s;
    }

    public synchronized void start() {
        if (server != null) {
            return;
        }
        try {
            RedisServer s = RedisServer.newRedisServer()
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
            System.err.println("sluice test kit: " + e.getMessage());
        }
        MariaDbServer.deleteRecursively(dir);
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public boolean isRunning() {
        return server != null;
    }
}
