package io.sluice.admin.backfill;

import static io.restassured.RestAssured.given;
import static io.sluice.admin.TestApi.createPipeline;
import static io.sluice.admin.TestApi.createSink;
import static io.sluice.admin.TestApi.createSource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sluice.admin.TestAuth;
import io.sluice.admin.auth.Role;
import io.sluice.embedded.MariaDbServer;
import io.sluice.testkit.OpenSearchTestNode;
import io.sluice.testkit.RowChanges;
import io.sluice.testkit.TargetRows;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A zero-downtime reindex: a search index is rebuilt into a new index from the live table while the table is
 * written, then swapped in atomically behind the old name, as a reader searches that name all along. No search
 * fails, and afterwards the name holds exactly the table.
 */
@QuarkusTest
class ReindexIT {
    private static final String DB_PASSWORD = "Reindex-Db-Pw-2";
    private static final int ROWS = 30_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String id = UUID.randomUUID().toString().substring(0, 6);
    private final String database = "rx_" + id;

    @BeforeEach
    void signIn() {
        TestAuth.signInAs(Role.ADMIN);
    }

    @Test
    void shouldSwapARebuiltIndexInWhileEverySearchSucceeds() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        OpenSearchTestNode search = OpenSearchTestNode.shared();
        db.createCaptureUser("reindex_api", DB_PASSWORD);
        db.recreateDatabase(database);
        db.execute("CREATE TABLE " + database + ".items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, qty INT NOT NULL)",
                "INSERT INTO " + database + ".items SELECT seq, CONCAT('item ', seq), seq % 1000 FROM " + database + ".seq_1_to_" + ROWS);
        String source = "rx-" + id;
        createSource(db.sourceRequest(source, "reindex_api", DB_PASSWORD, database, 8600 + (int) (Math.random() * 90)));
        String sink = "rxsearch-" + id;
        String name = "rx-items-" + id;
        createSink(sink, "opensearch", Map.of("opensearch.urls", search.url(), "index.replicas", "0", "target", "rx-{table}-" + id));
        createPipeline("p-" + id, source, List.of(sink));
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> TargetRows.count(search, name) == ROWS);

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong searches = new AtomicLong();
        AtomicReference<String> failedSearch = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            while (running.get()) {
                try {
                    HttpResponse<String> r = TargetRows.send("GET", search.url() + "/" + name + "/_search?size=1&q=name:item", null);
                    if (r.statusCode() != 200 || JSON.readTree(r.body()).path("hits").path("total").path("value").asLong() == 0) {
                        failedSearch.compareAndSet(null, r.statusCode() + " " + r.body());
                    }
                    searches.incrementAndGet();
                } catch (Exception e) {
                    failedSearch.compareAndSet(null, e.toString());
                }
            }
        }, "reindex-reader");
        reader.start();
        RowChanges load = RowChanges.start(db, database + ".items", 8, ROWS, "'item new', 0", 5, 31);
        long backfill;
        try {
            given().contentType(ContentType.JSON).body(Map.of("pipeline", "p-" + id, "reindex", true)).post("/api/v1/backfills").then()
                    .statusCode(422).body("details[0].field", equalTo("sink"));
            backfill = ((Number) given().contentType(ContentType.JSON).body(Map.of("pipeline", "p-" + id, "sink", sink, "reindex", true,
                    "chunkSize", 2000)).post("/api/v1/backfills").then().statusCode(201).body("reindex", equalTo(true)).extract().path("id"))
                    .longValue();
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
                String state = given().get("/api/v1/backfills/{id}", backfill).then().statusCode(200).extract().path("state");
                assertThat(state).isNotEqualTo("failed");
                return state;
            }, equalTo("succeeded"));
            Thread.sleep(1000); // the reader goes on searching through the new index for a moment
        } finally {
            load.close();
            running.set(false);
            reader.join();
        }
        assertThat(failedSearch.get()).as("a search during the reindex failed").isNull();
        assertThat(searches.get()).isGreaterThan(20);
        JsonNode aliases = JSON.readTree(TargetRows.send("GET", search.url() + "/_alias/" + name, null).body());
        assertThat(aliases.fieldNames().next()).as("the name is now an alias of the new index").startsWith(name + "-reindex-");
        given().get("/api/v1/backfills/{id}", backfill).then().body("newIndex", Matchers.nullValue());
        Map<String, String> expected = db.rows(database, "SELECT id, name, qty FROM items");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(TargetRows.openSearch(search, name))
                .isEqualTo(expected));
        // Live changes go on landing through the alias.
        db.execute("UPDATE " + database + ".items SET name = 'after the swap' WHERE id = 7");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(TargetRows.openSearch(search, name)).containsEntry("7", "after the swap|7"));
    }

}
