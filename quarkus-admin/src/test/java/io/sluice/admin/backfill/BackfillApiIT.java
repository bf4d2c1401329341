package io.sluice.admin.backfill;

import static io.restassured.RestAssured.given;
import static io.sluice.admin.TestApi.createPipeline;
import static io.sluice.admin.TestApi.createSink;
import static io.sluice.admin.TestApi.createSource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sluice.admin.TestAuth;
import io.sluice.admin.auth.Role;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import io.sluice.testkit.OpenSearchTestNode;
import io.sluice.testkit.RowChanges;
import io.sluice.testkit.TargetRows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Online backfills through the API, the module's example: a 200,000-row table is backfilled into an empty Redis,
 * then into every sink of the pipeline at once (Redis, OpenSearch, Lucene), while another thread updates, deletes and
 * inserts rows of the same table. At the end Redis and OpenSearch hold exactly the table, by an independent
 * comparison, and Sluice's verify of each sink agrees; a backfill aimed at one sink leaves the others alone; bad
 * requests are refused with what to fix.
 */
@QuarkusTest
class BackfillApiIT {
    private static final String DB_PASSWORD = "Backfill-Db-Pw-3";
    private static final int ROWS = 200_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String id = UUID.randomUUID().toString().substring(0, 6);
    private final String database = "bf_" + id;
    private final String source = "bf-" + id;

    @BeforeEach
    void signIn() {
        TestAuth.signInAs(Role.ADMIN);
    }

