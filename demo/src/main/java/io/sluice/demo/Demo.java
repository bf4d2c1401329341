package io.sluice.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.ServerProcess;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

/**
 * {@code ./sluice demo}: an embedded MariaDB with binlog holding a sample shop that keeps changing, an embedded
 * Redis, and the packaged Sluice server as a child process, configured through its REST API to stream the shop
 * into an embedded Lucene index and Redis. Prints where to look, then runs until Ctrl-C or {@code --duration}.
 *
 * <p>The servers are {@link DemoServers}' job, the source, sinks and pipeline {@link DemoPipeline}'s, the printing
 * {@link DemoConsole}'s; this class runs them in order.
 *
 * <p>Thread safety: {@link #start()} on one thread; {@link #close()} may run at the same time from a shutdown hook
 * and stops whatever has started.
 */
public final class Demo implements AutoCloseable {
    static final String SOURCE = "demo";
    static final String LUCENE_SINK = "index";
    static final String REDIS_SINK = "cache";
    static final String PIPELINE = "shop";
    static final String VIEW = "orders";
    static final String ADMIN = "admin";
    static final String CAPTURE_USER = "sluice_demo";
    static final int CAPTURE_SERVER_ID = 5401;
    static final Duration SERVER_START_TIMEOUT = Duration.ofSeconds(180);
    static final Duration STREAMING_TIMEOUT = Duration.ofSeconds(180);
    /** A product that is seeded and never deleted, for the printed Redis lookup. */
    static final long EXAMPLE_PRODUCT = 1;

    private final DemoOptions options;
    private final DemoConsole console;
    private final DemoServers servers;
    private final String adminPassword = secret(18);
    private final String capturePassword = secret(12);
    private volatile ChangeGenerator generator;
    private volatile SluiceApi api;
    private volatile DemoPipeline pipeline;
    /** The first document of the view, for the summary's examples. */
    private volatile JsonNode exampleOrder;
    private volatile boolean closing;

    public Demo(DemoOptions options, PrintStream out) {
        this.options = options;
        this.console = new DemoConsole(out);
        this.servers = new DemoServers(options, out, () -> closing);
    }

