package io.sluice.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Smoke test of {@code ./sluice demo}: the launcher in this JVM, MariaDB, Redis and the packaged server
 * ({@code quarkus-admin/target/quarkus-app}, built earlier in the reactor) as child processes, on free ports.
 */
class DemoIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldStreamTheChangingShopIntoRedisAndLuceneBehindTheUi() throws Exception {
        Path jar = DemoOptions.projectRoot().resolve(DemoOptions.SERVER_JAR);
        assertThat(jar).as("the packaged server; build it first with mvn -pl quarkus-admin -am package -DskipTests").isRegularFile();
        DemoOptions options = DemoOptions.parse("--port", "0", "--rate", "20", "--data-dir", "target/demo-it", "--server-jar", jar.toString());
        ByteArrayOutputStream console = new ByteArrayOutputStream();

        try (Demo demo = new Demo(options, new PrintStream(console, true, StandardCharsets.UTF_8))) {
            demo.start();
            demo.printSummary();
            String printed = console.toString(StandardCharsets.UTF_8);
            assertThat(printed).contains("user admin, password " + demo.adminPassword())
                    .contains("redis-cli -p " + demo.redisPort() + " GET 'demo:shop:products:{1}'")
                    .contains("http://localhost:" + demo.serverBase().getPort() + "/search");

            // The server answers and the source streams.
            assertThat(get(demo, "/api/v1/sources/demo/status").path("state").asText()).isEqualTo("streaming");

            // The printed credentials sign in to the UI, and the search page is there.
            String cookie = signIn(demo);
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(demo.serverBase().resolve("/search")).header("Cookie", cookie).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);

            // The example key exists and holds the product as JSON.
            assertThat(JSON.readTree(redis(demo, Demo.exampleKey())).path("id").asLong()).isEqualTo(1);