    @Test
    void shouldFillEmptyTargetsWhileTheTableIsWrittenAndEndEqualToIt() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        RedisServer redis = RedisServer.shared();
        OpenSearchTestNode search = OpenSearchTestNode.shared();
        db.createCaptureUser("backfill_api", DB_PASSWORD);
        db.recreateDatabase(database);
        db.execute("CREATE TABLE " + database + ".items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, qty INT NOT NULL)",
                "INSERT INTO " + database + ".items SELECT seq, CONCAT('item ', seq), seq % 1000 FROM " + database + ".seq_1_to_" + ROWS);
        // Capture starts at the binlog's end: the targets begin empty, as for a sink added to a running pipeline.
        Map<String, Object> body = db.sourceRequest(source, "backfill_api", DB_PASSWORD, database, 8100 + (int) (Math.random() * 800));
        body.put("snapshot.mode", "no_data");
        createSource(body);
        String cache = "cache-" + id;
        String index = "search-" + id;
        String lucene = "index-" + id;
        createSink(cache, "redis", Map.of("redis.uri", "redis://" + redis.host() + ":" + redis.port()));
        createSink(index, "opensearch", Map.of("opensearch.urls", search.url(), "index.replicas", "0", "target", "bf-{table}-" + id));
        createSink(lucene, "lucene", Map.of());
        createPipeline("p-" + id, source, List.of(cache, index, lucene));
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/api/v1/sources/{s}/status", source).then().extract().path("state"),
                equalTo("streaming"));

        RowChanges load = RowChanges.start(db, database + ".items", 1, ROWS, "'new', 0", 3, 11);
        try {
            // The table's schema is registered by capture with its first change.
            await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/registry/subjects").then().extract().body().asString()
                    .contains(source + "." + database + ".items-value"));

            refusals();

            long first = startBackfill(Map.of("pipeline", "p-" + id, "tables", List.of(database + ".items"), "sink", cache,
                    "chunkSize", 4096));
            // The same table into the same sink twice is refused while the first runs.
            given().contentType(ContentType.JSON).body(Map.of("pipeline", "p-" + id, "sink", cache)).post("/api/v1/backfills").then()
                    .statusCode(409).body("code", equalTo("conflict")).body("message", containsString("Backfill " + first));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(given().get("/q/metrics").then().statusCode(200).extract()
                    .asString()).contains("sluice_backfill_rows_written{backfill=\"" + first + "\",pipeline=\"p-" + id + "\",source=\"" + source
                    + "\"}"));
            awaitOutcome(first, "succeeded");
            long documentsInIndex = TargetRows.count(search, "bf-items-" + id);
            assertThat(documentsInIndex).as("documents in the OpenSearch index, which the Redis-only backfill must not touch")
                    .isLessThan(load.count() + 1L).isLessThan(ROWS / 4);

            // Every sink of the pipeline at once: the cache, already filled, skips what it holds by version.
            long second = startBackfill(Map.of("pipeline", "p-" + id));
            awaitOutcome(second, "succeeded");
            given().get("/api/v1/backfills/{id}", second).then().statusCode(200).body("tables", hasItem(database + ".items"))
                    .body("rowsWritten", Matchers.greaterThan(ROWS / 2))
                    .body("sinks", Matchers.containsInAnyOrder(cache, index, lucene));
        } finally {
            load.close();
        }
        assertThat(load.count()).as("changes written during the backfills").isGreaterThan(200);
        Map<String, String> expected = db.rows(database, "SELECT id, name, qty FROM items");
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                assertThat(TargetRows.redis(redis, source + ":" + database + ":items:{")).isEqualTo(expected);
                assertThat(TargetRows.openSearch(search, "bf-items-" + id)).isEqualTo(expected);
            });
            // Sluice's own verify agrees with the independent comparison: nothing missing, stale or extra.
            for (String sink : List.of(cache, index, lucene)) {
                long verification = ((Number) given().contentType(ContentType.JSON).body(Map.of("pipeline", "p-" + id, "table",
                        database + ".items", "sink", sink)).post("/api/v1/verifications").then().statusCode(201).extract().path("id")).longValue();
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> given()
                        .get("/api/v1/verifications/{id}", verification).then().extract().path("state"), s -> !"running".equals(s));
                given().get("/api/v1/verifications/{id}", verification).then().statusCode(200).body("state", equalTo("succeeded"))
                        .body("rowsChecked", equalTo(expected.size())).body("missing", equalTo(0)).body("stale", equalTo(0))
                        .body("extra", equalTo(0));
            }
        } finally {
            redis.unlinkAll(source + ":");
        }
        given().get("/api/v1/backfills").then().statusCode(200).body("id", hasItem((int) (long) startedIds.get(0)));
    }

    private final List<Long> startedIds = new ArrayList<>();

    private void refusals() {
        given().contentType(ContentType.JSON).body(Map.of("tables", List.of("no-dot"), "chunkSize", 0, "rowsPerSecond", -1))
                .post("/api/v1/backfills").then().statusCode(422).body("details.field", Matchers.hasItems("pipeline", "tables",
                        "chunkSize", "rowsPerSecond"));
        given().contentType(ContentType.JSON).body(Map.of("pipeline", "nope-" + id)).post("/api/v1/backfills").then().statusCode(404);
        given().contentType(ContentType.JSON).body(Map.of("pipeline", "p-" + id, "tables", List.of(database + ".missing"))).post("/api/v1/backfills")
                .then().statusCode(422).body("details[0].message", containsString("does not exist"));
        given().contentType(ContentType.JSON).body(Map.of("pipeline", "p-" + id, "where", "colour = 'red'")).post("/api/v1/backfills")
                .then().statusCode(422).body("details[0].field", equalTo("where")).body("details[0].message", containsString("colour"));
        given().contentType(ContentType.JSON).body(Map.of("pipeline", "p-" + id, "sink", "elsewhere")).post("/api/v1/backfills").then()
                .statusCode(422).body("details[0].field", equalTo("sink"));
        given().get("/api/v1/backfills/abc").then().statusCode(404);
        given().post("/api/v1/backfills/999999/pause").then().statusCode(404);
    }

    private long startBackfill(Map<String, Object> body) {
        long created = ((Number) given().contentType(ContentType.JSON).body(body).post("/api/v1/backfills").then().statusCode(201)
                .body("state", equalTo("running")).extract().path("id")).longValue();
        startedIds.add(created);
        return created;
    }

    private static void awaitOutcome(long backfill, String state) {
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).until(() -> {
            String s = given().get("/api/v1/backfills/{id}", backfill).then().statusCode(200).extract().path("state");
            if ("failed".equals(s)) {
                throw new AssertionError("backfill " + backfill + " failed: " + given().get("/api/v1/backfills/{id}", backfill).asString());
            }
            return s;
        }, equalTo(state));
    }

}