    public static void main(String[] args) {
        DemoOptions options;
        try {
            options = DemoOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("sluice demo: " + e.getMessage());
            System.err.println(DemoOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.println(DemoOptions.USAGE);
            return;
        }
        Demo demo = new Demo(options, System.out);
        Runtime.getRuntime().addShutdownHook(new Thread(demo::close, "sluice-demo-stop"));
        int status = 0;
        try {
            demo.start();
            demo.printSummary();
            demo.runUntilStopped();
        } catch (DemoException e) {
            if (!demo.closing) {
                System.err.println("\nsluice demo: " + e.getMessage());
                status = 1;
            }
        } catch (RuntimeException e) {
            if (!demo.closing) {
                System.err.println("\nsluice demo failed: " + e);
                e.printStackTrace();
                status = 1;
            }
        }
        demo.close();
        System.exit(status);
    }

    /**
     * Starts MariaDB with the shop, Redis and the server, and configures the server; returns once the source streams.
     *
     * @throws DemoException naming what failed and, where known, the fix
     */
    public void start() {
        int port = servers.prepare();

        long t = System.nanoTime();
        console.step("starting MariaDB with binlog and the sample shop");
        MariaDbServer db = servers.startMariaDb();
        checkNotClosing();
        int[] counts = servers.seedShop(CAPTURE_USER, capturePassword);
        console.done(t, "MariaDB on 127.0.0.1:" + db.port() + ", database shop: " + counts[0] + " customers, " + counts[1] + " products, "
                + counts[2] + " orders");

        t = System.nanoTime();
        console.step("starting Redis");
        int redisPort = servers.startRedis().port();
        checkNotClosing();
        console.done(t, "Redis on 127.0.0.1:" + redisPort);

        t = System.nanoTime();
        Path log = options.dataDir().resolve("server.log");
        console.step("starting the Sluice server on port " + port + " (log: " + DemoConsole.relative(log) + ")");
        ServerProcess server = servers.startServer(port, adminPassword, log, SERVER_START_TIMEOUT);
        checkNotClosing();
        console.done(t, "server ready at " + server.base());

        t = System.nanoTime();
        console.step("configuring source '" + SOURCE + "', sinks '" + LUCENE_SINK + "' (lucene) and '" + REDIS_SINK + "' (redis), pipeline '"
                + PIPELINE + "'");
        api = new SluiceApi(server.base(), ADMIN, adminPassword);
        api.useToken("demo launcher");
        pipeline = new DemoPipeline(api, servers, options.rate(), console, this::checkNotClosing);
        pipeline.configure(CAPTURE_USER, capturePassword);
        // Changes start while the source takes its snapshot: none of them is lost, and the first one streamed shows
        // that the snapshot has been delivered.
        generator = new ChangeGenerator(db.jdbcUrl(Shop.DATABASE), db.rootUser(), db.rootPassword(), options.rate(), System.err);
        generator.start();
        pipeline.awaitStreaming(STREAMING_TIMEOUT);
        checkNotClosing();
        pipeline.awaitSnapshotInTargets();
        console.done(t, "source '" + SOURCE + "' is streaming; the snapshot reached Lucene and Redis");

        t = System.nanoTime();
        console.step("creating view '" + VIEW + "': each order with its customer and its items, each with its product");
        exampleOrder = pipeline.createView();
        console.done(t, "view '" + VIEW + "' built into Lucene and Redis");

        t = System.nanoTime();
        console.step("putting data contracts in force: a product's price must be positive, a customer's email is masked");
        pipeline.applyRules();
        console.done(t, "rules approved; the customers backfilled under them");
    }

    /** The Redis key of the example product: the sink's default key template {@code {source}:{database}:{table}} plus {@code :{id}}. */
    static String exampleKey() {
        return SOURCE + ":" + Shop.DATABASE + ":products:{" + EXAMPLE_PRODUCT + "}";
    }

    /** Prints where to look: the UI, the credentials, a Redis lookup and a search. */
    public void printSummary() {
        console.summary(options, servers, adminPassword, pipeline.redisGet(exampleKey()), pipeline.searchTotal("lamp"), exampleOrder);
    }

    /** Prints the source's status every 30 s until the duration ends (or forever, until Ctrl-C). */
    public void runUntilStopped() {
        ServerProcess server = servers.server();
        long end = options.duration().map(d -> System.nanoTime() + d.toNanos()).orElse(Long.MAX_VALUE);
        long nextStatus = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!closing && System.nanoTime() < end) {
            if (!server.isAlive()) {
                throw new DemoException("the server exited; the end of " + server.log() + ":\n" + server.tail(40));
            }
            if (System.nanoTime() >= nextStatus) {
                nextStatus += Duration.ofSeconds(30).toNanos();
                printStatus();
            }
            sleep(Math.max(1, Math.min(500, (end - System.nanoTime()) / 1_000_000)));
        }
    }

    private void printStatus() {
        try {
            JsonNode s = api.get("/api/v1/sources/" + SOURCE + "/status");
            console.status(s, generator == null ? 0 : generator.changes());
        } catch (DemoException e) {
            console.statusUnavailable(e.getMessage());
        }
    }

    /**
     * Stops the generator, the server, Redis and MariaDB, in that order. Never throws; a second call stops what
     * started since the first (a shutdown hook may call it while {@link #start()} is still running).
     */
    @Override
    public synchronized void close() {
        closing = true;
        boolean anything = generator != null || servers.anyStarted();
        if (anything) {
            console.println("\n  stopping the demo...");
        }
        DemoServers.quietly("the change generator", generator);
        generator = null;
        servers.close();
        if (anything) {
            console.println("  stopped.");
            console.flush();
        }
    }

    private void checkNotClosing() {
        if (closing) {
            throw new DemoException("stopped while starting");
        }
    }

    private static String secret(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DemoException("interrupted");
        }
    }

    // For the smoke test.

    URI serverBase() {
        return servers.server().base();
    }

    String adminPassword() {
        return adminPassword;
    }

    int redisPort() {
        return servers.redis().port();
    }

    MariaDbServer mariaDb() {
        return servers.db();
    }

    ChangeGenerator generator() {
        return generator;
    }
}
