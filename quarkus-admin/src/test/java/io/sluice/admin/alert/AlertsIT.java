package io.sluice.admin.alert;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.sluice.admin.TestApi;
import io.sluice.admin.TestAuth;
import io.sluice.admin.auth.Role;
import io.sluice.embedded.MariaDbServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The server's alerts against a real HTTP receiver: a rule that sends rows to the dead letters raises one alert for
 * the sink's dead letters and one for the rule, each sent once as firing to the JSON webhook (after a retry) and to
 * the Slack one, and once as resolved when they stop growing; a source held by an {@code ERROR} rule under a silence
 * is raised but not sent until the silence ends, then resolved when the hold is released.
 */
@QuarkusTest
@TestProfile(AlertsIT.Quick.class)
class AlertsIT {
    private static final String DB_PASSWORD = "Alerts-Db-Pw-4";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Checks every 300 ms; sources must be held for 3 s, and dead letters resolve after 3 s without a new one. */
    public static class Quick implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.alerts.check-interval", "300ms", "sluice.alerts.quiet-for", "3s", "sluice.alerts.retry-backoff", "200ms",
                    "sluice.alerts.source-failed-for", "3s");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(WebhookReceiver.class));
        }
    }

    private final String id = UUID.randomUUID().toString().substring(0, 6);
    private final String database = "alerts_" + id;
    private final String source = "asrc-" + id;
    private final String sink = "acache-" + id;
    private final String subject = source + "." + database + ".products-value";

    @Test
    void shouldSendEachAlertOnceFiringAndOnceResolvedAndHoldBackSilencedOnes() throws Exception {
        TestAuth.signInAs(Role.ADMIN);
        TestApi.streamIntoRedis(source, sink, "ap-" + id, database, "alerts_it", DB_PASSWORD, "CREATE TABLE " + database
                + ".products (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, price DECIMAL(8,2) NOT NULL)", "INSERT INTO " + database
                + ".products VALUES (1, 'lamp', 10.00)");
        MariaDbServer db = MariaDbServer.shared();
        String schema = given().get("/registry/subjects/{s}/versions/latest", subject).then().statusCode(200).extract().path("schema");
        register(schema, "DLQ");
        db.execute("INSERT INTO " + database + ".products VALUES (2, 'free lamp', -1.00)", "INSERT INTO " + database
                + ".products VALUES (3, 'worse lamp', -2.00)");

        // Both alerts fire, are sent once each to both receivers, and resolve once nothing new fails for 3 s.
        String rule = source + "." + database + ".products/positivePrice";
        await().atMost(Duration.ofSeconds(30)).until(() -> sent("/json", "dead-letters", sink, "resolved").size() == 1
                && sent("/json", "rule-failures", rule, "resolved").size() == 1);
        assertThat(sent("/json", "dead-letters", sink, "firing")).singleElement()
                .satisfies(b -> assertThat(b.path("summary").asText()).contains("2 new dead letter"));
        assertThat(sent("/json", "rule-failures", rule, "firing")).singleElement()
                .satisfies(b -> assertThat(b.path("summary").asText()).contains("positivePrice"));
        assertThat(WebhookReceiver.refused()).as("the first delivery was refused and sent again").isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> slack(sink).size() == 2);
        assertThat(slack(sink)).extracting(t -> t.startsWith(":red_circle: *FIRING* dead-letters") || t.startsWith(
                ":white_check_mark: *RESOLVED* dead-letters")).containsExactly(true, true);
        assertThat(slack(sink).get(1)).contains("Resolved at");

        // History says the same; the receivers appear without their path or token.
        String overview = given().get("/api/v1/alerts").then().statusCode(200).extract().asString();
        assertThat(overview).contains("json http://127.0.0.1:", "slack http://127.0.0.1:").doesNotContain("never-shown", "/slack");
        JsonNode history = JSON.readTree(overview).path("history");
        assertThat(history.findValues("subject").stream().filter(s -> s.asText().equals(sink)).count()).isEqualTo(1);

        // A bad silence is refused whole; a good one holds back the source's alert, which is raised all the same.
        given().contentType(ContentType.JSON).body(Map.of("kind", "nope", "minutes", 0)).post("/api/v1/alerts/silences").then().statusCode(422)
                .body("message", containsString("2 problems")).body(allOf(containsString("'nope' is not an alert kind"), containsString(
                        "expected 1 to 43200")));
        long silence = ((Number) given().contentType(ContentType.JSON).body(Map.of("kind", "source-held", "subject", "asrc-" + id.substring(0, 3)
                + "*", "minutes", 30, "comment", "maintenance")).post("/api/v1/alerts/silences").then().statusCode(201).extract().path("id"))
                .longValue();
        register(schema, "ERROR");
        db.execute("INSERT INTO " + database + ".products VALUES (4, 'held lamp', -3.00)");
        await().atMost(Duration.ofSeconds(30)).until(() -> JSON.readTree(given().get("/api/v1/alerts").then().extract().asString())
                .path("open").findValues("subject").stream().anyMatch(s -> s.asText().equals(source)));
        JsonNode held = openAlert(source);
        assertThat(held.path("kind").asText()).isEqualTo("source-held");
        assertThat(held.path("silencedBy").asLong()).isEqualTo(silence);
        Thread.sleep(1000); // three checks: nothing may be sent while the silence lasts
        assertThat(sent("/json", "source-held", source, "firing")).isEmpty();

        given().delete("/api/v1/alerts/silences/{id}", silence).then().statusCode(204);
        await().atMost(Duration.ofSeconds(10)).until(() -> sent("/json", "source-held", source, "firing").size() == 1);
        register(schema, "DLQ");
        given().post("/api/v1/rules/holds/{s}/dead-letter", source).then().statusCode(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> sent("/json", "source-held", source, "resolved").size() == 1);
        assertThat(sent("/json", "source-held", source, "firing")).hasSize(1);
        assertThat(sent("/json", "source-failed", source, "firing")).as("a source restarting after its release is no failure").isEmpty();
        assertThat(given().get("/api/v1/alerts/{id}", held.path("id").asLong()).then().statusCode(200).extract().asString())
                .contains("resolvedAt").doesNotContain("\"resolvedAt\":null");
        given().get("/api/v1/alerts/424242").then().statusCode(404).body("message", not(containsString("Exception")));
    }

    private void register(String schema, String onFailure) {
        Map<String, Object> rule = new HashMap<>(Map.of("name", "positivePrice", "kind", "CONDITION", "type", "CEL", "mode", "WRITE",
                "expr", "message.price > 0.0", "onFailure", onFailure));
        given().contentType("application/vnd.schemaregistry.v1+json").body(Map.of("schema", schema, "ruleSet", Map.of("domainRules",
                List.of(rule)))).post("/registry/subjects/{s}/versions", subject).then().log().ifValidationFails().statusCode(200);
    }

    private static JsonNode openAlert(String subject) throws Exception {
        for (JsonNode a : JSON.readTree(given().get("/api/v1/alerts").then().extract().asString()).path("open")) {
            if (a.path("subject").asText().equals(subject)) {
                return a;
            }
        }
        throw new AssertionError("no open alert about " + subject);
    }

    private static List<JsonNode> sent(String path, String kind, String subject, String status) {
        return WebhookReceiver.taken().stream().filter(d -> d.path().equals(path)).map(WebhookReceiver.Delivery::body)
                .filter(b -> b.path("kind").asText().equals(kind) && b.path("subject").asText().equals(subject)
                        && b.path("status").asText().equals(status)).toList();
    }

    private static List<String> slack(String subject) {
        return WebhookReceiver.taken().stream().filter(d -> d.path().equals("/slack")).map(d -> d.body().path("text").asText())
                .filter(t -> t.contains("`" + subject + "`")).toList();
    }
}
