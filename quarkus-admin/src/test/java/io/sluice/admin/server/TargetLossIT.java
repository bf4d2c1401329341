package io.sluice.admin.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.embedded.FreePorts;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import io.sluice.embedded.ServerProcess;
import io.sluice.testkit.TargetRows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A target that loses its data while the packaged server streams into it: Redis restarts empty (as a cache without
 * persistence does). The server sees the target's generation change at its next flush and starts a recovery for
 * that sink alone, which puts back every row; the Lucene sink of the same pipeline is left alone.
 */
class TargetLossIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN_PASSWORD = "Loss-Admin-Pw-1";
    private static final String DB_PASSWORD = "Loss-Db-Pw-1";

    @Test
    void shouldRefillATargetThatRestartedEmptyByRecoveringThatSinkAlone() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        String id = UUID.randomUUID().toString().substring(0, 6);
        String database = "loss_" + id;
        String source = "l" + id;
        db.createCaptureUser("loss_capture", DB_PASSWORD);
        db.recreateItemsDatabase(database);
        db.insertItems(database + ".items", 1, 300);
        Path log = Path.of("target", "target-loss-" + id + ".log");
        String prefix = source + ":" + database + ":items:{";
        try (RedisServer redis = RedisServer.startNew(); ServerProcess server = new ServerProcess(ServerProcess.packagedJar(),
                FreePorts.next(), ServerProcess.freshProperties(ADMIN_PASSWORD), log)) {
            server.start();
            server.json("POST", "/api/v1/sources", JSON.writeValueAsString(db.sourceRequest(source, "loss_capture", DB_PASSWORD, database,
                    8600 + Math.abs(id.hashCode() % 300))), 201);
            server.json("POST", "/api/v1/sinks", JSON.writeValueAsString(Map.of("name", "cache", "type", "redis", "config",
                    Map.of("redis.uri", "redis://" + redis.host() + ":" + redis.port()))), 201);
            server.json("POST", "/api/v1/sinks", JSON.writeValueAsString(Map.of("name", "index", "type", "lucene")), 201);
            server.json("POST", "/api/v1/pipelines", JSON.writeValueAsString(Map.of("name", "all", "source", source, "sinks",
                    List.of("cache", "index"))), 201);
            server.awaitStreaming(source);
            Map<String, String> table = db.rows(database, "SELECT id, name, qty FROM items");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(TargetRows.redis(redis, prefix)).isEqualTo(table));
            // Let a flush see the target's generation first.
            Thread.sleep(2000);

            redis.restartEmpty();
            db.execute("UPDATE " + database + ".items SET qty = qty + 1 WHERE id <= 10");
            Map<String, String> changed = db.rows(database, "SELECT id, name, qty FROM items");

            String recoveries = "/api/v1/sources/" + source + "/recoveries";
            JsonNode[] found = {null};
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                for (JsonNode r : server.json("GET", recoveries, null, 200)) {
                    if (r.path("cause").asText().contains("lost its data") && !"running".equals(r.path("state").asText())) {
                        found[0] = r;
                        return true;
                    }
                }
                return false;
            });
            JsonNode done = found[0];
            assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("succeeded");
            assertThat(done.path("cause").asText()).startsWith("the target of sink 'cache' lost its data (generation ");
            assertThat(done.path("resnapshot").asBoolean()).isFalse();
            List<String> sinks = new ArrayList<>();
            done.path("verifications").forEach(v -> sinks.add(v.path("sink").asText()));
            assertThat(sinks).as("verified sinks").containsExactly("cache");
            assertThat(done.path("repaired").asLong()).as("rows put back: all but the 10 streamed after the restart")
                    .isGreaterThanOrEqualTo(290);
            assertThat(done.path("notes").toString()).contains("only sink(s) cache verified");

            assertThat(TargetRows.redis(redis, prefix)).as("Redis after the recovery").isEqualTo(changed);
            for (String sink : List.of("cache", "index")) {
                JsonNode check = server.verify("all", database + ".items", sink, false);
                assertThat(List.of(check.path("missing").asLong(), check.path("stale").asLong(), check.path("extra").asLong()))
                        .as("verify of %s: %s", sink, check).containsExactly(0L, 0L, 0L);
            }
            // The target loses its data again while the recovery it caused runs: that one may have verified the sink
            // before, so every loss gets a recovery that starts after it (one of its own, or one that follows).
            redis.restartEmpty();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> lossRecoveries(server, source).size() == 2);
            redis.restartEmpty();
            db.execute("UPDATE " + database + ".items SET qty = qty + 1 WHERE id > 290");
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
                List<JsonNode> all = lossRecoveries(server, source);
                return all.size() == 3 && all.stream().noneMatch(r -> "running".equals(r.path("state").asText()));
            });
            List<JsonNode> all = lossRecoveries(server, source);
            System.out.println("the third loss's recovery: " + all.get(0).path("cause").asText());
            assertThat(all).allSatisfy(r -> assertThat(r.path("state").asText()).as(r.toString()).isEqualTo("succeeded"));
            Map<String, String> last = db.rows(database, "SELECT id, name, qty FROM items");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(TargetRows.redis(redis, prefix)).isEqualTo(last));

            List<String> timeline = new ArrayList<>();
            server.json("GET", "/api/v1/sources/" + source + "/timeline", null, 200).forEach(e -> timeline.add(e.path("action").asText()));
            assertThat(timeline).contains("target lost its data", "recovery started", "recovered");
            assertThat(Files.readString(log)).contains("its target lost its data").doesNotContain(DB_PASSWORD).doesNotContain(ADMIN_PASSWORD);
        }
    }

    /** The source's recoveries started for a target that lost its data, newest first. */
    private static List<JsonNode> lossRecoveries(ServerProcess server, String source) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode r : server.json("GET", "/api/v1/sources/" + source + "/recoveries", null, 200)) {
            if (r.path("cause").asText().contains("lost its data")) {
                out.add(r);
            }
        }
        return out;
    }
}
