package io.sluice.admin.pipeline;

import static io.restassured.RestAssured.given;
import static io.sluice.admin.TestApi.createPipeline;
import static io.sluice.admin.TestApi.createSink;
import static io.sluice.admin.TestApi.createSource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sluice.admin.TestAuth;
import io.sluice.admin.auth.Role;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import io.sluice.testkit.OpenSearchTestNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The server's embedded mode through its API, the module's example: register a MariaDB source, a Redis, a Lucene
 * and an OpenSearch sink and a pipeline; inserts, updates and deletes reach all three; pause, resume and stop
 * behave and leave a timeline; secrets never come back.
 */
@QuarkusTest
class PipelineApiIT {
    private static final String DB_PASSWORD = "Pipeline-Db-Pw-7";
    private static final String REDIS_PASSWORD_MARKER = "never-in-a-response";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String id = UUID.randomUUID().toString().substring(0, 6);
    private final String database = "shop_" + id;

    @BeforeEach
    void signIn() {
        TestAuth.signInAs(Role.ADMIN);
    }

    @Test
    void shouldStreamChangesIntoRedisLuceneAndOpenSearchAndObeyPauseResumeAndStop() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        RedisServer redis = RedisServer.shared();
        OpenSearchTestNode search = OpenSearchTestNode.shared();
        db.createCaptureUser("pipeline_api", DB_PASSWORD);
        db.recreateDatabase(database);
        db.execute("CREATE TABLE " + database + ".products (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, price DECIMAL(8,2) NOT NULL)",
                "INSERT INTO " + database + ".products VALUES (1, 'desk lamp', 19.90), (2, 'oak table', 249.00)");
        String source = "src-" + id;

        given().contentType(ContentType.JSON).body(Map.of("name", source, "type", "mariadb", "host", db.host(), "port", db.port(),
                "user", "pipeline_api", "password", DB_PASSWORD, "server.id", 7100 + (int) (Math.random() * 800), "databases", database))
                .post("/api/v1/sources").then().statusCode(201).body("status.state", equalTo("idle"));
        createSink("cache-" + id, "redis", Map.of("redis.uri", "redis://" + redis.host() + ":" + redis.port()));
        createSink("index-" + id, "lucene", Map.of());
        createSink("search-" + id, "opensearch", Map.of("opensearch.urls", search.url(), "index.replicas", "0", "target", "p-{table}-" + id));
        // A wrong sink is reported by its connection test, and stored: its target may come up later.
        given().contentType(ContentType.JSON).body(Map.of("name", "down-" + id, "type", "redis", "config",
                Map.of("redis.uri", "redis://127.0.0.1:9", "redis.password", REDIS_PASSWORD_MARKER, "redis.timeout.ms", "300")))
                .post("/api/v1/sinks").then().statusCode(201).body("connection.ok", equalTo(false))
                .body(not(containsString(REDIS_PASSWORD_MARKER)));

        given().contentType(ContentType.JSON).body(Map.of("name", "p-" + id, "source", source, "tables", List.of(database + ".*"),
                "sinks", List.of("cache-" + id, "index-" + id, "search-" + id))).post("/api/v1/pipelines").then().statusCode(201)
                .body("sinks", hasItems("cache-" + id, "index-" + id, "search-" + id));
        awaitState(source, "streaming");

