package io.sluice.bench;

import io.sluice.demo.SluiceApi;
import io.sluice.embedded.FreePorts;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import io.sluice.embedded.ServerProcess;
import io.sluice.testkit.ConnectWorker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import redis.clients.jedis.Jedis;

/**
 * End-to-end events/s from MariaDB to Redis, the same rows both ways in one run: the embedded mode (the packaged
 * server capturing and writing itself) against the distributed mode (Debezium's MariaDB connector with Sluice's
 * converter into a KRaft broker, Sluice's Redis sink connector out of it, in a distributed Connect worker of its
 * own JVM loading both from {@code plugin.path}). Each run starts streaming on an empty table, then {@code rows}
 * rows are inserted in transactions of 1,000; the clock stops when the last row is readable in Redis (both paths
 * keep binlog order for a table), and the count of keys is checked. CPU seconds of each process during the run
 * show what limits it.
 *
 * <p>Arguments: {@code [rows]}, by default 200,000.
 */
public final class ConnectBench {
    private static final String ADMIN_PASSWORD = "Connect-Bench-Admin-1";
    private static final String CAPTURE_PASSWORD = "Connect-Bench-Capture-1";

    private ConnectBench() {
    }

    /** One run's figures. */
    private record Run(double seconds, Map<String, Double> cpuSeconds) {
    }

