package io.sluice.admin.server;

import io.sluice.embedded.FreePorts;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.embedded.ServerProcess;
import io.sluice.testkit.TargetRows;
import io.sluice.testkit.RowChanges;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A backfill survives a killed server: the packaged server is SIGKILLed in the middle of a backfill into Redis
 * while the table is written; started again over the same data it resumes the backfill from its last written
 * chunk (not from the start) and the target ends equal to the table.
 */
class BackfillRestartIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN_PASSWORD = "Backfill-Restart-Pw-1";
    private static final String DB_PASSWORD = "Backfill-Restart-Db-1";
    private static final int ROWS = 150_000;

    @Test
    void shouldResumeAKilledBackfillFromItsLastChunkAndEndEqual() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        RedisServer redis = RedisServer.shared();
        String id = UUID.randomUUID().toString().substring(0, 6);
        String database = "bfr_" + id;
        db.createCaptureUser("bfr_capture", DB_PASSWORD);
        db.recreateDatabase(database);
        db.execute("CREATE TABLE " + database + ".items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, qty INT NOT NULL)",
                "INSERT INTO " + database + ".items SELECT seq, CONCAT('item ', seq), seq % 1000 FROM " + database + ".seq_1_to_" + ROWS);
        Path dir = Files.createTempDirectory("sluice-backfill-restart-");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Map<String, String> props = new HashMap<>(Map.of("sluice.data-dir", dir.resolve("data").toString(),
                "sluice.encryption-key", Base64.getEncoder().encodeToString(key), "sluice.admin.initial-password", ADMIN_PASSWORD,
                "sluice.secure-cookies", "false"));
        Path log = Path.of("target", "backfill-restart.log");
        Files.deleteIfExists(log);
        String source = "b" + id;
        try (ServerProcess server = new ServerProcess(ServerProcess.packagedJar(), FreePorts.next(), props, log)) {
            server.start();
            Map<String, Object> sourceRequest = db.sourceRequest(source, "bfr_capture", DB_PASSWORD, database, 7800 + new Random().nextInt(90));
            sourceRequest.put("snapshot.mode", "no_data");
            server.json("POST", "/api/v1/sources", JSON.writeValueAsString(sourceRequest), 201);
            server.json("POST", "/api/v1/sinks", JSON.writeValueAsString(Map.of("name", "cache", "type", "redis", "config",
                    Map.of("redis.uri", "redis://" + redis.host() + ":" + redis.port()))), 201);
            server.json("POST", "/api/v1/pipelines", JSON.writeValueAsString(Map.of("name", "all", "source", source,
                    "sinks", List.of("cache"))), 201);
            server.awaitStreaming(source);

            RowChanges load = RowChanges.start(db, database + ".items", 1, ROWS, "'new', 0", 5, 17);
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> server.json("GET", "/registry/subjects", null, 200).toString()
                        .contains(source + "." + database + ".items-value"));
                long backfill = server.json("POST", "/api/v1/backfills", JSON.writeValueAsString(Map.of("pipeline", "all",
                        "chunkSize", 1000, "rowsPerSecond", 15_000)), 201).path("id").asLong();
                String path = "/api/v1/backfills/" + backfill;
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                        .until(() -> server.json("GET", path, null, 200).path("rowsWritten").asLong() >= 40_000);
                server.kill(); // in the middle of the backfill
                server.start();
                // H2 writes commits to its file with a short delay, so a SIGKILL may cost the last checkpoints (never
                // correctness: chunks after the checkpoint are read and written again, with the same versions).
                JsonNode resumed = server.json("GET", path, null, 200);
                assertThat(resumed.path("rowsWritten").asLong()).as("rows written before the kill, kept by the checkpoint").isGreaterThan(5_000);
                assertThat(resumed.path("state").asText()).isEqualTo("running");
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .until(() -> server.json("GET", path, null, 200).path("state").asText(), s -> !s.equals("running"));
                JsonNode done = server.json("GET", path, null, 200);
                assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("succeeded");
                // Rows read count up to the checkpoint: going on from it reads each row once in all, starting over
                // would have read the checkpoint's rows twice.
                assertThat(done.path("rowsRead").asLong()).as("rows read in all").isLessThanOrEqualTo(ROWS);
                assertThat(Files.readString(log)).contains("backfill=" + backfill + " resumed at boot");
            } finally {
                load.close();
            }
            Map<String, String> expected = db.rows(database, "SELECT id, name, qty FROM items");
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                        .untilAsserted(() -> assertThat(TargetRows.redis(redis, source + ":" + database + ":items:{")).isEqualTo(expected));
            } finally {
                redis.unlinkAll(source + ":");
            }
        }
    }
}
