package io.sluice.bench;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.sluice.capture.CaptureWorker;
import io.sluice.capture.SourceConfig;
import io.sluice.demo.SluiceApi;
import io.sluice.embedded.FreePorts;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import io.sluice.embedded.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import redis.clients.jedis.Jedis;

/**
 * Freshness of the packaged server under a steady write load: the time from a row's commit (when the
 * client's commit returned) to the moment it can be read in Redis and found in the embedded Lucene index, at
 * p50/p95/p99; and the server's resident memory at idle and under the load.
 *
 * <p>The load is {@code rate} rows/s inserted in transactions of 20 rows; after a 20 s warm-up under the same
 * load, ten times a second a probe row is committed and watched for. The baseline, in the same run and under the same load, is Debezium's embedded
 * engine alone (same settings) noticing the probe rows in a no-op consumer: the floor that capture puts under
 * any sink's freshness.
 *
 * <p>Arguments: {@code [rows per second] [seconds]}, by default 2000 and 60.
 */
public final class FreshnessBench {
    private static final String DB = "fresh";
    private static final long PROBE_BASE = 1_000_000_000L;
    /** Load before the probes start, in both runs. */
    private static final Duration WARM_UP = Duration.ofSeconds(20);

    private FreshnessBench() {
    }

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        Path jar = Path.of(System.getProperty("sluice.root", "."), "quarkus-admin", "target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
        System.out.println("Sluice freshness benchmark: " + rate + " rows/s, " + WARM_UP.toSeconds() + " s warm-up, then " + seconds
                + " s measured with a probe row every 100 ms");
        System.out.println("machine: " + Machine.describe());
        Path work = Files.createTempDirectory("sluice-fresh-");
        try (MariaDbServer db = MariaDbServer.start(MariaDbServer.Options.defaults()); RedisServer redis = RedisServer.startNew()) {
            db.createCaptureUser("fresh", "Fresh-Bench-Pw-1");
            db.recreateDatabase(DB);
            db.execute("CREATE TABLE " + DB + ".items (id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL, qty INT NOT NULL)");

            String adminPassword = "Fresh-Admin-Pw-1";
            Path dataDir = Files.createDirectories(work.resolve("server"));
            int port = FreePorts.next();
            Result sluice;
            long idleRss;
            List<Long> loadRss = Collections.synchronizedList(new ArrayList<>());
            try (ServerProcess server = ServerProcess.inDataDir(jar, "127.0.0.1", port, dataDir, adminPassword, work.resolve("server.log"))) {
                server.launch();
                server.awaitReady(Duration.ofSeconds(120));
                SluiceApi api = new SluiceApi(server.base(), "admin", adminPassword);
                api.useToken("bench");
                api.post("/api/v1/sources", db.sourceRequest("fresh", "fresh", "Fresh-Bench-Pw-1", DB, 9301));
                api.post("/api/v1/sinks", Map.of("name", "index", "type", "lucene"));
                api.post("/api/v1/sinks", Map.of("name", "cache", "type", "redis", "config", Map.of("redis.uri", "redis://" + redis.host() + ":"
                        + redis.port())));
                api.post("/api/v1/pipelines", Map.of("name", "fresh", "source", "fresh", "sinks", List.of("index", "cache")));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (!"streaming".equals(api.get("/api/v1/sources/fresh/status").path("state").asText())) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the source did not stream within 120 s; server log:\n" + server.tail(30));
                    }
                    Thread.sleep(200);
                }
                Thread.sleep(10_000);
                idleRss = rss(server.pid());
                ScheduledRss sampler = new ScheduledRss(server.pid(), loadRss);
                sluice = run(db, rate, seconds, 0, new Watchers(redis, api));
                sampler.stop();
            }

            Map<String, String> props = new HashMap<>(Map.of(SourceConfig.NAME, "freshbase", SourceConfig.TYPE, "mariadb",
                    SourceConfig.HOST, db.host(), SourceConfig.PORT, Integer.toString(db.port()), SourceConfig.USER, "fresh",
                    SourceConfig.PASSWORD, "Fresh-Bench-Pw-1", SourceConfig.DATABASES, DB, SourceConfig.SERVER_ID, "9302",
                    SourceConfig.DATA_DIR, work.resolve("baseline").toString(), SourceConfig.SNAPSHOT_MODE, "no_data"));
            Result debezium = runDebezium(db, props, rate, seconds);

