package io.sluice.admin.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.embedded.FreePorts;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import io.sluice.embedded.ServerProcess;
import io.sluice.testkit.OpenSearchTestNode;
import io.sluice.testkit.RowChanges;
import io.sluice.testkit.TargetRows;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Target outages of the reliability suite: the packaged server writes a table under a steady load to Redis and
 * OpenSearch; Redis, then OpenSearch, is stopped for {@code sluice.reliability.outage.seconds} (15 by default, 60
 * with {@code ./sluice reliability}) and started again. While a target is down its source is {@code held} and
 * captures nothing more (backpressure: the events counter stands still, nothing piles up in memory, and the heap
 * stays well under its limit); once the target is back the source streams again within 5 s, and at the end both
 * targets equal the table, by an independent read and by Sluice's verify.
 */
class OutageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN_PASSWORD = "Outage-Admin-Pw-1";
    private static final String DB_PASSWORD = "Outage-Db-Pw-1";

    /** Something that can be stopped and started again in place. */
    private interface Target {
        void stop();

        void start();
    }

    @Test
    void shouldHoldWithoutBufferingAndResumeWithinFiveSecondsWhenATargetComesBack() throws Exception {
        int outage = Integer.getInteger("sluice.reliability.outage.seconds", 15);
        MariaDbServer db = MariaDbServer.shared();
        OpenSearchTestNode search = OpenSearchTestNode.shared();
        String id = UUID.randomUUID().toString().substring(0, 6);
        String database = "outage_" + id;
        String source = "o" + id;
        db.createCaptureUser("outage_capture", DB_PASSWORD);
        db.recreateItemsDatabase(database);
        db.insertItems(database + ".items", 1, 500);
        Path log = Path.of("target", "outage-" + id + ".log");
        try (RedisServer redis = RedisServer.startNew(); ServerProcess server = new ServerProcess(ServerProcess.packagedJar(),
                FreePorts.next(), ServerProcess.freshProperties(ADMIN_PASSWORD), log)) {
            server.start();
            server.json("POST", "/api/v1/sources", JSON.writeValueAsString(db.sourceRequest(source, "outage_capture", DB_PASSWORD, database,
                    8100 + Math.abs(id.hashCode() % 500))), 201);
            server.json("POST", "/api/v1/sinks", JSON.writeValueAsString(Map.of("name", "cache", "type", "redis", "config",
                    Map.of("redis.uri", "redis://" + redis.host() + ":" + redis.port()))), 201);
            server.json("POST", "/api/v1/sinks", JSON.writeValueAsString(Map.of("name", "search", "type", "opensearch", "config",
                    Map.of("opensearch.urls", search.url(), "index.replicas", "0", "target", "outage-" + id))), 201);
            server.json("POST", "/api/v1/pipelines", JSON.writeValueAsString(Map.of("name", "all", "source", source, "sinks",
                    List.of("cache", "search"))), 201);
            server.awaitStreaming(source);

            try (RowChanges load = RowChanges.start(db, database + ".items", 1, 500, "'new', 0", 5, 3)) {
                for (Map.Entry<String, Target> t : Map.<String, Target>of("cache", new Target() {
                    public void stop() {
                        redis.stop();
                    }

                    public void start() {
                        redis.start();
                    }
                }, "search", new Target() {
                    public void stop() {
                        search.stop();
                    }

                    public void start() {
                        search.start();
                    }
                }).entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
                    Thread.sleep(3000);
                    int before = load.count();
                    t.getValue().stop();
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> "held".equals(state(server, source)));
                    JsonNode held = status(server, source);
                    assertThat(held.path("reason").asText()).contains("sink '" + t.getKey() + "'");
                    Thread.sleep(1000); // the batch in hand when it noticed is the last one taken
                    long capturedWhenHeld = status(server, source).path("eventsTotal").asLong();
                    long maxHeap = 0;
                    for (long end = System.nanoTime() + Duration.ofSeconds(outage).toNanos(); System.nanoTime() < end; Thread.sleep(1000)) {
                        maxHeap = Math.max(maxHeap, heapUsed(server));
                    }
                    JsonNode after = status(server, source);
                    assertThat(after.path("state").asText()).isEqualTo("held");
                    assertThat(after.path("eventsTotal").asLong()).as("events captured while %s was down", t.getKey()).isEqualTo(capturedWhenHeld);
                    assertThat(load.count() - before).as("rows written meanwhile").isGreaterThan(outage * 20);
                    assertThat(maxHeap).as("heap used while %s was down", t.getKey()).isLessThan(400L << 20);
                    System.out.printf("%s down %d s: %d rows written meanwhile, source held, heap at most %d MiB%n", t.getKey(), outage,
                            load.count() - before, maxHeap >> 20);

                    t.getValue().start();
                    long back = System.nanoTime();
                    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                            .until(() -> status(server, source).path("eventsTotal").asLong() > capturedWhenHeld
                                    && "streaming".equals(state(server, source)));
                    long resumedMs = (System.nanoTime() - back) / 1_000_000;
                    System.out.printf("%s back: the source streams again after %d ms%n", t.getKey(), resumedMs);
                    assertThat(resumedMs).as("time from %s's recovery to the source streaming again", t.getKey()).isLessThanOrEqualTo(5000);
                }
            }

            Map<String, String> table = db.rows(database, "SELECT id, name, qty FROM items");
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                assertThat(TargetRows.redis(redis, source + ":" + database + ":items:{")).as("Redis").containsExactlyInAnyOrderEntriesOf(table);
                assertThat(TargetRows.openSearch(search, "outage-" + id)).as("OpenSearch").containsExactlyInAnyOrderEntriesOf(table);
            });
            for (String sink : List.of("cache", "search")) {
                JsonNode result = server.verify("all", database + ".items", sink, false);
                assertThat(result.path("missing").asLong() + result.path("stale").asLong() + result.path("extra").asLong())
                        .as("verify of " + sink + ": " + result).isZero();
            }
        }
    }

    private static JsonNode status(ServerProcess server, String source) throws Exception {
        return server.json("GET", "/api/v1/sources/" + source + "/status", null, 200);
    }

    private static String state(ServerProcess server, String source) throws Exception {
        return status(server, source).path("state").asText();
    }

    /** The server's heap in use, from its Prometheus metrics. */
    private static long heapUsed(ServerProcess server) throws Exception {
        String metrics = server.call("GET", "/q/metrics", null, "admin", ADMIN_PASSWORD).body();
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return (long) sum;
    }
}