    /** Runs the scenario; exits 0 after printing the figures, 1 if it could not run. */
    public static void main(String[] args) {
        try {
            run(args);
        } catch (Exception e) {
            System.err.println("benchmark could not run: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0); // the broker's and clients' threads would keep the JVM alive
    }

    private static void run(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        Path root = Path.of(System.getProperty("sluice.root", ".")).toAbsolutePath();
        Path jar = root.resolve("quarkus-admin/target/quarkus-app/quarkus-run.jar");
        Path connectBuild = root.resolve("connect-plugin/target");
        String version = System.getProperty("sluice.version");
        System.out.println("Sluice end-to-end benchmark, MariaDB to Redis: " + rows + " inserted rows, embedded against Kafka Connect");
        System.out.println("machine: " + Machine.describe());
        Path work = Files.createTempDirectory("sluice-connect-bench-");
        try (MariaDbServer db = MariaDbServer.start(MariaDbServer.Options.defaults()); RedisServer redis = RedisServer.startNew()) {
            db.createCaptureUser("cbench", CAPTURE_PASSWORD);
            for (String database : List.of("emb", "dist")) {
                db.recreateDatabase(database);
                db.execute("CREATE TABLE " + database + ".items (id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL, qty INT NOT NULL)");
            }

            Run embedded;
            try (ServerProcess server = ServerProcess.inDataDir(jar, "127.0.0.1", FreePorts.next(), Files.createDirectories(work.resolve("embedded")),
                    ADMIN_PASSWORD, work.resolve("embedded.log"))) {
                server.launch();
                server.awaitReady(Duration.ofSeconds(120));
                SluiceApi api = new SluiceApi(server.base(), "admin", ADMIN_PASSWORD);
                api.post("/api/v1/sources", db.sourceRequest("emb", "cbench", CAPTURE_PASSWORD, "emb", 9401));
                api.post("/api/v1/sinks", Map.of("name", "cache", "type", "redis", "config", Map.of("redis.uri", "redis://" + redis.host() + ":"
                        + redis.port())));
                api.post("/api/v1/pipelines", Map.of("name", "emb", "source", "emb", "sinks", List.of("cache")));
                await("the embedded source to stream", () -> "streaming".equals(api.get("/api/v1/sources/emb/status").path("state").asText()));
                embedded = measure(db, redis, "emb", "emb:emb:items:{", rows, Map.of("server", server.pid()));
            }

            Run distributed;
            KafkaClusterTestKit kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
                    .setNumControllerNodes(1).build()).setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1").setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0").build();
            kafka.format();
            kafka.startup();
            kafka.waitForReadyBrokers();
            ConnectWorker.pluginPath(connectBuild, version);
            try (kafka; ServerProcess registry = ServerProcess.inDataDir(jar, "127.0.0.1", FreePorts.next(),
                    Files.createDirectories(work.resolve("registry")), ADMIN_PASSWORD, work.resolve("registry.log"));
                    ConnectWorker worker = new ConnectWorker(kafka.bootstrapServers(), connectBuild, "bench", work.resolve("worker"))) {
                registry.launch();
                registry.awaitReady(Duration.ofSeconds(120));
                worker.start();
                Map<String, String> converters = new HashMap<>();
                for (String side : List.of("key", "value")) {
                    converters.put(side + ".converter", "io.sluice.connect.SluiceAvroConverter");
                    converters.put(side + ".converter.schema.registry.url", registry.base() + "/registry");
                    converters.put(side + ".converter.basic.auth.user.info", "admin:" + ADMIN_PASSWORD);
                }
                Map<String, String> source = new HashMap<>(converters);
                source.putAll(Map.of("connector.class", "io.debezium.connector.mariadb.MariaDbConnector", "database.hostname", db.host(),
                        "database.port", Integer.toString(db.port()), "database.user", "cbench", "database.password", CAPTURE_PASSWORD,
                        "database.server.id", "9402", "topic.prefix", "dist", "database.include.list", "dist",
                        "schema.history.internal.kafka.bootstrap.servers", kafka.bootstrapServers(), "snapshot.mode", "no_data"));
                source.putAll(Map.of("schema.history.internal.kafka.topic", "schema-history.dist", "tombstones.on.delete", "true",
                        "include.schema.changes", "false", "decimal.handling.mode", "precise", "max.batch.size", "8192", "max.queue.size", "32768"));
                Map<String, String> sink = new HashMap<>(converters);
                sink.putAll(Map.of("connector.class", "io.sluice.sink.connect.RedisSinkConnector", "topics.regex", "dist\\.dist\\..*",
                        "redis.uri", "redis://" + redis.host() + ":" + redis.port(), "consumer.override.metadata.max.age.ms", "2000"));
                worker.put("dist-source", source);
                worker.put("dist-cache", sink);
                await("the connectors to run", () -> worker.running("dist-source") && worker.running("dist-cache"));
                // The sink finds the table's topic once it exists: create it with a first row, outside the measure. The
                // connector reports running before its (schema-only) snapshot has noted where streaming starts, so
                // the row is written again until it arrives.
                try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
                    int[] attempt = {0};
                    await("the warm-up row in Redis", () -> {
                        db.execute("REPLACE INTO dist.items VALUES (0, 'warm-up', " + attempt[0]++ + ")");
                        Thread.sleep(1000);
                        return jedis.exists("dist:dist:items:{0}");
                    });
                }
                db.execute("DELETE FROM dist.items WHERE id = 0");
                distributed = measure(db, redis, "dist", "dist:dist:items:{", rows, Map.of("Connect worker", worker.pid(), "registry (server)",
                        registry.pid(), "broker and this JVM", ProcessHandle.current().pid()));
            }

            double embeddedRate = rows / embedded.seconds();
            double distributedRate = rows / distributed.seconds();
            System.out.println();
            System.out.printf("%-48s %12s %10s%n", "MariaDB to Redis", "events/s", "seconds");
            System.out.printf("%-48s %,12.0f %10.1f%n", "embedded (the server alone)", embeddedRate, embedded.seconds());
            System.out.printf("%-48s %,12.0f %10.1f%n", "Kafka Connect (Debezium, broker, Sluice sink)", distributedRate, distributed.seconds());
            System.out.printf("ratio Kafka Connect / embedded: %.2f%n", distributedRate / embeddedRate);
            System.out.println("CPU seconds during each run (" + Runtime.getRuntime().availableProcessors() + " cores):");
            embedded.cpuSeconds().forEach((k, v) -> System.out.printf("  embedded      %-22s %6.1f s (%.0f%% of one core)%n", k, v,
                    100 * v / embedded.seconds()));
            distributed.cpuSeconds().forEach((k, v) -> System.out.printf("  Kafka Connect %-22s %6.1f s (%.0f%% of one core)%n", k, v,
                    100 * v / distributed.seconds()));
        }
    }

    /** Inserts the rows and waits until the last is in Redis; then checks that every row is. */
    private static Run measure(MariaDbServer db, RedisServer redis, String database, String prefix, int rows, Map<String, Long> pids)
            throws Exception {
        Map<String, Double> cpuBefore = new HashMap<>();
        pids.forEach((k, pid) -> cpuBefore.put(k, cpuSeconds(pid)));
        long start = System.nanoTime();
        try (Connection c = db.connect(database); Statement s = c.createStatement()) {
            for (int from = 1; from <= rows; from += 1000) {
                StringBuilder sql = new StringBuilder("INSERT INTO items VALUES ");
                for (int id = from; id < Math.min(from + 1000, rows + 1); id++) {
                    sql.append(id == from ? "" : ",").append("(").append(id).append(", 'item ").append(id).append("', ").append(id % 97).append(")");
                }
                s.execute(sql.toString());
            }
        }
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (!jedis.exists(prefix + rows + "}")) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("row " + rows + " did not reach Redis within 10 minutes");
                }
                Thread.sleep(20);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Double> cpu = new LinkedHashMap<>();
            pids.forEach((k, pid) -> cpu.put(k, cpuSeconds(pid) - cpuBefore.get(k)));
            int found = redis.strings(prefix, "}").size();
            if (found != rows) {
                throw new IllegalStateException("Redis holds " + found + " of " + rows + " rows under " + prefix);
            }
            return new Run(seconds, cpu);
        }
    }

    /** User and system CPU time of a process, from {@code /proc/<pid>/stat} (clock ticks of 1/100 s). */
    private static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (Exception e) {
            return 0;
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean ok() throws Exception;
    }

    private static void await(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(200);
        }
    }
}
