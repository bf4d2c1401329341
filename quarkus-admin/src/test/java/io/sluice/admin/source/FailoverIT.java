package io.sluice.admin.source;

import static io.restassured.RestAssured.given;
import static io.sluice.admin.TestApi.createPipeline;
import static io.sluice.admin.TestApi.createSink;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sluice.admin.TestAuth;
import io.sluice.admin.auth.Role;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import io.sluice.testkit.TargetRows;
import io.sluice.testkit.TcpProxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A source across a failover, on two real MariaDB servers in GTID replication: capture streams from the primary under
 * a write load, the primary stops, the replica is promoted and the source's host is pointed at it. Capture resumes by
 * GTID under the next version epoch (kept as the source's {@code version.epoch}), the timeline says what happened,
 * nothing is dropped as stale, and Redis ends equal to the new primary's table. With a replica behind when promoted,
 * what it holds all arrives, and the verification with repair that follows takes out what it never received.
 */
@QuarkusTest
class FailoverIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CAPTURE_PASSWORD = "Failover-Capture-Pw-1";
    private static final String REPLICATION_PASSWORD = "Failover-Repl-Pw-1";

    private final String id = UUID.randomUUID().toString().substring(0, 6);
    private final String database = "fo_" + id;
    private final String source = "fo-" + id;
    private final RedisServer redis = RedisServer.shared();
    private MariaDbServer primary;
    private MariaDbServer replica;

    @BeforeEach
    void primaryAndReplicaInGtidReplication() {
        TestAuth.signInAs(Role.ADMIN);
        int base = 200 + ThreadLocalRandom.current().nextInt(500) * 2;
        primary = MariaDbServer.start(new MariaDbServer.Options(true, base, "+00:00"));
        replica = MariaDbServer.start(new MariaDbServer.Options(true, base + 1, "+00:00"));
        // A fresh binlog, so that the replica does not replay the primary's installation (its users exist on both).
        primary.execute("RESET MASTER", "CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY '" + REPLICATION_PASSWORD + "'",
                "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1'");
        replica.execute("RESET MASTER", "SET GLOBAL gtid_slave_pos = ''", "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=" + primary.port()
                + ", MASTER_USER='repl', MASTER_PASSWORD='" + REPLICATION_PASSWORD + "', MASTER_USE_GTID=slave_pos", "START SLAVE");
        primary.createCaptureUser("fo_capture", CAPTURE_PASSWORD);
        primary.recreateItemsDatabase(database);
        primary.insertItems(database + ".items", 1, 200);
        caughtUp();
    }

    @AfterEach
    void stopServers() {
        primary.close();
        replica.close();
    }

    @Test
    void shouldContinueOnThePromotedReplicaByGtidWithVersionsThatKeepIncreasing() throws Exception {
        startCapture();
        // The primary's binlog files move ahead of the replica's: its file name means nothing there, and the replica's
        // file numbers and positions are lower than those capture read.
        primary.execute("FLUSH BINARY LOGS", "FLUSH BINARY LOGS");
        load(primary, 3);
        caughtUp();

        failOver();
        load(replica, 2);

        assertRedisEqualsTable();
        assertThat(setting("version.epoch")).isEqualTo("1");
        assertThat(timeline()).anySatisfy(e -> assertThat(e).contains("server changed", "server_id " + replica.options().serverId(),
                "epoch 1"));
    }

    @Test
    void shouldDeliverAllAReplicaBehindHoldsAndRepairWhatItNeverReceived() throws Exception {
        startCapture();
        load(primary, 2);
        caughtUp();
        replica.execute("STOP SLAVE");
        // Changes the replica never receives: capture reads them from the primary before it stops.
        primary.execute("UPDATE " + database + ".items SET name = 'lost', qty = qty + 1 WHERE id <= 15",
                "INSERT INTO " + database + ".items VALUES (100001, 'lost', 1)", "DELETE FROM " + database + ".items WHERE id BETWEEN 16 AND 20");
        await().atMost(Duration.ofSeconds(30)).until(() -> TargetRows.redis(redis, prefix()).containsKey("100001"));

        failOver();
        load(replica, 2);

        assertRedisEqualsTable();
        assertThat(TargetRows.redis(redis, prefix())).doesNotContainKey("100001").containsKeys("16", "20");
        assertThat(timeline()).anySatisfy(e -> assertThat(e).contains("server changed"));
    }

    @Test
    void shouldNoticeAFailoverBehindTheSameAddressWhileCaptureRuns() throws Exception {
        try (TcpProxy address = new TcpProxy(primary.port())) {
            startCapture(Map.of("port", address.port(), "stall.timeout.ms", 8000));
            primary.execute("FLUSH BINARY LOGS");
            load(primary, 2);
            caughtUp();

            primary.stop();
            replica.execute("STOP SLAVE", "RESET SLAVE ALL");
            address.switchTo(replica.port());
            load(replica, 2);

            assertRedisEqualsTable();
            assertThat(setting("version.epoch")).isEqualTo("1");
            assertThat(timeline()).anySatisfy(e -> assertThat(e).contains("server changed"));
        }
    }

    private void startCapture() {
        startCapture(Map.of());
    }

    private void startCapture(Map<String, Object> overrides) {
        Map<String, Object> request = new HashMap<>(primary.sourceRequest(source, "fo_capture", CAPTURE_PASSWORD, database, 7700
                + ThreadLocalRandom.current().nextInt(200)));
        request.putAll(overrides);
        given().contentType(ContentType.JSON).body(request).post("/api/v1/sources").then().statusCode(201);
        createSink("fo-cache-" + id, "redis", Map.of("redis.uri", "redis://" + redis.host() + ":" + redis.port()));
        createPipeline("fo-p-" + id, source, List.of("fo-cache-" + id));
        await().atMost(Duration.ofSeconds(60)).until(() -> TargetRows.redis(redis, prefix()).size() == 200);
    }

    /** Stops the primary, promotes the replica, and points the source's host at it. */
    private void failOver() throws Exception {
        caughtUpOrStopped();
        primary.stop();
        replica.execute("STOP SLAVE", "RESET SLAVE ALL");
        JsonNode stored = JSON.readTree(given().get("/api/v1/sources/{s}", source).then().statusCode(200).extract().asString());
        Map<String, Object> settings = new HashMap<>(JSON.convertValue(stored.path("settings"), Map.class));
        settings.put("host", replica.host());
        settings.put("port", replica.port());
        given().contentType(ContentType.JSON).body(settings).put("/api/v1/sources/{s}", source).then().statusCode(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> "streaming".equals(given().get("/api/v1/sources/{s}/status", source).then().extract()
                .path("state")));
    }

    /** Writes to a server for some seconds: inserts, updates of any row, a few deletes. */
    private void load(MariaDbServer server, int seconds) throws Exception {
        AtomicInteger next = new AtomicInteger(server == primary ? 1000 : 50_000);
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        try (Connection c = server.connect(database); Statement s = c.createStatement()) {
            while (System.nanoTime() < end) {
                int n = next.incrementAndGet();
                s.execute("INSERT INTO items VALUES (" + n + ", 'new " + n + "', " + n % 97 + ")");
                s.execute("UPDATE items SET qty = qty + 1, name = 'updated' WHERE id = " + (1 + ThreadLocalRandom.current().nextInt(200)));
                if (n % 10 == 0) {
                    s.execute("DELETE FROM items WHERE id = " + (n - 5));
                }
            }
        }
    }

    private void caughtUp() {
        String position = primary.rows(database, "SELECT @@gtid_binlog_pos, 1").keySet().iterator().next();
        String waited = replica.rows("mysql", "SELECT MASTER_GTID_WAIT('" + position + "', 60), 1").keySet().iterator().next();
        assertThat(waited).as("the replica applied %s", position).isEqualTo("0");
    }

    /** The replica caught up, unless its replication was stopped on purpose. */
    private void caughtUpOrStopped() throws Exception {
        try (Connection c = replica.connect("mysql"); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW SLAVE STATUS")) {
            if (rs.next() && "Yes".equals(rs.getString("Slave_SQL_Running"))) {
                caughtUp();
            }
        }
    }

    private void assertRedisEqualsTable() {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(TargetRows.redis(redis, prefix()))
                .containsExactlyInAnyOrderEntriesOf(replica.rows(database, "SELECT id, name, qty FROM items")));
    }

    private String prefix() {
        return source + ":" + database + ":items:{";
    }

    private String setting(String key) throws Exception {
        return JSON.readTree(given().get("/api/v1/sources/{s}", source).then().statusCode(200).extract().asString()).path("settings").path(key)
                .asText();
    }

    private List<String> timeline() throws Exception {
        JsonNode t = JSON.readTree(given().get("/api/v1/sources/{s}/timeline", source).then().statusCode(200).extract().asString());
        List<String> out = new ArrayList<>();
        (t.isArray() ? t : t.path("entries")).forEach(e -> out.add(e.toString()));
        return out;
    }
}
