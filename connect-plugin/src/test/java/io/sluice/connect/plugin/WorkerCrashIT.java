package io.sluice.connect.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import io.sluice.testkit.ConnectWorker;
import io.sluice.testkit.OpenSearchTestNode;
import io.sluice.testkit.RowChanges;
import io.sluice.testkit.TargetRows;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A Connect worker killed (SIGKILL) in the middle of a write load, and a new one started in its group: Connect
 * resumes the source from its last committed offset and the sinks from their consumer offsets, so events are
 * delivered again; the versions make the second delivery harmless and the targets end equal to the table.
 */
class WorkerCrashIT {

    @Test
    void shouldEndEqualAfterTheWorkerIsKilledUnderLoad() throws Exception {
        DistributedStack stack = DistributedStack.shared();
        MariaDbServer db = MariaDbServer.shared();
        RedisServer redis = RedisServer.shared();
        OpenSearchTestNode search = OpenSearchTestNode.shared();
        String id = UUID.randomUUID().toString().substring(0, 6);
        String database = "kcrash_" + id;
        String prefix = "c" + id;
        DistributedStack.captureUser(db);
        db.recreateItemsDatabase(database);
        db.insertItems(database + ".items", 1, 2000);

        String group = "crash-" + id;
        String topics = prefix + "\\." + database + "\\..*";
        ConnectWorker first = new ConnectWorker(stack.kafka.bootstrapServers(), stack.build, group, Path.of("target", "connect-" + id + "-1"));
        ConnectWorker second = new ConnectWorker(stack.kafka.bootstrapServers(), stack.build, group, Path.of("target", "connect-" + id + "-2"));
        try (first; second) {
            first.start();
            first.put("source-" + id, stack.mariaDbSource(db, database, prefix, 6000 + Math.abs(id.hashCode() % 500)));
            first.put("cache-" + id, stack.redisSink(topics, redis));
            first.put("search-" + id, stack.openSearchSink(topics, search));
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> first.running("source-" + id) && first.running("cache-" + id) && first.running("search-" + id));
            // Killed before Connect stored an offset past the snapshot, the source would snapshot again and rows deleted
            // in between would stay in the targets (docs/distributed.md): the scenario here is a kill while streaming.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> streamingOffsetStored(first, "source-" + id));

            Map<String, String> table;
            try (RowChanges load = RowChanges.start(db, database + ".items", 1, 2000, "'new', 0", 2, 7)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> load.count() > 500);
                first.kill(); // in the middle of the load: uncommitted offsets, half-written batches
                int atKill = load.count();
                second.start(); // the same group: it takes over the connectors from the stored configs and offsets
                await().atMost(Duration.ofSeconds(60)).until(() -> load.count() > atKill + 500);
            }
            table = db.rows(database, "SELECT id, name, qty FROM items");
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                assertThat(second.running("source-" + id) && second.running("cache-" + id) && second.running("search-" + id)).isTrue();
                assertThat(TargetRows.redis(redis, prefix + ":" + database + ":items:{")).as("Redis").containsExactlyInAnyOrderEntriesOf(table);
                assertThat(TargetRows.openSearch(search, prefix + "." + database + ".items")).as("OpenSearch")
                        .containsExactlyInAnyOrderEntriesOf(table);
            });
        }
    }

    /** Whether Connect stored an offset of the source past its initial snapshot (a binlog position without the snapshot mark). */
    private static boolean streamingOffsetStored(ConnectWorker worker, String connector) throws Exception {
        HttpResponse<String> r = worker.send("GET", "/connectors/" + connector + "/offsets", null);
        if (r.statusCode() != 200) {
            return false;
        }
        for (JsonNode o : ConnectWorker.JSON.readTree(r.body()).path("offsets")) {
            JsonNode offset = o.path("offset");
            if (offset.has("file") && !offset.has("snapshot")) {
                return true;
            }
        }
        return false;
    }
}