            // A product the generator changed shows up, as it is now in MariaDB, in Redis and in the Lucene search.
            // (a seeded one: the generator deletes only products it added)
            long product = await().atMost(Duration.ofSeconds(20))
                    .until(() -> demo.generator().last("products", ChangeGenerator.Kind.UPDATE).filter(c -> c.id() <= Shop.SEED_PRODUCTS),
                            Optional::isPresent).get().id();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                Object[] row = product(demo, product);
                JsonNode cached = JSON.readTree(redis(demo, "demo:shop:products:{" + product + "}"));
                assertThat(cached.path("stock").asInt()).isEqualTo(row[0]);
                assertThat(cached.path("price").decimalValue()).isEqualByComparingTo((BigDecimal) row[1]);
                JsonNode found = get(demo, "/api/v1/sinks/index/search?table=demo.shop.products&field=id&exact=true&q=" + product);
                assertThat(found.path("total").asLong()).isEqualTo(1);
                assertThat(found.path("hits").get(0).path("stock").asInt()).isEqualTo(row[0]);
            });

            // An order the generator placed arrives; one it deleted leaves both targets.
            long placed = await().atMost(Duration.ofSeconds(20))
                    .until(() -> demo.generator().last("orders", ChangeGenerator.Kind.INSERT), Optional::isPresent).get().id();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(redis(demo, "demo:shop:orders:{" + placed + "}")).isNotNull());
            long deleted = await().atMost(Duration.ofSeconds(30))
                    .until(() -> demo.generator().last("orders", ChangeGenerator.Kind.DELETE), Optional::isPresent).get().id();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(redis(demo, "demo:shop:orders:{" + deleted + "}")).isNull();
                assertThat(get(demo, "/api/v1/sinks/index/search?table=demo.shop.orders&field=id&exact=true&q=" + deleted).path("total").asLong())
                        .isZero();
            });

            // The view: an order the generator placed has its customer and its items, each with its product, as in MariaDB.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                ObjectNode order = (ObjectNode) JSON.readTree(redis(demo, "demo:views:orders:{" + placed + "}"));
                assertThat(order.remove("created_at")).as("the order's creation time").isNotNull();
                assertThat(order).as("the view's document of order %d", placed).isEqualTo(JSON.readTree(orderDocument(demo, placed)));
                String lastName = order.path("customer").path("last_name").asText();
                JsonNode found = get(demo, "/api/v1/sinks/index/search?table=demo.views.orders&field=id&exact=true&q=" + placed);
                assertThat(found.path("hits").path(0).path("customer").path("last_name").asText()).isEqualTo(lastName);
                assertThat(get(demo, "/api/v1/sinks/index/search?table=demo.views.orders&field=customer.last_name&q=" + lastName)
                        .path("total").asLong()).isPositive();
            });
            assertThat(printed).contains("/search?sink=index&table=demo.views.orders&field=customer.last_name&q=");

            // The demo's data contracts: customers' emails are masked in every target (the snapshot's rows by the backfill that
            // followed the rules); a product repriced below zero is kept out of the targets, in the dead letters.
            assertThat(JSON.readTree(redis(demo, "demo:shop:customers:{1}")).path("email").asText()).endsWith("***");
            assertThat(get(demo, "/api/v1/rules").findValuesAsText("table")).contains("shop.customers", "shop.products");
            try (Connection c = demo.mariaDb().connect("shop"); PreparedStatement ps = c.prepareStatement("UPDATE products SET price = -1 WHERE id = 2")) {
                ps.executeUpdate();
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(get(demo, "/api/v1/sinks/cache/dead-letters")
                    .findValuesAsText("reason")).anySatisfy(r -> assertThat(r).contains("positivePrice", "price=-1.0")));
            assertThat(JSON.readTree(redis(demo, "demo:shop:products:{2}")).path("price").decimalValue().signum()).isPositive();
            assertThat(printed).contains("UPDATE products SET price = -1");

            // The search the demo suggests finds products.
            assertThat(get(demo, "/api/v1/sinks/index/search?table=demo.shop.products&field=name&q=lamp").path("total").asLong()).isPositive();
        }
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("stopped.");
    }

    private JsonNode get(Demo demo, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(demo.serverBase().resolve(path)).header("Authorization", basic(demo)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** Signs in through the login form as a browser does; returns the session cookie. */
    private String signIn(Demo demo) throws Exception {
        String form = "username=admin&password=" + URLEncoder.encode(demo.adminPassword(), StandardCharsets.UTF_8);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(demo.serverBase().resolve("/login"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(URI.create(r.headers().firstValue("Location").orElseThrow()).getPath()).isEqualTo("/");
        String setCookie = r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("sluice_session=")).findFirst().orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    private static String basic(Demo demo) {
        return "Basic " + Base64.getEncoder().encodeToString(("admin:" + demo.adminPassword()).getBytes(StandardCharsets.UTF_8));
    }

    private static String redis(Demo demo, String key) {
        try (Jedis jedis = new Jedis("127.0.0.1", demo.redisPort())) {
            return jedis.get(key);
        }
    }

    /** The order's document as one SQL query computes it (without its creation time), as JSON text. */
    private static String orderDocument(Demo demo, long id) throws Exception {
        String sql = "SELECT JSON_OBJECT('id', o.id, 'status', o.status, 'total', o.total,"
                + " 'customer', (SELECT JSON_OBJECT('first_name', c.first_name, 'last_name', c.last_name, 'city', c.city) FROM customers c"
                + " WHERE c.id = o.customer_id),"
                + " 'items', COALESCE((SELECT JSON_ARRAYAGG(JSON_OBJECT('line', i.line, 'quantity', i.quantity, 'unit_price', i.unit_price,"
                + " 'product', (SELECT JSON_OBJECT('name', p.name, 'category', p.category) FROM products p WHERE p.id = i.product_id))"
                + " ORDER BY i.line) FROM order_items i WHERE i.order_id = o.id), JSON_ARRAY())) FROM orders o WHERE o.id = ?";
        try (Connection c = demo.mariaDb().connect("shop"); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("order %d exists", id).isTrue();
                return rs.getString(1);
            }
        }
    }

    /** The product's stock and price in MariaDB now. */
    private static Object[] product(Demo demo, long id) throws Exception {
        try (Connection c = demo.mariaDb().connect("shop"); PreparedStatement ps = c.prepareStatement("SELECT stock, price FROM products WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("product %d exists", id).isTrue();
                return new Object[] {rs.getInt(1), rs.getBigDecimal(2)};
            }
        }
    }
}
