package io.sluice.admin.ui;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sluice.admin.TestApi;
import io.sluice.admin.TestAuth;
import io.sluice.admin.auth.Role;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import io.sluice.testkit.Browser;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import redis.clients.jedis.Jedis;

/**
 * The dead-letter workbench in a real headless Chromium with real dead letters: two quality rules send five rows of
 * a table to a Redis sink's dead letters, in two groups (one per rule). Once the rules are fixed, one row is replayed
 * on its own, the rest of its group with a dry run first, and the other group is discarded; Redis ends with exactly
 * the replayed rows.
 */
@QuarkusTest
class DeadLetterWorkbenchIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String DB_PASSWORD = "Workbench-Db-Pw-2";

    @TestHTTPResource("/")
    URL root;

    private final String id = UUID.randomUUID().toString().substring(0, 6);
    private final String database = "dlq_" + id;
    private final String source = "dsrc-" + id;
    private final String sink = "dcache-" + id;
    private final String subject = source + "." + database + ".products-value";
    private final RedisServer redis = RedisServer.shared();

    @Test
    void shouldReplayOneThenAGroupAfterADryRunAndDiscardTheOtherGroup() {
        TestAuth.signInAs(Role.ADMIN);
        TestApi.streamIntoRedis(source, sink, "dp-" + id, database, "dlq_ui", DB_PASSWORD, "CREATE TABLE " + database
                + ".products (id INT PRIMARY KEY, price DECIMAL(8,2) NOT NULL, stock INT NOT NULL)", "INSERT INTO " + database
                + ".products VALUES (1, 10.00, 5)");
        MariaDbServer db = MariaDbServer.shared();
        String schema = given().get("/registry/subjects/{s}/versions/latest", subject).then().statusCode(200).extract().path("schema");
        register(schema, List.of(rule("positivePrice", "message.price > 0.0"), rule("stockKnown", "message.stock >= 0")));
        db.execute("INSERT INTO " + database + ".products VALUES (2, -1.00, 1), (3, -2.00, 1), (4, -3.00, 1), (5, 4.00, -1), (6, 5.00, -2)",
                "INSERT INTO " + database + ".products VALUES (7, 7.00, 7)");
        await().atMost(WAIT).until(() -> row(7) != null);
        // The rules fixed: a new version without the two (a version equal to the first, without rules, would be that first one).
        register(schema, List.of(Map.of("name", "stockNoted", "kind", "CONDITION", "type", "CEL", "mode", "WRITE", "expr",
                "message.stock < 1000000", "onFailure", "NONE")));

        try (Browser browser = Browser.start()) {
            SignedIn page = SignedIn.asAdmin(browser, root, WAIT);
            browser.open(page.url("/dead-letters#" + sink));
            page.wait.until(d -> d.findElements(By.cssSelector("#groups .card")).size() == 2);
            assertThat(group(page, "positivePrice").findElement(By.tagName("b")).getText()).startsWith("3 × ");
            assertThat(group(page, "stockKnown").findElement(By.tagName("b")).getText()).startsWith("2 × ");
            page.screenshot("dead-letters-groups");

            // One row of the first group, replayed on its own.
            WebElement entry = group(page, "positivePrice").findElements(By.tagName("details")).get(0);
            entry.findElement(By.tagName("summary")).click();
            int replayed = Integer.parseInt(entry.findElement(By.tagName("summary")).getText().replaceAll("^#(\\d+).*", "$1"));
            long key = Long.parseLong(entry.getText().replaceAll("(?s).*key \\{\"id\": ?(\\d+)\\}.*", "$1"));
            entry.findElement(By.cssSelector("button[data-dl=replay][data-id='" + replayed + "']")).click();
            page.wait.until(d -> d.findElement(By.id("toast")).getText().contains("replay: 1 of 1 done"));
            page.wait.until(d -> group(page, "positivePrice").findElement(By.tagName("b")).getText().startsWith("2 × "));
            assertThat(row(key)).as("the replayed row is in Redis").isNotNull();

            // The rest of the group: a dry run first, which changes nothing.
            page.driver.findElement(By.id("dry")).click();
            group(page, "positivePrice").findElement(By.cssSelector("button[data-dl=replay][data-group]")).click();
            page.wait.until(d -> d.findElement(By.id("toast")).getText().contains("Dry run: 2 entries would be replayed"));
            assertThat(group(page, "positivePrice").findElement(By.tagName("b")).getText()).startsWith("2 × ");
            assertThat(List.of(2, 3, 4).stream().filter(k -> row(k) != null).count()).as("a dry run writes nothing").isEqualTo(1);
            page.driver.findElement(By.id("dry")).click();
            group(page, "positivePrice").findElement(By.cssSelector("button[data-dl=replay][data-group]")).click();
            page.wait.until(d -> d.findElements(By.cssSelector("#groups .card")).size() == 1);
            assertThat(List.of(2, 3, 4).stream().filter(k -> row(k) != null).count()).isEqualTo(3);

            // The other group, discarded.
            group(page, "stockKnown").findElement(By.cssSelector("button[data-dl=discard][data-group]")).click();
            page.wait.until(d -> d.findElement(By.id("groups")).getText().contains("Empty."));
            page.screenshot("dead-letters-empty");
        }
        assertThat(row(5)).as("discarded, never written").isNull();
        assertThat(row(6)).isNull();
        assertThat(given().get("/api/v1/sinks/{k}/dead-letters", sink).then().statusCode(200).extract().asString()).isEqualTo("[]");
    }

    private static WebElement group(SignedIn page, String rule) {
        return page.driver.findElements(By.cssSelector("#groups .card")).stream().filter(c -> c.getText().contains(rule)).findFirst()
                .orElseThrow(() -> new AssertionError("no dead-letter group of rule " + rule));
    }

    private void register(String schema, List<Map<String, Object>> rules) {
        given().contentType("application/vnd.schemaregistry.v1+json").body(Map.of("schema", schema, "ruleSet", Map.of("domainRules", rules)))
                .post("/registry/subjects/{s}/versions", subject).then().log().ifValidationFails().statusCode(200);
    }

    private static Map<String, Object> rule(String name, String expr) {
        return Map.of("name", name, "kind", "CONDITION", "type", "CEL", "mode", "WRITE", "expr", expr, "onFailure", "DLQ");
    }

    private String row(long key) {
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            return jedis.get(source + ":" + database + ":products:{" + key + "}");
        }
    }
}
