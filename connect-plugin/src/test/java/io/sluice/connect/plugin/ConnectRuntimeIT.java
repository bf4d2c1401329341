package io.sluice.connect.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.embedded.FreePorts;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import io.sluice.embedded.ServerProcess;
import io.sluice.testkit.ConnectWorker;
import io.sluice.testkit.OpenSearchTestNode;
import io.sluice.testkit.TargetRows;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * The Sluice server in the {@code connect} runtime: the same API calls as in the embedded mode create, pause,
 * resume and delete Debezium's and Sluice's connectors on a real distributed Connect worker, the data flows
 * through Kafka into Redis and OpenSearch, a schema change waiting for review holds the converter until it is
 * approved, and Connect's own failures show in the source's status.
 */
class ConnectRuntimeIT {
    private static final ObjectMapper JSON = ConnectWorker.JSON;

    @Test
    void shouldDriveConnectorsThroughTheConnectRestApi() throws Exception {
        DistributedStack stack = DistributedStack.shared();
        MariaDbServer db = MariaDbServer.shared();
        RedisServer redis = RedisServer.shared();
        OpenSearchTestNode search = OpenSearchTestNode.shared();
        String id = UUID.randomUUID().toString().substring(0, 6);
        String database = "krt_" + id;
        String source = "rt" + id;
        DistributedStack.captureUser(db);
        db.recreateItemsDatabase(database);
        db.execute("INSERT INTO " + database + ".items VALUES (1, 'one', 1), (2, 'two', 2), (3, 'three', 3)",
                // where Debezium's incremental snapshots (backfills) write their watermarks
                "CREATE TABLE " + database + ".debezium_signal (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)",
                "GRANT INSERT, UPDATE, DELETE ON " + database + ".debezium_signal TO 'connect_capture'@'%'");

        try (ConnectWorker worker = new ConnectWorker(stack.kafka.bootstrapServers(), stack.build, "runtime-" + id,
                Path.of("target", "connect-" + id))) {
            worker.start();
            int port = FreePorts.next();
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Map<String, String> props = new HashMap<>(Map.of("sluice.data-dir", Files.createTempDirectory("sluice-connect-runtime-").toString(),
                    "sluice.encryption-key", Base64.getEncoder().encodeToString(key), "sluice.admin.initial-password", DistributedStack.ADMIN_PASSWORD,
                    "sluice.secure-cookies", "false", "sluice.runtime", "connect", "sluice.connect.url", worker.url(),
                    "sluice.connect.bootstrap-servers", stack.kafka.bootstrapServers(),
                    "sluice.connect.registry-url", "http://127.0.0.1:" + port + "/registry", "sluice.connect.replication-factor", "1"));
            Path log = Path.of("target", "connect-runtime-server-" + id + ".log");
            String token;
            // The converters authenticate with an API token of an operator of this server (an admin's registrations
            // would bypass schema review): issue one, then run with it.
            try (ServerProcess first = new ServerProcess(ServerProcess.packagedJar(), port, props, log)) {
                first.start();
                first.json("POST", "/api/v1/users", "{\"name\": \"connect-workers\", \"password\": \"Connect-Workers-Password-1\","
                        + " \"role\": \"operator\"}", 201);
                token = first.json("POST", "/api/v1/users/connect-workers/tokens", "{\"label\": \"converters\"}", 201).path("token").asText();
            }
            props.put("sluice.connect.registry-token", token);
            try (ServerProcess server = new ServerProcess(ServerProcess.packagedJar(), port, props, log)) {
                server.start();
                Map<String, Object> sourceRequest = db.sourceRequest(source, "connect_capture", DistributedStack.CAPTURE_PASSWORD, database,
                        6600 + Math.abs(id.hashCode() % 300));
                sourceRequest.put("debezium.signal.data.collection", database + ".debezium_signal");
                server.json("POST", "/api/v1/sources", JSON.writeValueAsString(sourceRequest), 201);
                server.json("POST", "/api/v1/sinks", JSON.writeValueAsString(Map.of("name", "cache-" + id, "type", "redis", "config",
                        Map.of("redis.uri", "redis://" + redis.host() + ":" + redis.port()))), 201);
                server.json("POST", "/api/v1/sinks", JSON.writeValueAsString(Map.of("name", "search-" + id, "type", "opensearch", "config",
                        Map.of("opensearch.urls", search.url(), "index.replicas", "0"))), 201);
                server.json("POST", "/api/v1/pipelines", JSON.writeValueAsString(Map.of("name", "all-" + id, "source", source,
                        "sinks", List.of("cache-" + id, "search-" + id))), 201);

                String sourceConnector = "sluice." + source;
                List<String> connectors = List.of(sourceConnector, sourceConnector + ".cache-" + id, sourceConnector + ".search-" + id);
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> connectors.stream().allMatch(c -> {
                    try {
                        return worker.running(c);
                    } catch (IOException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }));
                await().atMost(Duration.ofSeconds(30)).until(() -> state(server, source).equals("streaming"));

                db.execute("UPDATE " + database + ".items SET qty = 20 WHERE id = 2", "DELETE FROM " + database + ".items WHERE id = 3");
                awaitEqual(db, database, redis, search, source);

                server.json("POST", "/api/v1/sources/" + source + "/pause", null, 200);
                await().atMost(Duration.ofSeconds(30)).until(() -> "PAUSED".equals(worker.status(sourceConnector).path("connector").path("state").asText()));
                await().atMost(Duration.ofSeconds(10)).until(() -> state(server, source).equals("paused"));
                db.execute("INSERT INTO " + database + ".items VALUES (4, 'while paused', 4)");
                Thread.sleep(3000); // a paused connector sends nothing; give a running one ample time to show
                assertThat(TargetRows.redis(redis, source + ":" + database + ":items:{")).doesNotContainKey("4");

                server.json("POST", "/api/v1/sources/" + source + "/resume", null, 200);
                awaitEqual(db, database, redis, search, source);
                assertThat(state(server, source)).isEqualTo("streaming");

                // Schema review holds the converter: a new column under the review-all policy waits for a reviewer.
                String subject = source + "." + database + ".items-value";
                server.json("PUT", "/api/v1/schemas/policies/" + subject, "{\"policy\": \"review-all\"}", 200);
                db.execute("ALTER TABLE " + database + ".items ADD COLUMN note VARCHAR(20) NULL",
                        "INSERT INTO " + database + ".items VALUES (5, 'after the change', 5, 'new')");
                await().atMost(Duration.ofSeconds(60)).until(() -> state(server, source).equals("paused"));
                JsonNode held = server.json("GET", "/api/v1/sources/" + source + "/status", null, 200);
                assertThat(held.path("reason").asText()).contains("awaits review as proposal", subject);
                assertThat(TargetRows.redis(redis, source + ":" + database + ":items:{")).doesNotContainKey("5");
                JsonNode pending = server.json("GET", "/api/v1/schemas/proposals?status=pending", null, 200);
                long proposal = StreamSupport.stream(pending.spliterator(), false)
                        .filter(p -> p.path("subject").asText().equals(subject)).findFirst().orElseThrow().path("id").asLong();
                server.json("POST", "/api/v1/schemas/proposals/" + proposal + "/approve", "{\"reason\": \"a nullable column\"}", 200);
                awaitEqual(db, database, redis, search, source);
                await().atMost(Duration.ofSeconds(10)).until(() -> state(server, source).equals("streaming"));

                // A backfill is Debezium's incremental snapshot, started by a signal on Kafka, tracked by its notifications.
                redis.unlinkAll(source + ":" + database + ":items:{"); // the cache was flushed
                server.json("POST", "/api/v1/backfills", "{\"pipeline\": \"all-" + id + "\", \"sink\": \"cache-" + id + "\"}", 409);
                long backfill = server.json("POST", "/api/v1/backfills", "{\"pipeline\": \"all-" + id + "\", \"tables\": [\"" + database
                        + ".items\"]}", 201).path("id").asLong();
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> "succeeded".equals(
                        server.json("GET", "/api/v1/backfills/" + backfill, null, 200).path("state").asText()));
                assertThat(server.json("GET", "/api/v1/backfills/" + backfill, null, 200).path("rowsRead").asLong()).isEqualTo(4);
                awaitEqual(db, database, redis, search, source);

                // What only the embedded runtime can do is refused by this one, with the reason and the alternative.
                JsonNode verify = server.json("POST", "/api/v1/verifications", "{\"pipeline\": \"all-" + id + "\", \"table\": \""
                        + database + ".items\", \"sink\": \"cache-" + id + "\"}", 409);
                assertThat(verify.path("code").asText()).isEqualTo("not_in_connect_runtime");
                assertThat(verify.path("message").asText()).contains("POST /api/v1/backfills");
                JsonNode recover = server.json("POST", "/api/v1/sources/" + source + "/recover", null, 409);
                assertThat(recover.path("code").asText()).isEqualTo("not_in_connect_runtime");
                assertThat(recover.path("message").asText()).contains("DELETE /connectors/sluice." + source + "/offsets");
                JsonNode view = server.json("POST", "/api/v1/views", JSON.writeValueAsString(Map.of("name", "items_" + id.replace('-', '_'),
                        "pipeline", "all-" + id, "root", database + ".items")), 409);
                assertThat(view.path("code").asText()).isEqualTo("not_in_connect_runtime");
                assertThat(view.path("message").asText()).contains("sluice.runtime=embedded");
                server.json("GET", "/api/v1/views/items_" + id.replace('-', '_'), null, 404);
                server.json("POST", "/api/v1/sinks", JSON.writeValueAsString(Map.of("name", "index-" + id, "type", "lucene")), 201);
                JsonNode lucene = server.json("POST", "/api/v1/pipelines", JSON.writeValueAsString(Map.of("name", "lucene-" + id, "source",
                        source, "sinks", List.of("index-" + id))), 409);
                assertThat(lucene.path("code").asText()).isEqualTo("not_in_connect_runtime");
                assertThat(lucene.path("message").asText()).contains("Sink 'index-" + id + "'", "use a redis or opensearch sink");
                server.json("DELETE", "/api/v1/pipelines/lucene-" + id, null, 204);

                server.json("DELETE", "/api/v1/pipelines/all-" + id, null, 204);
                await().atMost(Duration.ofSeconds(30)).until(() -> connectors.stream().allMatch(c -> {
                    try {
                        return worker.status(c) == null;
                    } catch (IOException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }));

                // Connect's own failure reaches the API with the worker's address.
                worker.kill();
                JsonNode status = server.json("GET", "/api/v1/sources/" + source + "/status", null, 200);
                assertThat(status.path("state").asText()).isEqualTo("failed");
                assertThat(status.path("reason").asText()).contains("Kafka Connect at " + worker.url(), "unreachable");
                assertThat(Files.readString(log)).as("the server's log").doesNotContain(token).doesNotContain(DistributedStack.CAPTURE_PASSWORD);
            }
        }
    }

    private static String state(ServerProcess server, String source) throws Exception {
        return server.json("GET", "/api/v1/sources/" + source + "/status", null, 200).path("state").asText();
    }

    private static void awaitEqual(MariaDbServer db, String database, RedisServer redis, OpenSearchTestNode search, String source) {
        Map<String, String> table = db.rows(database, "SELECT id, name, qty FROM items");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(TargetRows.redis(redis, source + ":" + database + ":items:{")).as("Redis").containsExactlyInAnyOrderEntriesOf(table);
            assertThat(TargetRows.openSearch(search, source + "." + database + ".items")).as("OpenSearch").containsExactlyInAnyOrderEntriesOf(table);
        });
    }
}
