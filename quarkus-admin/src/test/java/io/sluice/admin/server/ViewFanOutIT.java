package io.sluice.admin.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.embedded.FreePorts;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import io.sluice.embedded.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * A fan-out: a category renamed under 50,000 products updates all 50,000 product documents, through a background
 * rebuild since it is over the server's fan-out cap, while a steady stream of changes on another table stays fresh;
 * a fan-out under the cap is rebuilt on the stream. Both end equal to the tables.
 */
class ViewFanOutIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN_PASSWORD = "View-FanOut-Admin-1";
    private static final String DB_PASSWORD = "View-FanOut-Db-Pw-1";
    private static final int PRODUCTS = 50_000;
    private static final int SMALL = 500;

    private final String id = UUID.randomUUID().toString().substring(0, 6);
    private final String database = "vfan_" + id;
    private final String source = "vf" + id;
    private final String view = "products_" + id;

    @Test
    void shouldRebuildAFanOutOverTheCapInTheBackgroundWhileTheStreamStaysFresh() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        RedisServer redis = RedisServer.shared();
        db.createCaptureUser("vfan_capture", DB_PASSWORD);
        db.recreateDatabase(database);
        db.execute("CREATE TABLE " + database + ".categories (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL)",
                "CREATE TABLE " + database + ".products (id INT PRIMARY KEY, category_id INT NOT NULL, name VARCHAR(50) NOT NULL,"
                        + " KEY (category_id))",
                "CREATE TABLE " + database + ".pings (id INT PRIMARY KEY, at BIGINT NOT NULL)",
                "INSERT INTO " + database + ".categories VALUES (1, 'lamps'), (2, 'rugs')",
                "INSERT INTO " + database + ".pings VALUES (1, 0)");
        for (int from = 1; from <= PRODUCTS + SMALL; from += 2000) {
            List<String> rows = new ArrayList<>();
            for (int p = from; p < from + 2000 && p <= PRODUCTS + SMALL; p++) {
                rows.add("(" + p + ", " + (p <= PRODUCTS ? 1 : 2) + ", 'product " + p + "')");
            }
            db.execute("INSERT INTO " + database + ".products VALUES " + String.join(", ", rows));
        }

        Path dir = Files.createTempDirectory("sluice-view-fanout-");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Map<String, String> props = new HashMap<>(Map.of("sluice.data-dir", dir.resolve("data").toString(),
                "sluice.encryption-key", Base64.getEncoder().encodeToString(key), "sluice.admin.initial-password", ADMIN_PASSWORD,
                "sluice.secure-cookies", "false", "sluice.views.fan-out-cap", "10000", "sluice.views.rebuild-rate", "100000"));
        try (ServerProcess server = new ServerProcess(ServerProcess.packagedJar(), FreePorts.next(), props,
                Path.of("target", "view-fanout-" + id + ".log"))) {
            server.start();
            server.json("POST", "/api/v1/sources", JSON.writeValueAsString(db.sourceRequest(source, "vfan_capture", DB_PASSWORD, database,
                    7500 + new Random().nextInt(90))), 201);
            server.json("POST", "/api/v1/sinks", JSON.writeValueAsString(Map.of("name", "cache", "type", "redis", "config",
                    Map.of("redis.uri", "redis://" + redis.host() + ":" + redis.port()))), 201);
            server.json("POST", "/api/v1/pipelines", JSON.writeValueAsString(Map.of("name", "all", "source", source,
                    "sinks", List.of("cache"))), 201);
            server.awaitStreaming(source);
            server.json("POST", "/api/v1/views", JSON.writeValueAsString(Map.of("name", view, "pipeline", "all", "root", database
                    + ".products", "columns", List.of("id", "name"), "relations", List.of(Map.of("name", "category", "kind", "one",
                    "table", database + ".categories", "on", Map.of("category_id", "id"), "columns", List.of("name"))))), 201);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> categoryNames(redis, PRODUCTS + SMALL),
                    names -> names.getOrDefault("lamps", 0) == PRODUCTS && names.getOrDefault("rugs", 0) == SMALL);

            // A steady stream on another table while the fan-out runs: each ping's commit to its arrival in Redis.
            AtomicBoolean pinging = new AtomicBoolean(true);
            List<Long> freshness = Collections.synchronizedList(new ArrayList<>());
            AtomicReference<Exception> failure = new AtomicReference<>();
            Thread pinger = new Thread(() -> ping(db, redis, pinging, freshness, failure), "view-fanout-pings");
            pinger.start();
            Thread.sleep(1000);
            long renamed = System.nanoTime();
            db.execute("UPDATE " + database + ".categories SET name = 'lights' WHERE id = 1");
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> categoryNames(redis, PRODUCTS + SMALL)
                    .getOrDefault("lights", 0) == PRODUCTS);
            double fanOutSeconds = (System.nanoTime() - renamed) / 1e9;
            db.execute("UPDATE " + database + ".categories SET name = 'carpets' WHERE id = 2");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> categoryNames(redis, PRODUCTS + SMALL)
                    .getOrDefault("carpets", 0) == SMALL);
            pinging.set(false);
            pinger.join();
            assertThat(failure.get()).isNull();

            List<Long> sorted = new ArrayList<>(freshness);
            Collections.sort(sorted);
            long p99 = sorted.get(Math.max(0, (int) Math.ceil(sorted.size() * 0.99) - 1));
            System.out.printf("view fan-out: %,d documents rebuilt in %.1f s in the background; %d pings meanwhile, freshness p50 %d ms,"
                    + " p99 %d ms%n", PRODUCTS, fanOutSeconds, sorted.size(), sorted.get(sorted.size() / 2), p99);
            assertThat(sorted).as("pings delivered while the fan-out ran").hasSizeGreaterThan(20);
            assertThat(p99).as("the stream's freshness during the fan-out, ms").isLessThan(5000);
            JsonNode rebuilds = server.json("GET", "/api/v1/views/" + view + "/rebuilds", null, 200);
            assertThat(rebuilds.findValuesAsText("keys")).as("a background rebuild of the fan-out").contains(String.valueOf(PRODUCTS));
            assertThat(rebuilds.findValuesAsText("state")).doesNotContain("waiting", "failed");
            JsonNode status = server.json("GET", "/api/v1/views/" + view, null, 200).path("status");
            assertThat(status.path("handedOver").asLong()).isGreaterThanOrEqualTo(PRODUCTS);
        }
    }

    /** Pings a plain table every 20 ms and notes when each reaches Redis. */
    private void ping(MariaDbServer db, RedisServer redis, AtomicBoolean pinging, List<Long> freshness, AtomicReference<Exception> failure) {
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            String key = source + ":" + database + ":pings:{1}";
            for (long n = 1; pinging.get(); n++) {
                long sent = System.nanoTime();
                db.execute("UPDATE " + database + ".pings SET at = " + n + " WHERE id = 1");
                while (pinging.get()) {
                    String value = jedis.get(key);
                    if (value != null && JSON.readTree(value).path("at").asLong() >= n) {
                        freshness.add((System.nanoTime() - sent) / 1_000_000);
                        break;
                    }
                    Thread.sleep(2);
                }
                Thread.sleep(20);
            }
        } catch (Exception e) {
            failure.set(e);
        }
    }

    /** How many product documents carry each category name. */
    private Map<String, Integer> categoryNames(RedisServer redis, int products) throws Exception {
        Map<String, Integer> out = new HashMap<>();
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            for (int from = 1; from <= products; from += 1000) {
                Pipeline p = jedis.pipelined();
                List<Response<String>> values = new ArrayList<>();
                for (int i = from; i < from + 1000 && i <= products; i++) {
                    values.add(p.get(source + ":views:" + view + ":{" + i + "}"));
                }
                p.sync();
                for (Response<String> v : values) {
                    if (v.get() != null) {
                        out.merge(JSON.readTree(v.get()).path("category").path("name").asText(), 1, Integer::sum);
                    }
                }
            }
        }
        return out;
    }
}
