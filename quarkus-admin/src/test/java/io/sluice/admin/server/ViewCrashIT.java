package io.sluice.admin.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.embedded.FreePorts;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import io.sluice.embedded.ServerProcess;
import io.sluice.testkit.OpenSearchTestNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * A three-level view under a randomized load of inserts, updates, deletes and foreign-key moves on all its tables
 * (customers, orders, order items, products), the packaged server killed with SIGKILL twice midway and started again
 * over the same data: at the end every document in Redis, Lucene and OpenSearch equals the document one SQL query of
 * this test computes (not the view engine), and no target holds a document more.
 */
class ViewCrashIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String ADMIN_PASSWORD = "View-Crash-Admin-1";
    private static final String DB_PASSWORD = "View-Crash-Db-Pw-1";
    private static final int CUSTOMERS = 30;
    private static final int PRODUCTS = 40;
    private static final int ORDERS = 200;

    private final String id = UUID.randomUUID().toString().substring(0, 6);
    private final String database = "vcrash_" + id;
    private final String source = "vc" + id;
    private final String view = "orders_" + id;

    @Test
    void shouldEndWithEveryDocumentEqualToItsQueryAfterKillsUnderARandomLoad() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        RedisServer redis = RedisServer.shared();
        OpenSearchTestNode search = OpenSearchTestNode.shared();
        db.createCaptureUser("vcrash_capture", DB_PASSWORD);
        db.recreateDatabase(database);
        db.execute("CREATE TABLE " + database + ".customers (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL, city VARCHAR(50) NULL)",
                "CREATE TABLE " + database + ".products (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL, stock INT NOT NULL)",
                "CREATE TABLE " + database + ".orders (id INT PRIMARY KEY, customer_id INT NULL, note VARCHAR(50) NULL)",
                "CREATE TABLE " + database + ".order_items (order_id INT NOT NULL, line INT NOT NULL, product_id INT NOT NULL,"
                        + " qty INT NOT NULL, PRIMARY KEY (order_id, line), KEY (product_id))");
        Random seed = new Random();
        for (int c = 1; c <= CUSTOMERS; c++) {
            db.execute("INSERT INTO " + database + ".customers VALUES (" + c + ", 'customer " + c + "', " + (c % 3 == 0 ? "NULL" : "'city "
                    + c % 7 + "'") + ")");
        }
        for (int p = 1; p <= PRODUCTS; p++) {
            db.execute("INSERT INTO " + database + ".products VALUES (" + p + ", 'product " + p + "', " + p + ")");
        }
        for (int o = 1; o <= ORDERS; o++) {
            db.execute("INSERT INTO " + database + ".orders VALUES (" + o + ", " + (1 + seed.nextInt(CUSTOMERS)) + ", 'note " + o + "')");
            for (int line = 1; line <= o % 4; line++) {
                db.execute("INSERT INTO " + database + ".order_items VALUES (" + o + ", " + line + ", " + (1 + seed.nextInt(PRODUCTS)) + ", "
                        + line + ")");
            }
        }

        Path dir = Files.createTempDirectory("sluice-view-crash-");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Map<String, String> props = new HashMap<>(Map.of("sluice.data-dir", dir.resolve("data").toString(),
                "sluice.encryption-key", Base64.getEncoder().encodeToString(key), "sluice.admin.initial-password", ADMIN_PASSWORD,
                "sluice.secure-cookies", "false"));
        Path log = Path.of("target", "view-crash-" + id + ".log");
        try (ServerProcess server = new ServerProcess(ServerProcess.packagedJar(), FreePorts.next(), props, log)) {
            server.start();
            server.json("POST", "/api/v1/sources", JSON.writeValueAsString(db.sourceRequest(source, "vcrash_capture", DB_PASSWORD, database,
                    7400 + new Random().nextInt(90))), 201);
            server.json("POST", "/api/v1/sinks", JSON.writeValueAsString(Map.of("name", "cache", "type", "redis", "config",
                    Map.of("redis.uri", "redis://" + redis.host() + ":" + redis.port()))), 201);
            server.json("POST", "/api/v1/sinks", JSON.writeValueAsString(Map.of("name", "index", "type", "lucene")), 201);
            server.json("POST", "/api/v1/sinks", JSON.writeValueAsString(Map.of("name", "search", "type", "opensearch", "config",
                    Map.of("opensearch.urls", search.url(), "index.replicas", "0", "target", "vc-{table}-" + id))), 201);
            server.json("POST", "/api/v1/pipelines", JSON.writeValueAsString(Map.of("name", "all", "source", source,
                    "sinks", List.of("cache", "index", "search"))), 201);
            server.awaitStreaming(source);
            server.json("POST", "/api/v1/views", JSON.writeValueAsString(Map.of("name", view, "pipeline", "all", "root", database + ".orders",
                    "relations", List.of(
                            Map.of("name", "customer", "kind", "one", "table", database + ".customers", "on", Map.of("customer_id", "id")),
                            Map.of("name", "items", "kind", "many", "table", database + ".order_items", "on", Map.of("id", "order_id"),
                                    "orderBy", List.of("line"), "relations", List.of(Map.of("name", "product", "kind", "one", "table",
                                            database + ".products", "on", Map.of("product_id", "id"), "columns", List.of("id", "name"))))))),
                    201);

            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicReference<Exception> failure = new AtomicReference<>();
            AtomicInteger changes = new AtomicInteger();
            Thread writer = new Thread(() -> load(db, writing, failure, changes), "view-crash-writer");
            writer.start();
            long moments = Long.getLong("sluice.reliability.seed", System.nanoTime());
            Random random = new Random(moments);
            System.out.println("view crash loop: seed " + moments + " (-Dsluice.reliability.seed to repeat)");
            for (int k = 0; k < 2; k++) {
                Thread.sleep(2000 + random.nextInt(4000));
                server.kill();
                Thread.sleep(random.nextInt(1500));
                server.start();
                server.awaitStreaming(source);
            }
            Thread.sleep(2000);
            writing.set(false);
            writer.join();
            assertThat(failure.get()).isNull();
            assertThat(changes.get()).as("changes written under the kills").isGreaterThan(200);

            Map<String, JsonNode> expected = expected(db);
            System.out.println("view crash loop: " + changes.get() + " changes, " + expected.size() + " order documents expected");
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                assertThat(redisDocuments(redis)).as("Redis").isEqualTo(expected);
                assertThat(luceneDocuments(server)).as("Lucene").isEqualTo(expected);
                assertThat(openSearchDocuments(search)).as("OpenSearch").isEqualTo(expected);
            });
        }
    }

    /** Random changes on every table of the view, single statements and small transactions, until told to stop. */
    private void load(MariaDbServer db, AtomicBoolean writing, AtomicReference<Exception> failure, AtomicInteger changes) {
        Random r = new Random();
        String d = database;
        int nextOrder = ORDERS + 1;
        int nextCustomer = CUSTOMERS + 1;
        try (Connection c = db.connect(database); Statement s = c.createStatement()) {
            while (writing.get()) {
                int order = 1 + r.nextInt(nextOrder - 1);
                int customer = 1 + r.nextInt(nextCustomer - 1);
                int product = 1 + r.nextInt(PRODUCTS);
                switch (r.nextInt(11)) {
                    case 0 -> s.executeUpdate("INSERT INTO " + d + ".orders VALUES (" + nextOrder++ + ", " + customer + ", 'new')");
                    case 1 -> s.executeUpdate("UPDATE " + d + ".orders SET note = 'note " + r.nextInt(1000) + "' WHERE id = " + order);
                    case 2 -> s.executeUpdate("UPDATE " + d + ".orders SET customer_id = " + customer + " WHERE id = " + order);
                    case 3 -> {
                        c.setAutoCommit(false);
                        s.executeUpdate("DELETE FROM " + d + ".order_items WHERE order_id = " + order);
                        s.executeUpdate("DELETE FROM " + d + ".orders WHERE id = " + order);
                        c.commit();
                        c.setAutoCommit(true);
                    }
                    case 4 -> s.executeUpdate("INSERT IGNORE INTO " + d + ".order_items VALUES (" + order + ", " + (1 + r.nextInt(6)) + ", "
                            + product + ", " + (1 + r.nextInt(9)) + ")");
                    case 5 -> s.executeUpdate("UPDATE " + d + ".order_items SET qty = qty + 1 WHERE order_id = " + order);
                    case 6 -> s.executeUpdate("UPDATE IGNORE " + d + ".order_items SET order_id = " + (1 + r.nextInt(nextOrder - 1))
                            + ", line = " + (10 + r.nextInt(90)) + " WHERE order_id = " + order + " LIMIT 1");
                    case 7 -> s.executeUpdate("DELETE FROM " + d + ".order_items WHERE order_id = " + order + " LIMIT 1");
                    case 8 -> s.executeUpdate("UPDATE " + d + ".products SET name = 'product " + product + " v" + r.nextInt(100) + "' WHERE"
                            + " id = " + product);
                    case 9 -> s.executeUpdate("UPDATE " + d + ".customers SET city = " + (r.nextBoolean() ? "NULL" : "'city " + r.nextInt(9)
                            + "'") + " WHERE id = " + customer);
                    default -> {
                        if (r.nextBoolean()) {
                            s.executeUpdate("INSERT INTO " + d + ".customers VALUES (" + nextCustomer++ + ", 'late " + r.nextInt(99) + "', NULL)");
                        } else {
                            s.executeUpdate("DELETE FROM " + d + ".customers WHERE id = " + customer); // orders keep the id: no customer
                        }
                    }
                }
                changes.incrementAndGet();
                Thread.sleep(r.nextInt(8));
            }
        } catch (SQLException | RuntimeException e) {
            failure.set(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every order's document as one SQL query computes it, by order id. */
    private Map<String, JsonNode> expected(MariaDbServer db) throws Exception {
        String d = database;
        String sql = "SELECT o.id, JSON_OBJECT('id', o.id, 'customer_id', o.customer_id, 'note', o.note,"
                + " 'customer', (SELECT JSON_OBJECT('id', c.id, 'name', c.name, 'city', c.city) FROM " + d + ".customers c"
                + " WHERE c.id = o.customer_id),"
                + " 'items', COALESCE((SELECT JSON_ARRAYAGG(JSON_OBJECT('order_id', i.order_id, 'line', i.line, 'product_id', i.product_id,"
                + " 'qty', i.qty, 'product', (SELECT JSON_OBJECT('id', p.id, 'name', p.name) FROM " + d + ".products p"
                + " WHERE p.id = i.product_id)) ORDER BY i.line) FROM " + d + ".order_items i WHERE i.order_id = o.id), JSON_ARRAY()))"
                + " FROM " + d + ".orders o";
        Map<String, JsonNode> out = new TreeMap<>();
        try (Connection c = db.connect(database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.put(rs.getString(1), JSON.readTree(rs.getString(2)));
            }
        }
        return out;
    }

    private Map<String, JsonNode> redisDocuments(RedisServer redis) throws Exception {
        Map<String, JsonNode> out = new TreeMap<>();
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            for (String key : jedis.keys(source + ":views:" + view + ":{*}")) {
                String value = key.endsWith(":v") ? null : jedis.get(key);
                if (value != null) {
                    out.put(key.substring(key.indexOf('{') + 1, key.indexOf('}')), JSON.readTree(value));
                }
            }
        }
        return out;
    }

    private Map<String, JsonNode> luceneDocuments(ServerProcess server) throws Exception {
        Map<String, JsonNode> out = new TreeMap<>();
        String table = URLEncoder.encode(source + ".views." + view, StandardCharsets.UTF_8);
        for (int from = 0; ; from += 1000) {
            JsonNode hits = server.json("GET", "/api/v1/sinks/index/search?table=" + table + "&size=1000&from=" + from, null, 200)
                    .path("hits");
            for (JsonNode hit : hits) {
                ObjectNode doc = hit.deepCopy();
                doc.remove(List.of("_id", "_version"));
                out.put(hit.path("_id").asText(), doc);
            }
            if (hits.size() < 1000) {
                return out;
            }
        }
    }

    private Map<String, JsonNode> openSearchDocuments(OpenSearchTestNode search) throws Exception {
        String index = "vc-" + view + "-" + id;
        HTTP.send(HttpRequest.newBuilder(URI.create(search.url() + "/" + index + "/_refresh")).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(search.url() + "/" + index + "/_search?size=10000")).build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, JsonNode> out = new TreeMap<>();
        for (JsonNode hit : JSON.readTree(r.body()).path("hits").path("hits")) {
            out.put(hit.path("_id").asText(), hit.path("_source"));
        }
        return out;
    }
}
