package io.sluice.admin.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.embedded.FreePorts;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import io.sluice.embedded.ServerProcess;
import io.sluice.testkit.PostgresTestServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Two packaged servers on one PostgreSQL metadata store, with high availability on: one leads, the other stands by
 * (reads answered, changes refused naming the leader). Under a steady write load the leader is killed with SIGKILL;
 * the standby takes the lease, restores the capture state the leader mirrored, and streams again within 15 s; in the
 * end Redis equals the table, and the new leader takes changes. Then the old leader comes back as a standby, the new
 * one is frozen with SIGSTOP under load past its lease, the standby takes over, and the frozen one, resumed with
 * SIGCONT, stops without one more write: no command from its Redis connections (which the new leader closed) and no
 * capture state it mirrored after it was frozen.
 */
class StandbyIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN_PASSWORD = "Standby-Admin-Pw-1";
    private static final String DB_PASSWORD = "Standby-Db-Pw-1";
    private static final Duration TAKEOVER = Duration.ofSeconds(15);

    @Test
    void shouldTakeOverAKilledLeaderWithinFifteenSecondsAndFenceAFrozenOne() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        RedisServer redis = RedisServer.shared();
        PostgresTestServer pg = PostgresTestServer.shared();
        String id = UUID.randomUUID().toString().substring(0, 6);
        String database = "standby_" + id;
        db.createCaptureUser("standby_capture", DB_PASSWORD);
        db.recreateItemsDatabase(database);
        for (int i = 1; i <= 100; i++) {
            db.execute("INSERT INTO " + database + ".items VALUES (" + i + ", 'item " + i + "', " + i + ")");
        }
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Map<String, String> shared = Map.of("sluice.encryption-key", Base64.getEncoder().encodeToString(key), "sluice.admin.initial-password",
                ADMIN_PASSWORD, "sluice.secure-cookies", "false", "sluice.metadata.jdbc-url", pg.createDatabase("sluice_ha_" + id),
                "sluice.metadata.username", PostgresTestServer.USER, "sluice.metadata.password", PostgresTestServer.PASSWORD,
                "sluice.ha.enabled", "true", "sluice.ha.lease", "4s", "sluice.ha.renew-interval", "1s");
        Path dir = Files.createTempDirectory("sluice-standby-");
        String pgUrl = shared.get("sluice.metadata.jdbc-url");
        String source = "s" + id;
        String prefix = source + ":" + database + ":items:";
        try (ServerProcess a = server("a", shared, dir); ServerProcess b = server("b", shared, dir)) {
            a.start();
            b.start();
            a.json("POST", "/api/v1/sources", JSON.writeValueAsString(db.sourceRequest(source, "standby_capture", DB_PASSWORD, database,
                    7900 + new Random().nextInt(90))), 201);
            a.json("POST", "/api/v1/sinks", JSON.writeValueAsString(Map.of("name", "cache", "type", "redis", "config",
                    Map.of("redis.uri", "redis://" + redis.host() + ":" + redis.port()))), 201);
            a.json("POST", "/api/v1/pipelines", JSON.writeValueAsString(Map.of("name", "all", "source", source, "sinks", List.of("cache"))), 201);
            a.awaitStreaming(source);

            // The standby answers reads and refuses changes, naming the leader.
            assertThat(b.json("GET", "/api/v1/sources", null, 200).findValuesAsText("name")).contains(source);
            assertThat(b.json("GET", "/api/v1/sources/" + source + "/status", null, 200).path("reason").asText())
                    .isEqualTo("this server stands by: server a leads (epoch 1), and runs the source");
            HttpResponse<String> refused = b.call("POST", "/api/v1/sinks", JSON.writeValueAsString(Map.of("name", "other", "type", "lucene")),
                    "admin", ADMIN_PASSWORD);
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.body()).contains("server a leads").doesNotContain("Exception");
            // The leader alone is ready in the health group a Service routes by.
            assertThat(a.call("GET", "/q/health/group/leader", null, "admin", ADMIN_PASSWORD).statusCode()).isEqualTo(200);
            HttpResponse<String> standing = b.call("GET", "/q/health/group/leader", null, "admin", ADMIN_PASSWORD);
            assertThat(standing.statusCode()).isEqualTo(503);
            assertThat(standing.body()).contains("stands by; server a leads");

            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicReference<Exception> writeFailure = new AtomicReference<>();
            Thread writer = new Thread(() -> ItemsTable.load(db, database, writing, writeFailure, 13), "standby-writer");
            writer.start();
            Thread.sleep(3000);
            a.kill();
            long killed = System.nanoTime();
            awaitStreaming(b, source, TAKEOVER.plusSeconds(10));
            Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
            System.out.println("standby streaming " + takeover.toMillis() + " ms after the leader was killed");
            assertThat(takeover).as("from SIGKILL to the standby streaming").isLessThan(TAKEOVER);
            Thread.sleep(2000);
            writing.set(false);
            writer.join();
            assertThat(writeFailure.get()).isNull();

            Map<Integer, String> expected = ItemsTable.sourceRows(db, database);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(ItemsTable.drift(ItemsTable.redisRows(redis, prefix), expected)).as("redis against the table").isEmpty());
            b.json("POST", "/api/v1/sinks", JSON.writeValueAsString(Map.of("name", "other", "type", "lucene")), 201);
            assertThat(Files.readString(b.log())).contains("server b leads").doesNotContain(DB_PASSWORD);

            // The old leader comes back as a standby; the leader is frozen (SIGSTOP) under load past its lease, the
            // standby takes over, and the frozen one is resumed (SIGCONT): it must stop without one more write.
            a.start();
            long epochOfB = lease(pgUrl);
            writing.set(true);
            Thread writer2 = new Thread(() -> ItemsTable.load(db, database, writing, writeFailure, 17), "standby-writer-2");
            writer2.start();
            Thread.sleep(2000);
            Set<String> connectionsOfB = clients(redis, "sluice-cache@e" + epochOfB);
            assertThat(connectionsOfB).as("the leader's named Redis connections").isNotEmpty();
            try (RedisMonitor monitor = RedisMonitor.start(redis)) {
                signal("STOP", b);
                Timestamp frozen = Timestamp.from(Instant.now());
                awaitStreaming(a, source, TAKEOVER.plusSeconds(10));
                assertThat(lease(pgUrl)).isEqualTo(epochOfB + 1);
                Thread.sleep(2000);
                signal("CONT", b);
                Instant resumed = Instant.now();
                await().atMost(Duration.ofSeconds(15)).until(() -> !b.isAlive());
                Thread.sleep(500);
                assertThat(Files.readString(b.log())).contains("server b stops");
                assertThat(monitor.commandsFrom(connectionsOfB, resumed)).as("commands of the deposed leader in Redis after it resumed").isEmpty();
                assertThat(monitor.commandsNotFrom(clients(redis, "sluice-cache@e" + (epochOfB + 1)), resumed))
                        .as("commands after it resumed from any connection but the new leader's").isEmpty();
                assertThat(mirroredSince(pgUrl, epochOfB, frozen)).as("capture state the deposed leader mirrored after it was frozen").isZero();
            }
            writing.set(false);
            writer2.join();
            assertThat(writeFailure.get()).isNull();
            Map<Integer, String> finalRows = ItemsTable.sourceRows(db, database);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(ItemsTable.drift(ItemsTable.redisRows(redis, prefix), finalRows)).as("redis against the table").isEmpty());
        }
    }

    private static void signal(String signal, ServerProcess server) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(server.pid())).inheritIO().start().waitFor()).isZero();
    }

    /** The epoch of the lease now. */
    private static long lease(String pgUrl) throws Exception {
        try (Connection c = DriverManager.getConnection(pgUrl, PostgresTestServer.USER, PostgresTestServer.PASSWORD);
                Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT epoch FROM leader_lease WHERE id = 1")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Capture state rows written under {@code epoch} after {@code since}. */
    private static long mirroredSince(String pgUrl, long epoch, Timestamp since) throws Exception {
        try (Connection c = DriverManager.getConnection(pgUrl, PostgresTestServer.USER, PostgresTestServer.PASSWORD);
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM source_state WHERE epoch = ? AND updated_at > ?")) {
            s.setLong(1, epoch);
            s.setTimestamp(2, since);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The addresses of the Redis connections named {@code name}. */
    private static Set<String> clients(RedisServer redis, String name) {
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            return Arrays.stream(jedis.clientList().split("\n")).filter(l -> l.contains(" name=" + name + " "))
                    .map(l -> l.replaceAll(".* addr=(\\S+) .*", "$1")).collect(Collectors.toSet());
        }
    }

    private static ServerProcess server(String name, Map<String, String> shared, Path dir) throws Exception {
        Map<String, String> props = new HashMap<>(shared);
        props.put("sluice.data-dir", dir.resolve(name).toString());
        props.put("sluice.ha.server-name", name);
        Path log = Path.of("target", "standby-" + name + ".log");
        Files.deleteIfExists(log);
        return new ServerProcess(ServerProcess.packagedJar(), FreePorts.next(), props, log);
    }

    /** Polls the source's status every 200 ms: the takeover is timed by it. */
    private static void awaitStreaming(ServerProcess server, String source, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        String state = null;
        while (System.nanoTime() < deadline) {
            state = server.json("GET", "/api/v1/sources/" + source + "/status", null, 200).path("state").asText();
            if (state.equals("streaming")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("source " + source + " did not stream on " + server.url() + " within " + atMost + "; last state " + state
                + "\n" + server.tail(40));
    }
}
