package io.sluice.admin.contract;

import static io.restassured.RestAssured.given;
import static io.sluice.admin.TestApi.createPipeline;
import static io.sluice.admin.TestApi.createSink;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
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
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Data contracts end to end, the module's example: rules in the shape of Confluent's rule sets registered with a
 * table's schema through the registry API, run on every change captured from MariaDB before Redis sees it. A failing
 * {@code DLQ} rule sends the row to the dead letters, named, and it is replayed once the rule is fixed; a transform
 * masks a tagged column; a failing {@code NONE} rule only counts; a failing {@code ERROR} rule stops capture, naming
 * the rule and the row, and nothing is lost once the rule is fixed.
 */
@QuarkusTest
class ContractIT {
    private static final String DB_PASSWORD = "Contracts-Db-Pw-3";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String id = UUID.randomUUID().toString().substring(0, 6);
    private final String database = "rules_" + id;
    private final String source = "rsrc-" + id;
    private final String sink = "rcache-" + id;
    private final String subject = source + "." + database + ".patients-value";
    private final MariaDbServer db = MariaDbServer.shared();
    private final RedisServer redis = RedisServer.shared();

    @BeforeEach
    void streamPatientsIntoRedis() {
        TestAuth.signInAs(Role.ADMIN);
        db.createCaptureUser("rules_it", DB_PASSWORD);
        db.recreateDatabase(database);
        db.execute("CREATE TABLE " + database + ".patients (id INT PRIMARY KEY, ssn VARCHAR(20) NOT NULL, email VARCHAR(80) NULL,"
                + " price DECIMAL(10,2) NOT NULL)", "INSERT INTO " + database + ".patients VALUES (1, '123456789', 'ann@example.com', 10.00)");
        given().contentType(ContentType.JSON).body(db.sourceRequest(source, "rules_it", DB_PASSWORD, database, 7100 + (int) (Math.random()
                * 800))).post("/api/v1/sources").then().statusCode(201);
        createSink(sink, "redis", Map.of("redis.uri", "redis://" + redis.host() + ":" + redis.port()));
        createPipeline("rp-" + id, source, List.of(sink));
        await().atMost(Duration.ofSeconds(60)).until(() -> row(1) != null);
    }

