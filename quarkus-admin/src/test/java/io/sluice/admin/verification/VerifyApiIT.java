package io.sluice.admin.verification;

import static io.restassured.RestAssured.given;
import static io.sluice.admin.TestApi.createPipeline;
import static io.sluice.admin.TestApi.createSink;
import static io.sluice.admin.TestApi.createSource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.sluice.admin.TestAuth;
import io.sluice.admin.auth.Role;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import io.sluice.testkit.OpenSearchTestNode;
import io.sluice.testkit.RowChanges;
import io.sluice.testkit.TargetRows;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Verify and repair through the API, the module's example: a table streamed into Redis and OpenSearch, both
 * damaged on purpose (keys deleted, values changed, keys added) while the table keeps being written elsewhere;
 * verify names exactly the damage, repair fixes it, and a second verify finds nothing.
 */
@QuarkusTest
class VerifyApiIT {
    private static final String DB_PASSWORD = "Verify-Db-Pw-5";
    private static final int ROWS = 20_000;

    private final String id = UUID.randomUUID().toString().substring(0, 6);
    private final String database = "vf_" + id;
    private final String source = "vf-" + id;

    @BeforeEach
    void signIn() {
        TestAuth.signInAs(Role.ADMIN);
    }

    @Test
    void shouldReportExactlyTheDamageAndRepairIt() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        RedisServer redis = RedisServer.shared();
        OpenSearchTestNode search = OpenSearchTestNode.shared();
        db.createCaptureUser("verify_api", DB_PASSWORD);
        db.recreateDatabase(database);
        db.execute("CREATE TABLE " + database + ".items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, qty INT NOT NULL, price DECIMAL(8,2))",
                "INSERT INTO " + database + ".items SELECT seq, CONCAT('item ', seq), seq % 1000, seq / 100 FROM " + database + ".seq_1_to_" + ROWS);
        createSource(db.sourceRequest(source, "verify_api", DB_PASSWORD, database, 8900 + (int) (Math.random() * 90)));
        String cache = "vcache-" + id;
        String index = "vsearch-" + id;
        String target = "vf-items-" + id;
        createSink(cache, "redis", Map.of("redis.uri", "redis://" + redis.host() + ":" + redis.port()));
        createSink(index, "opensearch", Map.of("opensearch.urls", search.url(), "index.replicas", "0", "target", "vf-{table}-" + id));
        createPipeline("p-" + id, source, List.of(cache, index));
        String prefix = source + ":" + database + ":items:{";
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> redis.strings(prefix, "}").size() == ROWS && TargetRows.count(search, target) == ROWS);

            // Rows 10,001 and up only, so that the damage to rows 1-15 stays exactly what the test made.
            RowChanges load = RowChanges.start(db, database + ".items", 10_001, ROWS, "'new', 0, 1.25", 10, 23);
            try {
                damageRedis(redis, prefix);
                damageOpenSearch(search, target);

                refusals(cache);

                JsonPath redisReport = verify(Map.of("pipeline", "p-" + id, "table", database + ".items", "sink", cache));
                assertThat(List.of(redisReport.getLong("missing"), redisReport.getLong("stale"), redisReport.getLong("extra")))
                        .as(redisReport.prettify()).containsExactly(5L, 3L, 4L);
                assertThat(redisReport.getList("samples.missing", String.class)).containsExactlyInAnyOrder("1", "2", "3", "4", "5");
                assertThat(redisReport.getList("samples.extra", String.class)).containsExactlyInAnyOrder("900001", "900002", "900003",
                        "900004");
                assertThat(redisReport.getLong("rowsChecked")).isGreaterThanOrEqualTo(ROWS - 1000L);

                JsonPath searchReport = verify(Map.of("pipeline", "p-" + id, "table", database + ".items", "sink", index));
                assertThat(List.of(searchReport.getLong("missing"), searchReport.getLong("stale"), searchReport.getLong("extra")))
                        .as(searchReport.prettify()).containsExactly(3L, 2L, 2L);

                JsonPath repaired = verify(Map.of("pipeline", "p-" + id, "table", database + ".items", "sink", cache, "repair", true));
                assertThat(repaired.getLong("repaired")).isEqualTo(12);
                JsonPath searchRepaired = verify(Map.of("pipeline", "p-" + id, "table", database + ".items", "sink", index, "repair", true));
                assertThat(searchRepaired.getLong("repaired")).isEqualTo(7);

                for (String sink : List.of(cache, index)) {
                    JsonPath again = verify(Map.of("pipeline", "p-" + id, "table", database + ".items", "sink", sink));
                    assertThat(List.of(again.getLong("missing"), again.getLong("stale"), again.getLong("extra"))).as(sink + ": " + again.prettify())
                            .containsExactly(0L, 0L, 0L);
                }
            } finally {
                load.close();
            }
            try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
                assertThat(jedis.get(prefix + "1}")).contains("\"name\":\"item 1\"");
                assertThat(jedis.get(prefix + "900001}")).isNull();
            }
            given().get("/api/v1/verifications").then().statusCode(200).body("size()", Matchers.greaterThanOrEqualTo(6));
        } finally {
            redis.unlinkAll(source + ":");
        }
    }

    private void refusals(String cache) {
        given().contentType(ContentType.JSON).body(Map.of("pipeline", "p-" + id, "table", database + ".nope", "sink", cache))
                .post("/api/v1/verifications").then().statusCode(422).body("details[0].field", equalTo("table"));
        given().contentType(ContentType.JSON).body(Map.of("pipeline", "p-" + id, "table", database + ".items"))
                .post("/api/v1/verifications").then().statusCode(422).body("details[0].field", equalTo("sink"));
        given().contentType(ContentType.JSON).body(Map.of("pipeline", "p-" + id, "table", database + ".items", "sink", cache, "where", "x ="))
                .post("/api/v1/verifications").then().statusCode(422).body("details[0].field", equalTo("where"));
        given().contentType(ContentType.JSON).body(Map.of("table", "bad name")).post("/api/v1/verifications").then().statusCode(422)
                .body("details.field", Matchers.hasItems("pipeline", "table"));
        given().get("/api/v1/verifications/x").then().statusCode(404);
    }

    private static JsonPath verify(Map<String, Object> body) {
        long created = ((Number) given().contentType(ContentType.JSON).body(body).post("/api/v1/verifications").then().statusCode(201)
                .extract().path("id")).longValue();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> given().get("/api/v1/verifications/{id}", created).then().statusCode(200).extract().path("state"),
                        s -> !"running".equals(s));
        JsonPath result = given().get("/api/v1/verifications/{id}", created).then().statusCode(200).extract().jsonPath();
        assertThat(result.getString("state")).as(result.prettify()).isEqualTo("succeeded");
        return result;
    }

    /** Keys 1-5 deleted, 6-8 changed, four keys the table never had added. */
    private static void damageRedis(RedisServer redis, String prefix) {
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            for (int k = 1; k <= 5; k++) {
                jedis.del(prefix + k + "}");
            }
            for (int k = 6; k <= 8; k++) {
                jedis.set(prefix + k + "}", "{\"id\":" + k + ",\"name\":\"tampered\",\"qty\":0,\"price\":0}");
            }
            for (int k = 900001; k <= 900004; k++) {
                jedis.set(prefix + k + "}", "{\"id\":" + k + ",\"name\":\"ghost\",\"qty\":0,\"price\":0}");
            }
        }
    }

    /** Documents 11-13 deleted, 14-15 changed, two the table never had added. */
    private static void damageOpenSearch(OpenSearchTestNode search, String index) throws Exception {
        for (int k = 11; k <= 13; k++) {
            TargetRows.send("DELETE", search.url() + "/" + index + "/_doc/" + k + "?refresh=true", null);
        }
        for (int k = 14; k <= 15; k++) {
            TargetRows.send("POST", search.url() + "/" + index + "/_update/" + k + "?refresh=true", "{\"doc\": {\"name\": \"tampered\"}}");
        }
        for (int k = 900001; k <= 900002; k++) {
            TargetRows.send("PUT", search.url() + "/" + index + "/_doc/" + k + "?refresh=true", "{\"id\": " + k + ", \"name\": \"ghost\", \"qty\": 0}");
        }
    }

}
