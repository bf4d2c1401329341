package io.sluice.admin.verification;

import static io.restassured.RestAssured.given;
import static io.sluice.admin.TestApi.createPipeline;
import static io.sluice.admin.TestApi.createSink;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.sluice.admin.TestAuth;
import io.sluice.admin.auth.Role;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Continuous audits against real MariaDB and Redis: documents changed, removed and added in Redis by hand are found by
 * the audit's rolling ranges (30 rows of 50 a run), reported per sink, on the source's timeline and as a gauge, and
 * repaired when the audit says so.
 */
@QuarkusTest
class AuditIT {
    private static final String DB_PASSWORD = "Audit-Db-Pw-5";

    private final String id = UUID.randomUUID().toString().substring(0, 6);
    private final String database = "au_" + id;
    private final String source = "au-" + id;
    private final String pipeline = "ap-" + id;
    private final String cache = "acache-" + id;

    @BeforeEach
    void signIn() {
        TestAuth.signInAs(Role.ADMIN);
    }

    @Test
    void shouldFindDriftWrittenIntoATargetByHandAndRepairIt() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        RedisServer redis = RedisServer.shared();
        db.createCaptureUser("audit_it", DB_PASSWORD);
        db.recreateDatabase(database);
        db.execute("CREATE TABLE " + database + ".items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL)",
                "INSERT INTO " + database + ".items SELECT seq, CONCAT('item ', seq) FROM " + database + ".seq_1_to_50");
        given().contentType(ContentType.JSON).body(db.sourceRequest(source, "audit_it", DB_PASSWORD, database, 7500 + (int) (Math.random() * 90)))
                .post("/api/v1/sources").then().statusCode(201);
        createSink(cache, "redis", Map.of("redis.uri", "redis://" + redis.host() + ":" + redis.port()));
        createPipeline(pipeline, source, List.of(cache));
        String prefix = source + ":" + database + ":items:{";
        await().atMost(Duration.ofSeconds(60)).until(() -> redis.strings(prefix, "}").size() == 50);

        given().contentType(ContentType.JSON).body(Map.of("intervalMinutes", 0, "sampleRows", -1)).put("/api/v1/audits/{p}", pipeline).then()
                .statusCode(422).body("details.field", hasItems("intervalMinutes", "sampleRows"));
        given().contentType(ContentType.JSON).body(Map.of("intervalMinutes", 5, "sampleRows", 30)).put("/api/v1/audits/nope-{i}", id).then()
                .statusCode(404);
        given().contentType(ContentType.JSON).body(Map.of("intervalMinutes", 5, "sampleRows", 30)).put("/api/v1/audits/{p}", pipeline).then()
                .statusCode(200).body("repair", equalTo(false));

        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            jedis.del(prefix + "5}");
            jedis.set(prefix + "10}", "{\"id\":10,\"name\":\"tampered\"}");
            jedis.set(prefix + "999}", "{\"id\":999,\"name\":\"ghost\"}");
        }

        JsonPath first = run();
        assertThat(drift(first)).as("rows 1-30: one missing, one stale; the end not reached, extras not looked for").containsExactly(1L, 1L, 0L);
        assertThat(first.getBoolean("lastResults[0].extraChecked")).isFalse();
        JsonPath second = run();
        assertThat(first.getLong("lastResults[0].rowsChecked") + second.getLong("lastResults[0].rowsChecked")).isEqualTo(50);
        assertThat(drift(second)).as("rows 31-50 and the end: the extra one").containsExactly(0L, 0L, 1L);
        given().get("/api/v1/sources/{s}/timeline", source).then().statusCode(200).body("action", hasItems("audit found drift"))
                .body("detail", hasItems(containsString("1 missing, 1 stale, 0 extra")));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> given().get("/q/metrics").then().statusCode(200).body(containsString(
                "sluice_audit_drift{pipeline=\"" + pipeline + "\",sink=\"" + cache + "\"} 1.0")));

        given().contentType(ContentType.JSON).body(Map.of("intervalMinutes", 5, "sampleRows", 30, "repair", true)).put("/api/v1/audits/{p}",
                pipeline).then().statusCode(200);
        assertThat(run().getLong("lastResults[0].repaired")).isEqualTo(2);
        assertThat(run().getLong("lastResults[0].repaired")).isEqualTo(1);
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            assertThat(jedis.get(prefix + "5}")).contains("item 5");
            assertThat(jedis.get(prefix + "10}")).contains("item 10");
            assertThat(jedis.get(prefix + "999}")).isNull();
        }
        assertThat(drift(run())).containsExactly(0L, 0L, 0L);
        assertThat(drift(run())).containsExactly(0L, 0L, 0L);

        given().delete("/api/v1/audits/{p}", pipeline).then().statusCode(204);
        given().get("/api/v1/audits/{p}", pipeline).then().statusCode(404);
    }

    private JsonPath run() {
        return given().post("/api/v1/audits/{p}/run", pipeline).then().log().ifValidationFails().statusCode(200).body("lastResults.size()",
                equalTo(1)).body("lastResults[0].error", nullValue()).extract().jsonPath();
    }

    private static List<Long> drift(JsonPath audit) {
        return List.of(audit.getLong("lastResults[0].missing"), audit.getLong("lastResults[0].stale"), audit.getLong("lastResults[0].extra"));
    }
}
