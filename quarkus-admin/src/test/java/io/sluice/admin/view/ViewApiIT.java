package io.sluice.admin.view;

import static io.restassured.RestAssured.given;
import static io.sluice.admin.TestApi.createSink;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItems;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Views through the server's API, the module's example: an order document with its customer and its items, each
 * with its product, kept equal in Redis and Lucene to what one SQL query of the test computes, through renames of a
 * shared row, an item moved between orders, deletes at every level; a bad definition is refused whole.
 */
@QuarkusTest
class ViewApiIT {
    private static final String DB_PASSWORD = "Views-Db-Pw-7";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String id = UUID.randomUUID().toString().substring(0, 6);
    private final String database = "vshop_" + id;
    private final String source = "vsrc-" + id;
    private final MariaDbServer db = MariaDbServer.shared();
    private final RedisServer redis = RedisServer.shared();

    @BeforeEach
    void signInOnAFreshDatabase() throws Exception {
        TestAuth.signInAs(Role.ADMIN);
        db.createCaptureUser("views_api", DB_PASSWORD);
        db.recreateDatabase(database);
    }

    @Test
    void shouldKeepOrderDocumentsEqualToTheirTablesThroughChangesAtEveryLevel() throws Exception {
        db.execute("CREATE TABLE " + database + ".customers (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL, city VARCHAR(50) NULL)",
                "CREATE TABLE " + database + ".products (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL, stock INT NOT NULL)",
                // No foreign key to customers: a customer deleted under its orders must empty their documents' customer. (A
                // cascade would not do: InnoDB's cascades never reach the binlog, so no capture sees them.)
                "CREATE TABLE " + database + ".orders (id INT PRIMARY KEY, customer_id INT NULL, note VARCHAR(50) NULL)",
                "CREATE TABLE " + database + ".order_items (order_id INT NOT NULL, line INT NOT NULL, product_id INT NOT NULL, qty INT NOT NULL,"
                        + " PRIMARY KEY (order_id, line), FOREIGN KEY (order_id) REFERENCES " + database + ".orders (id),"
                        + " FOREIGN KEY (product_id) REFERENCES " + database + ".products (id))",
                "INSERT INTO " + database + ".customers VALUES (1, 'Ann', 'Oslo'), (2, 'Bob', NULL)",
                "INSERT INTO " + database + ".products VALUES (1, 'lamp', 5), (2, 'desk', 3), (3, 'rug', 9)",
                "INSERT INTO " + database + ".orders VALUES (10, 1, 'first'), (11, 1, NULL), (12, 2, 'gift')",
                "INSERT INTO " + database + ".order_items VALUES (10, 1, 1, 2), (10, 2, 2, 1), (11, 1, 1, 1), (12, 1, 3, 4)");
        streamInto(db, redis, true);

        // A definition with problems is refused whole, each problem with its place, and nothing is stored.
        given().contentType(ContentType.JSON).body(Map.of("name", "bad_" + id, "pipeline", "vp-" + id, "root", database + ".orders",
                "columns", List.of("id", "nope"), "relations", List.of(Map.of("name", "customer", "kind", "one", "table", database
                        + ".customers", "on", Map.of("note", "id"))))).post("/api/v1/views").then().statusCode(422)
                .body("code", equalTo("validation_failed")).body("details.field", hasItems("columns[1]", "relations[0].on.note"));
        given().get("/api/v1/views/bad_{id}", id).then().statusCode(404);

        Map<String, Object> view = Map.of("name", "orders_" + id, "pipeline", "vp-" + id, "root", database + ".orders", "relations", List.of(
                Map.of("name", "customer", "kind", "one", "table", database + ".customers", "on", Map.of("customer_id", "id"), "columns",
                        List.of("name", "city")),
                Map.of("name", "items", "kind", "many", "table", database + ".order_items", "on", Map.of("id", "order_id"), "columns",
                        List.of("line", "qty", "product_id"), "orderBy", List.of("line"), "relations", List.of(Map.of("name", "product",
                                "kind", "one", "table", database + ".products", "on", Map.of("product_id", "id"), "columns",
                                List.of("name"))))));
        JsonNode preview = JSON.readTree(given().contentType(ContentType.JSON).body(Map.of("view", view, "keys", List.of(List.of(10))))
                .post("/api/v1/views/preview").then().log().ifValidationFails().statusCode(200).extract().asString());
        assertThat(preview).singleElement().isEqualTo(expected(db).get("10"));
        given().contentType(ContentType.JSON).body(view).post("/api/v1/views").then().statusCode(201)
                .body("definition.name", equalTo("orders_" + id)).body("source", equalTo(source));
        awaitEqual(db, redis);
        // The index searches nested fields by their paths, an array's elements under the array's.
        given().get("/api/v1/sinks/vindex-{id}/search?table={t}&field=customer.name&q=Ann", id, source + ".views.orders_" + id).then()
                .statusCode(200).body("hits._id", containsInAnyOrder("10", "11"));
        given().get("/api/v1/sinks/vindex-{id}/search?table={t}&field=items.product.name&q=rug", id, source + ".views.orders_" + id).then()
                .statusCode(200).body("total", equalTo(1));

        // A shared row renamed reaches every document that holds it; an item moves; deletes at each level.
        db.execute("UPDATE " + database + ".products SET name = 'lamp XL' WHERE id = 1",
                "UPDATE " + database + ".products SET stock = 1 WHERE id = 2",
                "UPDATE " + database + ".order_items SET order_id = 12, line = 2 WHERE order_id = 10 AND line = 2",
                "UPDATE " + database + ".customers SET city = 'Bergen' WHERE id = 2",
                "INSERT INTO " + database + ".orders VALUES (13, 2, 'new')",
                "INSERT INTO " + database + ".order_items VALUES (13, 1, 2, 7)",
                "DELETE FROM " + database + ".order_items WHERE order_id = 11",
                "DELETE FROM " + database + ".orders WHERE id = 11",
                "DELETE FROM " + database + ".customers WHERE id = 1");
        awaitEqual(db, redis);
        given().get("/api/v1/views/orders_{id}", id).then().statusCode(200).body("status.waitingFor.size()", equalTo(0))
                .body("status.documents", greaterThan(0));

        // Prometheus counts what the view did.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/q/metrics").then().statusCode(200)
                .body(containsString("sluice_view_documents_total{view=\"orders_" + id + "\"}"))
                .body(containsString("sluice_view_failed{view=\"orders_" + id + "\"} 0.0")));