            System.out.println();
            System.out.printf("%-44s %8s %8s %8s %8s %10s%n", "commit to visible (ms)", "p50", "p95", "p99", "max", "probes");
            print("Sluice: row readable in Redis", sluice.redis);
            print("Sluice: row found in the Lucene index", sluice.lucene);
            print("baseline: Debezium engine alone, no-op", debezium.engine);
            System.out.printf("%nload achieved: Sluice run %,d rows/s, baseline run %,d rows/s (target %,d)%n", sluice.rowsPerSecond,
                    debezium.rowsPerSecond, rate);
            System.out.printf("ratio of p99 (Lucene / Debezium alone): %.2f; (Redis / Debezium alone): %.2f%n",
                    Figures.percentile(sluice.lucene, 99) / Math.max(1, Figures.percentile(debezium.engine, 99)),
                    Figures.percentile(sluice.redis, 99) / Math.max(1, Figures.percentile(debezium.engine, 99)));
            List<Long> sorted = new ArrayList<>(loadRss);
            Collections.sort(sorted);
            System.out.printf("server RSS: idle %d MiB; under load median %d MiB, max %d MiB (%d samples)%n", idleRss >> 20,
                    sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2) >> 20, sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1) >> 20,
                    sorted.size());
        }
    }

    /** Freshness samples per target, in ms, and the load actually achieved. */
    private record Result(List<Double> redis, List<Double> lucene, List<Double> engine, long rowsPerSecond) {
    }

    /** Watches probe rows in Redis (GET of the key) and Lucene (the server's search API by id), each on its own thread. */
    private static final class Watchers {
        private final RedisServer redis;
        private final SluiceApi api;

        Watchers(RedisServer redis, SluiceApi api) {
            this.redis = redis;
            this.api = api;
        }
    }

    /**
     * Runs the load and the probes.
     *
     * @param idOffset where this run's ids start, so that runs do not collide
     */
    private static Result run(MariaDbServer db, int rate, int seconds, long idOffset, Watchers watchers) throws Exception {
        List<Double> redisMs = Collections.synchronizedList(new ArrayList<>());
        List<Double> luceneMs = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicLong rows = new AtomicLong();
        pool.execute(() -> load(db, rate, idOffset, running, rows));
        Thread.sleep(WARM_UP.toMillis()); // the same load, unmeasured: JIT, connections and caches warm up
        long start = System.nanoTime();
        long rowsBefore = rows.get();
        ConcurrentSkipListMap<Long, Long> pendingRedis = new ConcurrentSkipListMap<>();
        ConcurrentSkipListMap<Long, Long> pendingLucene = new ConcurrentSkipListMap<>();
        // Watchers look at the oldest probe not yet seen, then the next: the pipeline applies rows in order, so the
        // polling stays one request at a time however far behind the targets are, and does not slow them down.
        pool.execute(() -> {
            try (Jedis jedis = new Jedis(watchers.redis.host(), watchers.redis.port())) {
                while (running.get() || !pendingRedis.isEmpty()) {
                    Map.Entry<Long, Long> oldest = pendingRedis.firstEntry();
                    if (oldest != null && jedis.exists("fresh:" + DB + ":items:{" + oldest.getKey() + "}")) {
                        redisMs.add((System.nanoTime() - oldest.getValue()) / 1e6);
                        pendingRedis.remove(oldest.getKey());
                        continue;
                    }
                    Thread.sleep(1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        pool.execute(() -> {
            try {
                while (running.get() || !pendingLucene.isEmpty()) {
                    Map.Entry<Long, Long> oldest = pendingLucene.firstEntry();
                    if (oldest != null && watchers.api.get(SluiceApi.query("/api/v1/sinks/index/search", Map.of("table", "fresh." + DB + ".items",
                            "field", "id", "exact", "true", "q", Long.toString(oldest.getKey())))).path("total").asLong() > 0) {
                        luceneMs.add((System.nanoTime() - oldest.getValue()) / 1e6);
                        pendingLucene.remove(oldest.getKey());
                        continue;
                    }
                    Thread.sleep(2);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        // One line every 5 s: what the server says of itself and what the probes saw in that window.
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor();
        int[] seen = {0};
        progress.scheduleAtFixedRate(() -> {
            try {
                var st = watchers.api.get("/api/v1/sources/fresh/status");
                List<Double> window;
                synchronized (redisMs) {
                    window = new ArrayList<>(redisMs.subList(seen[0], redisMs.size()));
                    seen[0] = redisMs.size();
                }
                System.out.printf("  t=%3ds  server: %,6.0f events/s, lag %5s ms  |  Redis window: p50 %5.0f ms, max %5.0f ms, %d probes%n",
                        (System.nanoTime() - start) / 1_000_000_000L, st.path("eventsPerSecond").asDouble(), st.path("lagMs").asText(),
                        Figures.percentile(window, 50), Figures.percentile(window, 100), window.size());
            } catch (RuntimeException e) {
                System.out.println("  (progress: " + e.getMessage() + ")");
            }
        }, 5, 5, TimeUnit.SECONDS);
        try (Connection c = db.connect(DB); Statement s = c.createStatement()) {
            long probes = (long) seconds * 10;
            for (long i = 0; i < probes; i++) {
                long id = PROBE_BASE + idOffset + i;
                s.execute("INSERT INTO items VALUES (" + id + ", 'probe', 0)");
                long t = System.nanoTime(); // autocommit: the commit has returned
                pendingRedis.put(id, t);
                pendingLucene.put(id, t);
                Pacing.sleepUntil(start + (i + 1) * 100_000_000L);
            }
        }
        long elapsed = System.nanoTime() - start;
        running.set(false);
        progress.shutdownNow();
        pool.shutdown();
        if (!pool.awaitTermination(60, TimeUnit.SECONDS)) {
            pool.shutdownNow();
            System.out.println("warning: some probes were never seen: Redis " + pendingRedis.size() + ", Lucene " + pendingLucene.size());
        }
        return new Result(redisMs, luceneMs, List.of(), (rows.get() - rowsBefore) * 1_000_000_000L / elapsed);
    }

    /** The baseline: the same load and probes, seen by Debezium's engine alone in a consumer that only notes probe arrivals. */
    private static Result runDebezium(MariaDbServer db, Map<String, String> props, int rate, int seconds) throws Exception {
        Properties p = CaptureWorker.debeziumProperties(SourceConfig.parse(props));
        Map<Long, Long> committed = new ConcurrentHashMap<>();
        List<Double> engineMs = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean streaming = new AtomicBoolean();
        DebeziumEngine<RecordChangeEvent<SourceRecord>> engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class)).using(p)
                .notifying((records, committer) -> {
                    long now = System.nanoTime();
                    streaming.set(true);
                    for (RecordChangeEvent<SourceRecord> r : records) {
                        if (r.record().value() instanceof Struct v && v.schema().field("after") != null && v.getStruct("after") != null) {
                            Long t = committed.remove(v.getStruct("after").getInt64("id"));
                            if (t != null) {
                                engineMs.add((now - t) / 1e6);
                            }
                        }
                        committer.markProcessed(r);
                    }
                    committer.markBatchFinished();
                }).build();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        executor.execute(engine);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!streaming.get() && System.nanoTime() < deadline) {
                db.execute("INSERT INTO " + DB + ".items VALUES (" + (2 * PROBE_BASE + System.nanoTime() % 1_000_000) + ", 'warm', 0)");
                Thread.sleep(200);
            }
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong rows = new AtomicLong();
            ExecutorService loader = Executors.newSingleThreadExecutor();
            loader.execute(() -> load(db, rate, 500_000_000L, running, rows));
            Thread.sleep(WARM_UP.toMillis());
            long start = System.nanoTime();
            long rowsBefore = rows.get();
            try (Connection c = db.connect(DB); Statement s = c.createStatement()) {
                for (long i = 0; i < (long) seconds * 10; i++) {
                    long id = PROBE_BASE + 500_000_000L + i;
                    long t = System.nanoTime();
                    committed.put(id, t); // noted before the insert: the engine may see it before the call returns
                    s.execute("INSERT INTO items VALUES (" + id + ", 'probe', 0)");
                    committed.computeIfPresent(id, (k, old) -> System.nanoTime());
                    Pacing.sleepUntil(start + (i + 1) * 100_000_000L);
                }
            }
            long elapsed = System.nanoTime() - start;
            running.set(false);
            loader.shutdown();
            loader.awaitTermination(30, TimeUnit.SECONDS);
            Thread.sleep(3000);
            return new Result(List.of(), List.of(), engineMs, (rows.get() - rowsBefore) * 1_000_000_000L / elapsed);
        } finally {
            engine.close();
            executor.shutdown();
            executor.awaitTermination(1, TimeUnit.MINUTES);
        }
    }

    /** Inserts {@code rate} rows per second, 20 rows per transaction, paced against the clock. */
    private static void load(MariaDbServer db, int rate, long idOffset, AtomicBoolean running, AtomicLong rows) {
        int perTx = 20;
        long intervalNanos = 1_000_000_000L * perTx / Math.max(1, rate);
        try (Connection c = db.connect(DB); Statement s = c.createStatement()) {
            long next = idOffset;
            long start = System.nanoTime();
            for (long tx = 0; running.get(); tx++) {
                StringBuilder sql = new StringBuilder("INSERT INTO items VALUES ");
                for (int i = 0; i < perTx; i++) {
                    sql.append(i == 0 ? "" : ",").append('(').append(next++).append(", 'row ").append(next).append("', ").append(i).append(')');
                }
                s.execute(sql.toString());
                rows.addAndGet(perTx);
                Pacing.sleepUntil(start + (tx + 1) * intervalNanos);
            }
        } catch (Exception e) {
            throw new IllegalStateException("the load writer failed: " + e.getMessage(), e);
        }
    }

    private static void print(String label, List<Double> ms) {
        System.out.printf("%-44s %8.0f %8.0f %8.0f %8.0f %10d%n", label, Figures.percentile(ms, 50), Figures.percentile(ms, 95), Figures.percentile(ms, 99),
                Figures.percentile(ms, 100), ms.size());
    }

    /** Resident memory of a process, from /proc. */
    private static long rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return 0;
    }

    /** Samples a process's resident memory once a second until stopped. */
    private static final class ScheduledRss {
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

        ScheduledRss(long pid, List<Long> into) {
            timer.scheduleAtFixedRate(() -> into.add(rss(pid)), 1, 1, TimeUnit.SECONDS);
        }

        void stop() {
            timer.shutdownNow();
        }
    }
}