        db.execute("INSERT INTO " + database + ".products VALUES (3, 'wool rug', 89.00)",
                "UPDATE " + database + ".products SET price = 21.50 WHERE id = 1",
                "DELETE FROM " + database + ".products WHERE id = 2");
        Map<String, String> expected = Map.of("1", "desk lamp", "3", "wool rug");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            assertThat(redisNames(redis, source)).isEqualTo(expected);
            assertThat(luceneNames(source)).isEqualTo(expected);
            assertThat(openSearchNames(search)).isEqualTo(expected);
        });
        given().get("/api/v1/sinks/index-{id}/search?table={t}&field=name&q=lamp", id, source + "." + database + ".products").then()
                .statusCode(200).body("total", equalTo(1)).body("hits[0].price", Matchers.hasToString("21.5"));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(given().get("/q/metrics").then().statusCode(200).extract().asString())
                .contains("sluice_source_freshness{source=\"" + source + "\"}")
                .contains("sluice_source_lag{source=\"" + source + "\"}")
                .contains("sluice_table_events_total{source=\"" + source + "\",table=\"" + database + ".products\"}")
                .contains("sluice_sink_healthy{sink=\"cache-" + id + "\",source=\"" + source + "\"} 1.0")
                .contains("sluice_sink_dead_letters{sink=\"index-" + id + "\"} 0.0"));
        // Values, not only names: each sink acknowledged the snapshot's 2 rows and the 3 changes, and the changes were
        // visible within a plausible time of their commit (whole-second commit times: up to a second more).
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            for (String sink : List.of("cache-" + id, "index-" + id, "search-" + id)) {
                String tags = "{sink=\"" + sink + "\",source=\"" + source + "\"}";
                assertThat(metric(metrics, "sluice_sink_events_written_total" + tags)).as(sink + " written").isEqualTo(5.0);
                assertThat(metric(metrics, "sluice_sink_freshness_p99" + tags)).as(sink + " freshness p99, ms").isBetween(0.0, 10_000.0);
                assertThat(metric(metrics, "sluice_sink_freshness_p50" + tags)).as(sink + " freshness p50, ms")
                        .isLessThanOrEqualTo(metric(metrics, "sluice_sink_freshness_p99" + tags));
            }
        });
        // The dashboard and the alert rules in deploy/monitoring use only metrics the server exports.
        String exported = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String file : List.of("sluice-dashboard.json", "sluice-alerts.yml")) {
            String text = Files.readString(Path.of("..", "deploy", "monitoring", file));
            Matcher names = Pattern.compile("sluice_[a-z0-9_]+").matcher(text);
            int found = 0;
            while (names.find()) {
                found++;
                String name = names.group();
                assertThat(exported.lines().anyMatch(l -> l.startsWith(name + "{") || l.startsWith(name + " "))).as(file + " uses " + name)
                        .isTrue();
            }
            assertThat(found).as(file + " names metrics").isGreaterThan(5);
        }
        given().get("/api/v1/sources/{s}", source).then().statusCode(200).body("status.sinks.find { it.sink == 'cache-" + id + "' }.written",
                equalTo(5)).body("status.sinks.find { it.sink == 'cache-" + id + "' }.lastPosition", Matchers.notNullValue());

        given().post("/api/v1/sources/{s}/pause", source).then().statusCode(200).body("desired", equalTo("paused"));
        db.execute("INSERT INTO " + database + ".products VALUES (4, 'paused chair', 10.00)");
        awaitState(source, "paused");
        assertThat(luceneNames(source)).doesNotContainKey("4");
        given().post("/api/v1/sources/{s}/resume", source).then().statusCode(200);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(luceneNames(source)).containsKey("4"));
        awaitState(source, "streaming");

        given().post("/api/v1/sources/{s}/stop", source).then().statusCode(200).body("state", equalTo("stopped"));
        given().post("/api/v1/sources/{s}/pause", source).then().statusCode(409).body("code", equalTo("not_running"));
        given().get("/api/v1/sources/{s}/timeline", source).then().statusCode(200)
                .body("action", hasItems("created", "started", "paused", "resumed", "stopped"))
                .body("find { it.action == 'paused' }.actor", equalTo(TestAuth.user(Role.ADMIN)));

        // Nothing the server returns carries a password.
        for (String path : List.of("/api/v1/sources", "/api/v1/sinks", "/api/v1/pipelines", "/api/v1/sources/" + source + "/timeline")) {
            assertThat(given().get(path).then().statusCode(200).extract().asString()).doesNotContain(DB_PASSWORD)
                    .doesNotContain(REDIS_PASSWORD_MARKER);
        }
        // Deleting in the wrong order is refused with what to do.
        given().delete("/api/v1/sinks/index-{id}", id).then().statusCode(409).body("message", containsString("p-" + id));
        given().delete("/api/v1/sources/{s}", source).then().statusCode(409).body("message", containsString("p-" + id));
        given().delete("/api/v1/pipelines/p-{id}", id).then().statusCode(204);
        given().delete("/api/v1/sources/{s}", source).then().statusCode(204);
    }

    @Test
    void shouldHoldOnlyTheSourceWhoseSinkIsDownAndLoseNothing() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        RedisServer redis = RedisServer.shared();
        db.createCaptureUser("pipeline_api", DB_PASSWORD);
        String other = database + "_b";
        for (String d : List.of(database, other)) {
            db.recreateDatabase(d);
            db.execute("CREATE TABLE " + d + ".products (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, price DECIMAL(8,2) NOT NULL)");
        }
        String cached = "held-" + id;
        String indexed = "free-" + id;
        int serverId = 7100 + (int) (Math.random() * 800);
        for (String[] s : List.of(new String[] {cached, database, "0"}, new String[] {indexed, other, "1"})) {
            createSource(db.sourceRequest(s[0], "pipeline_api", DB_PASSWORD, s[1], serverId + Integer.parseInt(s[2])));
        }
        createSink("cache-" + id, "redis", Map.of("redis.uri", "redis://" + redis.host() + ":" + redis.port(), "redis.timeout.ms", "500"));
        createSink("index-" + id, "lucene", Map.of());
        createPipeline("c-" + id, cached, List.of("cache-" + id));
        createPipeline("i-" + id, indexed, List.of("index-" + id));
        awaitState(cached, "streaming");
        awaitState(indexed, "streaming");

        redis.stop();
        try {
            db.execute("INSERT INTO " + database + ".products VALUES (1, 'held lamp', 1.00)",
                    "INSERT INTO " + other + ".products VALUES (1, 'free lamp', 1.00)");
            awaitState(cached, "held");
            given().get("/api/v1/sources/{s}/status", cached).then().body("reason", containsString("cache-" + id))
                    .body("fix", containsString("nothing is lost"));
            // The other source writes to other sinks: it goes on.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(given().get("/api/v1/sinks/index-{id}/search?table={t}",
                    id, indexed + "." + other + ".products").then().extract().<Integer>path("total")).isEqualTo(1));
            given().get("/api/v1/sources/{s}/status", indexed).then().body("state", equalTo("streaming"));
            await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/q/health/ready").then().extract().<String>path(
                    "checks.find { it.name == 'pipelines' }.data.status"), equalTo("degraded"));
            db.execute("INSERT INTO " + database + ".products VALUES (2, 'held chair', 2.00)");
        } finally {
            redis.start();
        }
        awaitState(cached, "streaming");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(redisNames(redis, cached)).isEqualTo(Map.of("1", "held lamp",
                "2", "held chair")));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/api/v1/sources/{s}/timeline", cached).then()
                .body("action", hasItems("state:held", "state:streaming")));
        for (String s : List.of(cached, indexed)) {
            given().post("/api/v1/sources/{s}/stop", s).then().statusCode(200);
        }
    }

    @Test
    void shouldUpdateASourceAndAPipelineAndKeepTheStoredPassword() {
        MariaDbServer db = MariaDbServer.shared();
        db.createCaptureUser("pipeline_api", DB_PASSWORD);
        String source = "upd-" + id;
        Map<String, Object> keys = db.sourceRequest(source, "pipeline_api", DB_PASSWORD, database, 7100 + (int) (Math.random() * 800));
        createSource(keys);
        keys.remove("password");
        keys.put("databases", database + "_other");
        given().contentType(ContentType.JSON).body(keys).put("/api/v1/sources/{s}", source).then().statusCode(200)
                .body("settings.databases", equalTo(database + "_other")).body(not(containsString(DB_PASSWORD)));
        // The stored password still opens the connection.
        given().post("/api/v1/sources/{s}/preflight", source).then().statusCode(200)
                .body("findings.find { it.check == 'connection' }.severity", equalTo("OK"));
        keys.put("name", "renamed");
        given().contentType(ContentType.JSON).body(keys).put("/api/v1/sources/{s}", source).then().statusCode(422)
                .body("details[0].field", equalTo("name"));
        given().contentType(ContentType.JSON).body(Map.of("name", source)).put("/api/v1/sources/none-{id}", id).then().statusCode(404);

        createSink("a-" + id, "lucene", Map.of());
        createSink("b-" + id, "lucene", Map.of());
        createPipeline("u-" + id, source, List.of("a-" + id));
        given().contentType(ContentType.JSON).body(Map.of("source", source, "tables", List.of(database + ".products"), "sinks", List.of("b-" + id)))
                .put("/api/v1/pipelines/u-{id}", id).then().statusCode(200).body("sinks", equalTo(List.of("b-" + id)));
        given().get("/api/v1/pipelines/u-{id}", id).then().statusCode(200).body("tables", equalTo(List.of(database + ".products")));
        given().get("/api/v1/sinks/a-{id}", id).then().statusCode(200).body("pipelines", equalTo(List.of()));
        given().contentType(ContentType.JSON).body(Map.of("name", "other", "source", source, "sinks", List.of("b-" + id)))
                .put("/api/v1/pipelines/u-{id}", id).then().statusCode(422).body("details[0].field", equalTo("name"));
        given().post("/api/v1/sources/{s}/stop", source).then().statusCode(200);
        given().delete("/api/v1/pipelines/u-{id}", id).then().statusCode(204);
        given().delete("/api/v1/sources/{s}", source).then().statusCode(204);
    }

    @Test
    void shouldRefuseABadPipelineWithEveryProblemAtOnce() {
        given().contentType(ContentType.JSON).body(Map.of("name", "Bad Name", "source", "no-such-source", "tables", List.of("no_dot"),
                "sinks", List.of("no-such-sink"))).post("/api/v1/pipelines").then().statusCode(422)
                .body("code", equalTo("validation_failed"))
                .body("details.field", hasItems("name", "source", "tables", "sinks"));
        given().contentType(ContentType.JSON).body(Map.of("name", "x-" + id)).post("/api/v1/pipelines").then().statusCode(422)
                .body("details.field", hasItems("source", "sinks"));
        given().contentType(ContentType.JSON).body("{\"name\": 5, \"sinks\": \"x\"}").post("/api/v1/pipelines").then().statusCode(400)
                .body("code", equalTo("bad_request"));
        given().get("/api/v1/pipelines/none-{id}", id).then().statusCode(404).body("code", equalTo("not_found"));
    }

    @Test
    void shouldRefuseABadSinkWithEveryProblemAtOnce() {
        given().contentType(ContentType.JSON).body(Map.of("name", "s-" + id, "type", "redis", "config", Map.of("redis.format", "xml",
                "colour", "blue"))).post("/api/v1/sinks").then().statusCode(422)
                .body("details.field", hasItems("redis.uri", "redis.format", "colour"));
        given().contentType(ContentType.JSON).body(Map.of("name", "s-" + id, "type", "kafka")).post("/api/v1/sinks").then().statusCode(422)
                .body("details[0].field", equalTo("type")).body("details[0].message", containsString("redis"));
        given().contentType(ContentType.JSON).body(Map.of("name", "s-" + id, "type", "lucene", "config", Map.of("lucene.dir", "/etc")))
                .post("/api/v1/sinks").then().statusCode(422).body("details[0].field", equalTo("lucene.dir"));
        given().contentType(ContentType.JSON).body(Map.of("name", "s-" + id, "type", "lucene", "extra", 1)).post("/api/v1/sinks").then()
                .statusCode(422).body("details[0].field", equalTo("extra"));
        given().contentType(ContentType.JSON).body(Map.of("name", "s-" + id, "type", "lucene")).post("/api/v1/sinks").then().statusCode(201);
        given().contentType(ContentType.JSON).body(Map.of("name", "s-" + id, "type", "lucene")).post("/api/v1/sinks").then().statusCode(409);
        given().contentType(ContentType.JSON).body(Map.of("type", "redis")).put("/api/v1/sinks/s-{id}", id).then().statusCode(422)
                .body("details[0].field", equalTo("type"));
        given().get("/api/v1/sinks/s-{id}/search?table=a.b", id).then().statusCode(422).body("details[0].field", equalTo("table"));
        given().get("/api/v1/sinks/none-{id}", id).then().statusCode(404);
        given().get("/api/v1/sinks/s-{id}/dead-letters", id).then().statusCode(200);
        given().contentType(ContentType.JSON).body(Map.of("ids", List.of(1), "all", true)).post("/api/v1/sinks/s-{id}/dead-letters/replay", id)
                .then().statusCode(422).body("details[0].field", equalTo("ids"));
        given().contentType(ContentType.JSON).body(Map.of("ids", List.of(999_999))).post("/api/v1/sinks/s-{id}/dead-letters/discard", id)
                .then().statusCode(422).body("details[0].message", containsString("999999"));
        given().contentType(ContentType.JSON).body(Map.of("all", true, "dryRun", true)).post("/api/v1/sinks/s-{id}/dead-letters/replay", id)
                .then().statusCode(200).body("dryRun", equalTo(true)).body("remaining", equalTo(0));
        given().delete("/api/v1/sinks/s-{id}", id).then().statusCode(204);
    }

    private static void awaitState(String source, String state) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> given().get("/api/v1/sources/{s}/status", source).then().statusCode(200).extract().path("state"), equalTo(state));
    }

    private Map<String, String> redisNames(RedisServer redis, String source) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            for (String key : jedis.keys(source + ":" + database + ":products:{*}")) {
                String value = jedis.get(key);
                if (value != null) {
                    out.put(key.substring(key.indexOf('{') + 1, key.indexOf('}')), JSON.readTree(value).path("name").asText());
                }
            }
        }
        return out;
    }

    private Map<String, String> luceneNames(String source) {
        List<Map<String, Object>> hits = given().get("/api/v1/sinks/index-{id}/search?table={t}&size=100", id, source + "." + database + ".products")
                .then().statusCode(200).extract().path("hits");
        Map<String, String> out = new TreeMap<>();
        hits.forEach(h -> out.put(String.valueOf(h.get("_id")), String.valueOf(h.get("name"))));
        return out;
    }

    private Map<String, String> openSearchNames(OpenSearchTestNode search) throws Exception {
        HTTP.send(HttpRequest.newBuilder(URI.create(search.url() + "/p-products-" + id + "/_refresh")).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(search.url() + "/p-products-" + id + "/_search?size=100")).build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, String> out = new TreeMap<>();
        if (r.statusCode() != 200) {
            return out;
        }
        for (JsonNode hit : JSON.readTree(r.body()).path("hits").path("hits")) {
            out.put(hit.path("_id").asText(), hit.path("_source").path("name").asText());
        }
        return out;
    }

    /** A sample's value in Prometheus's text format, by its name and tags as the server writes them. */
    private static double metric(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series + " ")).findFirst().map(l -> Double.parseDouble(l.substring(series.length() + 1)))
                .orElseThrow(() -> new AssertionError(series + " is not among the metrics"));
    }
}