        // The pipeline cannot be deleted, nor stop capturing a table, under the view.
        given().delete("/api/v1/pipelines/vp-{id}", id).then().statusCode(409).body("code", equalTo("pipeline_in_use"))
                .body("message", containsString("view 'orders_" + id + "' uses it"));
        given().contentType(ContentType.JSON).body(Map.of("source", source, "tables", List.of(database + ".orders", database + ".order_items",
                database + ".products"), "sinks", List.of("vcache-" + id, "vindex-" + id))).put("/api/v1/pipelines/vp-{id}", id).then()
                .statusCode(409).body("message", containsString(database + ".customers"));
        given().delete("/api/v1/views/orders_{id}", id).then().statusCode(204);
        given().delete("/api/v1/pipelines/vp-{id}", id).then().statusCode(204);
    }

    @Test
    void shouldKeepADocumentOfACompositeKeyWithAThousandChildrenExact() throws Exception {
        db.execute("CREATE TABLE " + database + ".shipments (region CHAR(2) NOT NULL, number INT NOT NULL, carrier VARCHAR(20) NOT NULL,"
                        + " PRIMARY KEY (region, number))",
                "CREATE TABLE " + database + ".parcels (region CHAR(2) NOT NULL, number INT NOT NULL, seq INT NOT NULL, weight INT NOT NULL,"
                        + " PRIMARY KEY (region, number, seq))",
                "INSERT INTO " + database + ".shipments VALUES ('EU', 7, 'post'), ('US', 7, 'rail'), ('EU', 8, 'road')",
                "INSERT INTO " + database + ".parcels SELECT 'EU', 7, seq, seq % 50 FROM " + database + ".seq_1_to_1000",
                "INSERT INTO " + database + ".parcels VALUES ('US', 7, 1, 5), ('EU', 8, 1, 9)");
        streamInto(db, redis, false);
        String name = "shipments_" + id;
        given().contentType(ContentType.JSON).body(Map.of("name", name, "pipeline", "vp-" + id, "root", database + ".shipments", "relations",
                List.of(Map.of("name", "parcels", "kind", "many", "table", database + ".parcels", "on", Map.of("region", "region", "number",
                        "number"), "orderBy", List.of("seq"), "columns", List.of("seq", "weight"))))).post("/api/v1/views").then().statusCode(201);
        awaitShipments(db, redis, name);

        // A child among a thousand changes, one goes, one comes; the root with the same number in another region is apart.
        db.execute("UPDATE " + database + ".parcels SET weight = 999 WHERE region = 'EU' AND number = 7 AND seq = 500",
                "DELETE FROM " + database + ".parcels WHERE region = 'EU' AND number = 7 AND seq = 1",
                "INSERT INTO " + database + ".parcels VALUES ('EU', 7, 1001, 1)",
                "UPDATE " + database + ".shipments SET carrier = 'air' WHERE region = 'US' AND number = 7",
                "DELETE FROM " + database + ".parcels WHERE region = 'EU' AND number = 8",
                "DELETE FROM " + database + ".shipments WHERE region = 'EU' AND number = 8");
        awaitShipments(db, redis, name);
        assertThat(redisDocument(redis, name, "EU:7").path("parcels")).hasSize(1000);
        assertThat(redisDocument(redis, name, "EU:8").isEmpty()).as("the deleted root's document").isTrue();
    }

    /** Waits until every shipment's document in Redis equals one SQL query's, and no other is there. */
    private void awaitShipments(MariaDbServer db, RedisServer redis, String view) throws Exception {
        String d = database;
        String sql = "SELECT CONCAT(s.region, ':', s.number), JSON_OBJECT('region', s.region, 'number', s.number, 'carrier', s.carrier,"
                + " 'parcels', COALESCE((SELECT JSON_ARRAYAGG(JSON_OBJECT('seq', p.seq, 'weight', p.weight) ORDER BY p.seq) FROM " + d
                + ".parcels p WHERE p.region = s.region AND p.number = s.number), JSON_ARRAY())) FROM " + d + ".shipments s";
        Map<String, JsonNode> expected = new TreeMap<>();
        try (Connection c = db.connect(database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                expected.put(rs.getString(1), JSON.readTree(rs.getString(2)));
            }
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Map<String, JsonNode> actual = new TreeMap<>();
            try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
                for (String key : jedis.keys(source + ":views:" + view + ":{*}")) {
                    actual.put(key.substring(key.indexOf('{') + 1, key.lastIndexOf('}')), JSON.readTree(jedis.get(key)));
                }
            }
            assertThat(actual).isEqualTo(expected);
        });
    }

    @Test
    void shouldFindAndRepairDriftInjectedIntoATenthOfAPercentOfTheDocuments() throws Exception {
        db.execute("CREATE TABLE " + database + ".customers (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL, city VARCHAR(50) NULL)",
                "CREATE TABLE " + database + ".orders (id INT PRIMARY KEY, customer_id INT NULL, note VARCHAR(50) NULL)",
                "INSERT INTO " + database + ".customers VALUES (1, 'Ann', 'Oslo'), (2, 'Bob', NULL)");
        List<String> rows = new ArrayList<>();
        for (int o = 1; o <= 2000; o++) {
            rows.add("(" + o + ", " + (1 + o % 2) + ", 'note " + o + "')");
        }
        db.execute("INSERT INTO " + database + ".orders VALUES " + String.join(", ", rows));
        streamInto(db, redis, false);
        String name = "orders_" + id;
        given().contentType(ContentType.JSON).body(Map.of("name", name, "pipeline", "vp-" + id, "root", database + ".orders", "relations",
                List.of(Map.of("name", "customer", "kind", "one", "table", database + ".customers", "on", Map.of("customer_id", "id")))))
                .post("/api/v1/views").then().statusCode(201);
        String prefix = source + ":views:" + name + ":{";
        await().atMost(Duration.ofSeconds(60)).until(() -> countKeys(redis, prefix) == 2000);

        // Drift in 2 of 2,000 documents (0.1%): one gone, one changed by hand; and one document no order has.
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            jedis.del(prefix + "17}");
            jedis.set(prefix + "1500}", jedis.get(prefix + "1500}").replace("note 1500", "edited by hand"));
            jedis.set(prefix + "99999}", "{\"id\":99999}");
        }
        JsonNode found = verify(name, false);
        assertThat(found.path("rowsChecked").asLong()).isEqualTo(2000);
        assertThat(found.path("missing").asLong()).isEqualTo(1);
        assertThat(found.path("stale").asLong()).isEqualTo(1);
        assertThat(found.path("extra").asLong()).isEqualTo(1);
        assertThat(found.path("samples").toString()).contains("\"17\"", "\"1500\"", "\"99999\"");
        JsonNode repaired = verify(name, true);
        assertThat(repaired.path("repaired").asLong()).isEqualTo(3);
        JsonNode clean = verify(name, false);
        assertThat(clean.path("missing").asLong() + clean.path("stale").asLong() + clean.path("extra").asLong()).isZero();
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            assertThat(JSON.readTree(jedis.get(prefix + "1500}")).path("note").asText()).isEqualTo("note 1500");
            assertThat(jedis.get(prefix + "99999}")).isNull();
        }
    }

    @Test
    void shouldHoldASchemaChangeThatTakesAColumnAwayFromAViewForReviewNamingTheView() throws Exception {
        db.execute("CREATE TABLE " + database + ".customers (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL, city VARCHAR(50) NULL,"
                + " phone VARCHAR(20) NULL)", "CREATE TABLE " + database + ".orders (id INT PRIMARY KEY, customer_id INT NULL)",
                "INSERT INTO " + database + ".customers VALUES (1, 'Ann', 'Oslo', '555')", "INSERT INTO " + database + ".orders VALUES (1, 1)");
        streamInto(db, redis, false);
        String name = "orders_" + id;
        given().contentType(ContentType.JSON).body(Map.of("name", name, "pipeline", "vp-" + id, "root", database + ".orders", "relations",
                List.of(Map.of("name", "customer", "kind", "one", "table", database + ".customers", "on", Map.of("customer_id", "id"),
                        "columns", List.of("name", "city"))))).post("/api/v1/views").then().statusCode(201);

        // A column no view reads goes by itself under the default policy; the one a view reads waits, naming the view.
        db.execute("ALTER TABLE " + database + ".customers DROP COLUMN phone", "UPDATE " + database + ".customers SET name = 'Ann B' WHERE id = 1");
        await().atMost(Duration.ofSeconds(30)).until(() -> redisDocument(redis, name, "1").path("customer").path("name").asText(),
                equalTo("Ann B"));
        db.execute("ALTER TABLE " + database + ".customers DROP COLUMN city", "UPDATE " + database + ".customers SET name = 'Ann C' WHERE id = 1");
        awaitState("paused");
        given().get("/api/v1/sources/{s}/status", source).then().body("reason", containsString("view " + name));
        JsonNode pending = JSON.readTree(given().get("/api/v1/schemas/proposals?status=pending").then().statusCode(200).extract().asString());
        long proposal = StreamSupport.stream(pending.spliterator(), false).filter(p -> p.path("subject").asText()
                .equals(source + "." + database + ".customers-value")).findFirst().orElseThrow().path("id").asLong();
        JsonNode impact = JSON.readTree(given().get("/api/v1/schemas/proposals/{id}/impact", proposal).then().statusCode(200).extract()
                .asString());
        assertThat(impact.findValues("type").stream().map(JsonNode::asText)).contains("view");
        JsonNode viewImpact = StreamSupport.stream(impact.spliterator(), false).filter(i -> i.path("type").asText()
                .equals("view")).findFirst().orElseThrow();
        assertThat(viewImpact.path("target").asText()).isEqualTo(name);
        assertThat(viewImpact.path("breaks").toString()).contains("city");
        assertThat(redisDocument(redis, name, "1").path("customer").path("name").asText()).as("nothing written past the change")
                .isEqualTo("Ann B");
        // Approved, the change goes on; the view can no longer be built and says why.
        given().contentType(ContentType.JSON).body(Map.of("reason", "the city moves to addresses")).post(
                "/api/v1/schemas/proposals/{id}/approve", proposal).then().statusCode(200);
        awaitState("streaming");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/v1/views/{v}", name).then().statusCode(200)
                .body("status.problems.toString()", containsString("city")));
    }

    /** Registers the source, a Redis sink (and a Lucene one) and pipeline vp-ID of every table into them, and waits until it streams. */
    private void streamInto(MariaDbServer db, RedisServer redis, boolean lucene) {
        given().contentType(ContentType.JSON).body(db.sourceRequest(source, "views_api", DB_PASSWORD, database, 7000 + (int) (Math.random()
                * 900))).post("/api/v1/sources").then().statusCode(201);
        createSink("vcache-" + id, "redis", Map.of("redis.uri", "redis://" + redis.host() + ":" + redis.port()));
        List<String> sinks = new ArrayList<>(List.of("vcache-" + id));
        if (lucene) {
            createSink("vindex-" + id, "lucene", Map.of());
            sinks.add("vindex-" + id);
        }
        given().contentType(ContentType.JSON).body(Map.of("name", "vp-" + id, "source", source, "sinks", sinks)).post("/api/v1/pipelines")
                .then().statusCode(201);
        awaitState("streaming");
    }

    private JsonNode redisDocument(RedisServer redis, String view, String key) throws Exception {
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            String value = jedis.get(source + ":views:" + view + ":{" + key + "}");
            return value == null ? JSON.createObjectNode() : JSON.readTree(value);
        }
    }

    private JsonNode verify(String view, boolean repair) throws Exception {
        long verification = ((Number) given().contentType(ContentType.JSON).body(Map.of("sink", "vcache-" + id, "repair", repair))
                .post("/api/v1/views/{v}/verify", view).then().statusCode(201).extract().path("id")).longValue();
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).until(() -> given()
                .get("/api/v1/verifications/{id}", verification).then().extract().path("state"), s -> !"running".equals(s));
        return JSON.readTree(given().get("/api/v1/verifications/{id}", verification).then().statusCode(200).body("state",
                equalTo("succeeded")).extract().asString());
    }

    private static long countKeys(RedisServer redis, String prefix) {
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            return jedis.keys(prefix + "*}").size();
        }
    }

    /** Every order as one SQL query computes its document, by order id. */
    private Map<String, JsonNode> expected(MariaDbServer db) throws Exception {
        String d = database;
        String sql = "SELECT o.id, JSON_OBJECT('id', o.id, 'customer_id', o.customer_id, 'note', o.note,"
                + " 'customer', (SELECT JSON_OBJECT('name', c.name, 'city', c.city) FROM " + d + ".customers c WHERE c.id = o.customer_id),"
                + " 'items', COALESCE((SELECT JSON_ARRAYAGG(JSON_OBJECT('line', i.line, 'qty', i.qty, 'product_id', i.product_id,"
                + " 'product', (SELECT JSON_OBJECT('name', p.name) FROM " + d + ".products p WHERE p.id = i.product_id)) ORDER BY i.line)"
                + " FROM " + d + ".order_items i WHERE i.order_id = o.id), JSON_ARRAY())) FROM " + d + ".orders o";
        Map<String, JsonNode> out = new TreeMap<>();
        try (Connection c = db.connect(database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.put(rs.getString(1), JSON.readTree(rs.getString(2)));
            }
        }
        return out;
    }

    private void awaitEqual(MariaDbServer db, RedisServer redis) throws Exception {
        Map<String, JsonNode> expected = expected(db);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(redisDocuments(redis)).as("Redis").isEqualTo(expected);
            assertThat(luceneDocuments()).as("Lucene").isEqualTo(expected);
        });
    }

    private Map<String, JsonNode> redisDocuments(RedisServer redis) throws Exception {
        Map<String, JsonNode> out = new TreeMap<>();
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            for (String key : jedis.keys(source + ":views:orders_" + id + ":{*}")) {
                String value = jedis.get(key);
                if (value != null && !key.endsWith(":v")) {
                    out.put(key.substring(key.indexOf('{') + 1, key.indexOf('}')), JSON.readTree(value));
                }
            }
        }
        return out;
    }

    private Map<String, JsonNode> luceneDocuments() throws Exception {
        JsonNode hits = JSON.readTree(given().get("/api/v1/sinks/vindex-{id}/search?table={t}&size=100", id, source + ".views.orders_" + id)
                .then().statusCode(200).extract().asString()).path("hits");
        Map<String, JsonNode> out = new TreeMap<>();
        for (JsonNode hit : hits) {
            ObjectNode doc = hit.deepCopy();
            doc.remove(List.of("_id", "_version")); // the sink's own fields beside the document
            out.put(hit.path("_id").asText(), doc);
        }
        return out;
    }

    private void awaitState(String state) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> given().get("/api/v1/sources/{s}/status", source).then().statusCode(200).extract().path("state"), equalTo(state));
    }
}