    @Test
    void shouldDeadLetterMaskAndCountAsTheRulesSayAndReplayOnceTheRuleIsFixed() throws Exception {
        String schema = given().get("/registry/subjects/{s}/versions/latest", subject).then().statusCode(200).extract().path("schema");

        // A rule set that does not check against the table is refused whole, each problem named, and nothing is stored.
        given().contentType("application/vnd.schemaregistry.v1+json").body(Map.of("schema", schema, "ruleSet", Map.of("domainRules", List.of(
                rule("unknownColumn", "CONDITION", "CEL", "message.sssn == 'x'", "DLQ"),
                rule("wrongType", "CONDITION", "CEL", "message.price == 'free'", "DLQ"),
                rule("badAction", "CONDITION", "CEL", "true", "PAGE")))))
                .post("/registry/subjects/{s}/versions", subject).then().statusCode(422).body("error_code", equalTo(42210))
                .body("message", allOf(containsString("unknownColumn"), containsString("sssn"), containsString("wrongType"),
                        containsString("'PAGE' is not an action")));
        given().get("/registry/subjects/{s}/versions", subject).then().body("size()", equalTo(1));

        Map<String, Object> ssnLength = rule("checkSsnLen", "CONDITION", "CEL", "size(message.ssn) == 9", "DLQ");
        Map<String, Object> positivePrice = rule("positivePrice", "CONDITION", "CEL", "message.price > 0.0", "NONE");
        Map<String, Object> mask = Map.of("name", "maskPii", "kind", "TRANSFORM", "type", "CEL_FIELD", "mode", "WRITE", "tags", List.of("PII"),
                "expr", "typeName == 'STRING' ; 'XXXX'");
        register(schema, List.of(ssnLength, positivePrice, mask));
        JsonNode latest = JSON.readTree(given().get("/registry/subjects/{s}/versions/latest", subject).then().statusCode(200).extract()
                .asString());
        assertThat(latest.path("ruleSet").path("domainRules").findValuesAsText("name")).containsExactly("checkSsnLen", "positivePrice",
                "maskPii");
        assertThat(latest.path("metadata").path("tags").path("**.email").get(0).asText()).isEqualTo("PII");

        db.execute("INSERT INTO " + database + ".patients VALUES (2, '987654321', 'bob@example.com', 5.00)",
                "INSERT INTO " + database + ".patients VALUES (3, '12', 'cy@example.com', 7.00)",
                "INSERT INTO " + database + ".patients VALUES (4, '111223333', NULL, -1.00)");

        await().atMost(Duration.ofSeconds(30)).until(() -> row(4) != null);
        assertThat(row(2).path("email").asText()).as("masked in the target").isEqualTo("XXXX");
        assertThat(row(2).path("ssn").asText()).isEqualTo("987654321");
        assertThat(row(4).path("price").asDouble()).as("a NONE rule counts, the row goes on").isEqualTo(-1.0);
        assertThat(row(3)).as("a DLQ rule keeps the row from the target").isNull();
        JsonNode letters = JSON.readTree(given().get("/api/v1/sinks/{k}/dead-letters", sink).then().statusCode(200).extract().asString());
        JsonNode entry = letters.findValues("entries").get(0).get(0);
        assertThat(entry.path("reason").asText()).contains("checkSsnLen", "size(message.ssn) == 9", "ssn=12");
        assertThat(entry.path("row").asText()).contains("XXXX").doesNotContain("cy@example.com");

        // Replayed while the rule still fails on it, it stays, saying so: a replay is checked against the rules in force.
        given().contentType(ContentType.JSON).body(Map.of("ids", List.of(entry.path("id").asLong()))).post("/api/v1/sinks/{k}/dead-letters/replay",
                sink).then().statusCode(200).body("done", equalTo(0)).body("remaining", equalTo(1));
        assertThat(row(3)).isNull();
        assertThat(given().get("/api/v1/sinks/{k}/dead-letters", sink).then().extract().asString()).contains("still kept out by the table's"
                + " rules in force", "checkSsnLen");

        // The rule fixed (a new version without it), the dead letter is replayed into the target.
        register(schema, List.of(positivePrice, mask));
        given().contentType(ContentType.JSON).body(Map.of("ids", List.of(entry.path("id").asLong()))).post("/api/v1/sinks/{k}/dead-letters/replay",
                sink).then().statusCode(200).body("done", equalTo(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> row(3) != null);
        assertThat(row(3).path("ssn").asText()).isEqualTo("12");
    }

    @Test
    void shouldStopCaptureOnAnErrorRuleAndLoseNothingOnceTheRuleIsFixed() throws Exception {
        String schema = given().get("/registry/subjects/{s}/versions/latest", subject).then().statusCode(200).extract().path("schema");
        register(schema, List.of(rule("knownDomain", "CONDITION", "CEL", "message.email.endsWith('@example.com')", "ERROR")));

        db.execute("INSERT INTO " + database + ".patients VALUES (5, '555667777', 'eve@elsewhere.org', 3.00)",
                "INSERT INTO " + database + ".patients VALUES (6, '666778888', 'fay@example.com', 4.00)");

        await().atMost(Duration.ofSeconds(30)).until(() -> "failed".equals(given().get("/api/v1/sources/{s}/status", source).then()
                .extract().path("state")));
        given().get("/api/v1/sources/{s}/status", source).then().body("reason", allOf(containsString("knownDomain"),
                containsString("eve@elsewhere.org")));
        assertThat(row(5)).isNull();
        assertThat(row(6)).as("nothing after the failing row was committed").isNull();

        register(schema, List.of(rule("knownDomain", "CONDITION", "CEL", "message.email.contains('@')", "ERROR")));
        given().post("/api/v1/sources/{s}/start", source).then().statusCode(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> row(5) != null && row(6) != null);
    }

    @Test
    void shouldSendAHeldChangeToTheDeadLettersWhenAPersonDecidesSo() throws Exception {
        String schema = given().get("/registry/subjects/{s}/versions/latest", subject).then().statusCode(200).extract().path("schema");
        register(schema, List.of(rule("knownDomain", "CONDITION", "CEL", "message.email.endsWith('@example.com')", "ERROR")));

        db.execute("INSERT INTO " + database + ".patients VALUES (8, '888990000', 'hal@elsewhere.org', 3.00)",
                "INSERT INTO " + database + ".patients VALUES (9, '999001111', 'ivy@example.com', 4.00)");
        await().atMost(Duration.ofSeconds(30)).until(() -> "failed".equals(given().get("/api/v1/sources/{s}/status", source).then()
                .extract().path("state")));
        given().get("/api/v1/rules/holds").then().statusCode(200).body("find { it.source == '" + source + "' }.rule", equalTo("knownDomain"))
                .body("find { it.source == '" + source + "' }.key", containsString("8"));

        given().post("/api/v1/rules/holds/{s}/dead-letter", source).then().statusCode(200).body("table", equalTo(database + ".patients"));

        await().atMost(Duration.ofSeconds(60)).until(() -> row(9) != null);
        assertThat(row(8)).as("the held change went to the dead letters, not the target").isNull();
        assertThat(given().get("/api/v1/sinks/{k}/dead-letters", sink).then().statusCode(200).extract().asString()).contains("knownDomain",
                "hal@elsewhere.org");
        given().get("/api/v1/rules/holds").then().body("source", not(hasItems(source)));
        given().post("/api/v1/rules/holds/{s}/dead-letter", source).then().statusCode(404).body("message", containsString("No rule holds"));
    }

    @Test
    void shouldRunTheRulesOnWhatABackfillWritesToo() throws Exception {
        db.execute("INSERT INTO " + database + ".patients VALUES (7, '12', 'gil@example.com', 2.00)");
        await().atMost(Duration.ofSeconds(30)).until(() -> row(7) != null);
        String schema = given().get("/registry/subjects/{s}/versions/latest", subject).then().statusCode(200).extract().path("schema");
        register(schema, List.of(rule("checkSsnLen", "CONDITION", "CEL", "size(message.ssn) == 9", "DLQ"), Map.of("name", "maskPii",
                "kind", "TRANSFORM", "type", "CEL_FIELD", "mode", "WRITE", "tags", List.of("PII"), "expr", "'XXXX'")));

        long backfill = ((Number) given().contentType(ContentType.JSON).body(Map.of("pipeline", "rp-" + id, "tables", List.of(database
                + ".patients"), "sink", sink)).post("/api/v1/backfills").then().statusCode(201).extract().path("id")).longValue();
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/api/v1/backfills/{b}", backfill).then().extract().path("state"),
                equalTo("succeeded"));

        assertThat(row(1).path("email").asText()).as("rewritten under the rules").isEqualTo("XXXX");
        JsonNode letters = JSON.readTree(given().get("/api/v1/sinks/{k}/dead-letters", sink).then().statusCode(200).extract().asString());
        assertThat(letters.findValues("reason").stream().map(JsonNode::asText)).anySatisfy(r -> assertThat(r).contains("checkSsnLen", "ssn=12"));

        // Verify compares the target with the table as the rules let it through: masked rows are not stale, a row a rule
        // keeps out is not missing; a row damaged by hand is found, and repaired masked.
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            jedis.del(source + ":" + database + ":patients:{1}");
        }
        JsonNode report = verification(true);
        assertThat(List.of(report.path("missing").asLong(), report.path("stale").asLong(), report.path("extra").asLong())).as(report
                .toString()).containsExactly(1L, 0L, 0L);
        assertThat(row(1).path("email").asText()).isEqualTo("XXXX");
        JsonNode again = verification(false);
        assertThat(List.of(again.path("missing").asLong(), again.path("stale").asLong(), again.path("extra").asLong())).containsExactly(0L, 0L,
                0L);
    }

    private JsonNode verification(boolean repair) throws Exception {
        long created = ((Number) given().contentType(ContentType.JSON).body(Map.of("pipeline", "rp-" + id, "table", database + ".patients",
                "sink", sink, "repair", repair)).post("/api/v1/verifications").then().statusCode(201).extract().path("id")).longValue();
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/api/v1/verifications/{v}", created).then().extract().path("state"),
                s -> !"running".equals(s));
        return JSON.readTree(given().get("/api/v1/verifications/{v}", created).then().statusCode(200).body("state", equalTo("succeeded"))
                .extract().asString());
    }

    @Test
    void shouldDryRunOverTheLiveTableAndTakeRulesThroughReview() throws Exception {
        db.execute("INSERT INTO " + database + ".patients SELECT seq + 100, IF(seq % 7 = 0, '12', '123456789'), CONCAT('p', seq, '@example.com'),"
                + " IF(seq % 5 = 0, -1, seq) FROM " + database + ".seq_1_to_300");
        long shortSsn = count("WHERE CHAR_LENGTH(ssn) <> 9");
        long negative = count("WHERE price <= 0");
        Map<String, Object> change = Map.of("ruleSet", Map.of("domainRules", List.of(rule("checkSsnLen", "CONDITION", "CEL",
                "size(message.ssn) == 9", "DLQ"), rule("positivePrice", "CONDITION", "CEL", "message.price > 0.0", "NONE"))), "sample", 5000);

        JsonNode dry = JSON.readTree(given().contentType(ContentType.JSON).body(change).post("/api/v1/rules/{s}/{t}/dry-run", source, database
                + ".patients").then().log().ifValidationFails().statusCode(200).extract().asString());
        assertThat(dry.path("rows").asLong()).isEqualTo(count(""));
        assertThat(dry.path("failed").path("checkSsnLen").asLong()).isEqualTo(shortSsn);
        // checkSsnLen stops a row with action DLQ: positivePrice is not run on it, as in the pipeline
        assertThat(dry.path("failed").path("positivePrice").asLong()).isEqualTo(count("WHERE price <= 0 AND CHAR_LENGTH(ssn) = 9"))
                .isLessThan(negative);

        // Bad rules through the API: every problem named, nothing stored.
        given().contentType(ContentType.JSON).body(Map.of("ruleSet", Map.of("domainRules", List.of(rule("a", "CONDITION", "CEL", "message.nope",
                "DLQ"), rule("b", "CONDITION", "CEL", "true", "SHOUT"))))).post("/api/v1/rules/{s}/{t}/proposals", source, database + ".patients")
                .then().statusCode(422).body("code", equalTo("validation_failed")).body("details.field", hasItems(
                        "ruleSet.domainRules[0] (a).expr", "ruleSet.domainRules[1] (b).onFailure"));
        given().get("/api/v1/rules/proposals").then().statusCode(200).body("findAll { it.source == '" + source + "' }.size()", equalTo(0));

        long id = ((Number) given().contentType(ContentType.JSON).body(change).post("/api/v1/rules/{s}/{t}/proposals", source, database
                + ".patients").then().statusCode(201).body("state", equalTo("pending")).body("diff.kind", contains("added",
                        "added")).body("dryRun.failed.checkSsnLen", equalTo((int) shortSsn)).extract().path("id")).longValue();
        db.execute("INSERT INTO " + database + ".patients VALUES (1000, '12', NULL, 1.00)");
        await().atMost(Duration.ofSeconds(30)).until(() -> row(1000) != null);
        assertThat(row(1000)).as("a proposal changes nothing until approved").isNotNull();

        given().contentType(ContentType.JSON).body(Map.of("reason", "short SSNs are data entry errors")).post("/api/v1/rules/proposals/{id}/approve",
                id).then().statusCode(200).body("state", equalTo("approved")).body("version", equalTo(2));
        given().contentType(ContentType.JSON).body(Map.of()).post("/api/v1/rules/proposals/{id}/reject", id).then().statusCode(409)
                .body("code", equalTo("already_decided"));
        db.execute("INSERT INTO " + database + ".patients VALUES (1001, '12', NULL, 1.00)", "INSERT INTO " + database
                + ".patients VALUES (1002, '123456789', NULL, -5.00)");
        await().atMost(Duration.ofSeconds(30)).until(() -> row(1002) != null);
        assertThat(row(1001)).isNull();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/api/v1/rules/{s}/{t}", source, database + ".patients").then()
                .statusCode(200).body("version", equalTo(2)).body("counts.find { it.rule == 'checkSsnLen' }.failed", equalTo(1))
                .body("counts.find { it.rule == 'positivePrice' }.failed", equalTo(1)));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/q/metrics").then().statusCode(200).body(containsString(
                "sluice_rule_failures_total{rule=\"checkSsnLen\",source=\"" + source + "\",table=\"" + database + ".patients\"} 1.0")));
    }

    private long count(String where) throws Exception {
        try (Connection c = db.connect(database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM patients " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void register(String schema, List<Map<String, Object>> rules) {
        given().contentType("application/vnd.schemaregistry.v1+json").body(Map.of("schema", schema, "ruleSet", Map.of("domainRules", rules),
                "metadata", Map.of("tags", Map.of("**.email", List.of("PII"))))).post("/registry/subjects/{s}/versions", subject).then()
                .log().ifValidationFails().statusCode(200);
    }

    private static Map<String, Object> rule(String name, String kind, String type, String expr, String onFailure) {
        return Map.of("name", name, "kind", kind, "type", type, "mode", "WRITE", "expr", expr, "onFailure", onFailure);
    }

    /** The patient's document in Redis, or null. */
    private JsonNode row(int patient) throws Exception {
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            String value = jedis.get(source + ":" + database + ":patients:{" + patient + "}");
            return value == null ? null : JSON.readTree(value);
        }
    }
}
