package io.sluice.admin.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.embedded.FreePorts;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import io.sluice.embedded.ServerProcess;
import io.sluice.testkit.OpenSearchTestNode;
import io.sluice.testkit.PostgresTestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The crash loop of the reliability suite: the packaged server end to end on real servers, with its metadata in
 * embedded H2 and in PostgreSQL: MariaDB → server → Redis + Lucene + OpenSearch under a steady write load, the
 * server killed (SIGKILL) at random moments and started again over the same data each time
 * ({@code sluice.reliability.kills} times, 2 by default; {@code ./sluice reliability} runs 10). Afterwards every
 * target equals the source table: by an independent read of each target, and by Sluice's own verify (zero
 * missing, stale and extra keys).
 */
class ServerRestartIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String ADMIN_PASSWORD = "Restart-Admin-Pw-1";
    private static final String DB_PASSWORD = "Restart-Db-Pw-1";

    @ParameterizedTest(name = "metadata in {0}")
    @ValueSource(strings = {"h2", "postgresql"})
    void shouldKeepEveryTargetEqualToTheSourceAcrossAKilledServer(String metadata) throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        RedisServer redis = RedisServer.shared();
        OpenSearchTestNode search = OpenSearchTestNode.shared();
        String id = UUID.randomUUID().toString().substring(0, 6);
        String database = "restart_" + id;
        db.createCaptureUser("restart_capture", DB_PASSWORD);
        db.recreateItemsDatabase(database);
        for (int i = 1; i <= 100; i++) {
            db.execute("INSERT INTO " + database + ".items VALUES (" + i + ", 'item " + i + "', " + i + ")");
        }

        Path dir = Files.createTempDirectory("sluice-server-" + metadata + "-");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Map<String, String> props = new HashMap<>(Map.of("sluice.data-dir", dir.resolve("data").toString(),
                "sluice.encryption-key", Base64.getEncoder().encodeToString(key), "sluice.admin.initial-password", ADMIN_PASSWORD,
                "sluice.secure-cookies", "false"));
        if (metadata.equals("postgresql")) {
            PostgresTestServer pg = PostgresTestServer.shared();
            props.put("sluice.metadata.jdbc-url", pg.createDatabase("sluice_" + id));
            props.put("sluice.metadata.username", PostgresTestServer.USER);
            props.put("sluice.metadata.password", PostgresTestServer.PASSWORD);
        }
        Path log = Path.of("target", "server-restart-" + metadata + ".log");
        Files.deleteIfExists(log);
        String source = "s" + id;
        try (ServerProcess server = new ServerProcess(ServerProcess.packagedJar(), FreePorts.next(), props, log)) {
            server.start();
            server.json("POST", "/api/v1/sources", JSON.writeValueAsString(db.sourceRequest(source, "restart_capture", DB_PASSWORD, database,
                    7900 + new Random().nextInt(90))), 201);
            server.json("POST", "/api/v1/sinks", JSON.writeValueAsString(Map.of("name", "cache", "type", "redis", "config",
                    Map.of("redis.uri", "redis://" + redis.host() + ":" + redis.port()))), 201);
            server.json("POST", "/api/v1/sinks", JSON.writeValueAsString(Map.of("name", "index", "type", "lucene")), 201);
            server.json("POST", "/api/v1/sinks", JSON.writeValueAsString(Map.of("name", "search", "type", "opensearch", "config",
                    Map.of("opensearch.urls", search.url(), "index.replicas", "0", "target", "restart-" + id))), 201);
            server.json("POST", "/api/v1/pipelines", JSON.writeValueAsString(Map.of("name", "all", "source", source,
                    "sinks", List.of("cache", "index", "search"))), 201);
            server.awaitStreaming(source);

            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicReference<Exception> writeFailure = new AtomicReference<>();
            Thread writer = new Thread(() -> ItemsTable.load(db, database, writing, writeFailure, 11), "restart-writer");
            writer.start();
            int kills = Integer.getInteger("sluice.reliability.kills", 2);
            long seed = Long.getLong("sluice.reliability.seed", System.nanoTime());
            Random moments = new Random(seed);
            System.out.println("crash loop: " + kills + " kills, seed " + seed + " (-Dsluice.reliability.seed to repeat)");
            for (int k = 0; k < kills; k++) {
                Thread.sleep(1000 + moments.nextInt(5000)); // a random moment of the load: snapshot, streaming, mid-batch
                server.kill();
                Thread.sleep(moments.nextInt(1500));
                server.start(); // same data directory and metadata: the source comes back by itself
                server.awaitStreaming(source);
            }
            Thread.sleep(2000);
            writing.set(false);
            writer.join();
            assertThat(writeFailure.get()).isNull();

            Map<Integer, String> expected = ItemsTable.sourceRows(db, database);
            assertThat(expected.size()).isGreaterThan(100);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                assertThat(ItemsTable.drift(ItemsTable.redisRows(redis, source + ":" + database + ":items:"), expected)).as("redis").isEmpty();
                assertThat(ItemsTable.drift(luceneRows(server, source + "." + database + ".items"), expected)).as("lucene").isEmpty();
                assertThat(ItemsTable.drift(openSearchRows(search, "restart-" + id), expected)).as("opensearch").isEmpty();
            });
            for (String sink : List.of("cache", "index", "search")) {
                JsonNode result = server.verify("all", database + ".items", sink, false);
                assertThat(result.path("missing").asLong() + result.path("stale").asLong() + result.path("extra").asLong())
                        .as("Sluice's verify of " + sink + ": " + result).isZero();
                assertThat(result.path("rowsChecked").asLong()).isEqualTo(expected.size());
            }
            assertThat(Files.readString(log)).doesNotContain(DB_PASSWORD).doesNotContain(ADMIN_PASSWORD);
        }
    }

    private static Map<Integer, String> luceneRows(ServerProcess server, String table) throws Exception {
        Map<Integer, String> out = new TreeMap<>();
        for (int from = 0;; from += 1000) {
            JsonNode page = server.json("GET", "/api/v1/sinks/index/search?size=1000&from=" + from + "&table=" + table, null, 200);
            for (JsonNode hit : page.path("hits")) {
                out.put(hit.path("_id").asInt(), ItemsTable.row(hit));
            }
            if (from + 1000 >= page.path("total").asLong()) {
                return out;
            }
        }
    }

    private static Map<Integer, String> openSearchRows(OpenSearchTestNode search, String index) throws Exception {
        HTTP.send(HttpRequest.newBuilder(URI.create(search.url() + "/" + index + "/_refresh")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(search.url() + "/" + index + "/_search?size=10000")).build(),
                HttpResponse.BodyHandlers.ofString());
        Map<Integer, String> out = new TreeMap<>();
        for (JsonNode hit : JSON.readTree(r.body()).path("hits").path("hits")) {
            out.put(hit.path("_id").asInt(), ItemsTable.row(hit.path("_source")));
        }
        return out;
    }
}
