package io.sluice.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.embedded.FreePorts;
import io.sluice.embedded.MariaDbServer;
import io.sluice.event.Operation;
import io.sluice.review.SchemaGate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The documented failed states: each names the problem and the way out, and none loops on a stack trace. */
class CaptureFailuresIT {
    static MariaDbServer db;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void start() {
        db = MariaDbServer.shared();
        CaptureFixtures.createCaptureUser(db);
    }

    @Test
    void shouldFailWithAnAuthenticationStateOnAWrongPassword() throws Exception {
        db.recreateDatabase("fail_pw");
        Map<String, String> props = CaptureFixtures.sourceProps(db, "wrong-pw", "fail_pw", dataDir);
        props.put(SourceConfig.PASSWORD, "not-the-Password-77");
        try (CaptureWorker worker = new CaptureWorker(SourceConfig.parse(props), new CollectingConsumer(),
                SchemaGate.permissive(), Clock.systemUTC())) {
            worker.start();
            assertThat(worker.awaitTermination(Duration.ofSeconds(30))).isTrue();
            CaptureFailure failure = failure(worker);
            assertThat(failure.kind()).isEqualTo(CaptureFailure.Kind.AUTHENTICATION);
            assertThat(failure.message()).contains("wrong-pw").contains(CaptureFixtures.CAPTURE_USER).doesNotContain("not-the-Password-77");
            assertThat(failure.fix()).contains("password");
        }
    }

    @Test
    void shouldFailWithAnUnreachableStateWhenNothingListens() throws Exception {
        Map<String, String> props = CaptureFixtures.sourceProps(db, "nobody-home", "x", dataDir);
        props.put(SourceConfig.PORT, Integer.toString(FreePorts.next()));
        props.put(SourceConfig.CONNECT_TIMEOUT_MS, "2000");
        try (CaptureWorker worker = new CaptureWorker(SourceConfig.parse(props), new CollectingConsumer(),
                SchemaGate.permissive(), Clock.systemUTC())) {
            worker.start();
            assertThat(worker.awaitTermination(Duration.ofSeconds(30))).isTrue();
            assertThat(failure(worker).kind()).isEqualTo(CaptureFailure.Kind.UNREACHABLE);
        }
    }

    @Test
    void shouldFailWithABinlogPurgedStateAndRecoverWithANewSnapshot() throws Exception {
        db.recreateDatabase("fail_purge");
        db.execute("CREATE TABLE fail_purge.items (id INT PRIMARY KEY, name VARCHAR(20))",
                "INSERT INTO fail_purge.items VALUES (1, 'a'), (2, 'b')");
        Map<String, String> props = CaptureFixtures.sourceProps(db, "purged", "fail_purge", dataDir);
        CollectingConsumer first = new CollectingConsumer();
        try (CaptureWorker worker = new CaptureWorker(SourceConfig.parse(props), first, SchemaGate.permissive(), Clock.systemUTC())) {
            worker.start();
            assertThat(worker.redoneSnapshot()).as("the source's first snapshot").isEmpty();
            await().atMost(Duration.ofSeconds(60)).until(() -> first.changes("items").size() == 2);
            db.execute("INSERT INTO fail_purge.items VALUES (3, 'c')");
            await().atMost(Duration.ofSeconds(30)).until(() -> first.changes("items").size() == 3);
        }
        // While capture is stopped: more changes, then the binlog that holds them is purged.
        db.execute("INSERT INTO fail_purge.items VALUES (4, 'd')", "DELETE FROM fail_purge.items WHERE id = 1");
        db.purgeBinlogs();
        try (CaptureWorker worker = new CaptureWorker(SourceConfig.parse(props), new CollectingConsumer(),
                SchemaGate.permissive(), Clock.systemUTC())) {
            worker.start();
            assertThat(worker.awaitTermination(Duration.ofSeconds(60))).isTrue();
            CaptureFailure failure = failure(worker);
            assertThat(failure.kind()).isEqualTo(CaptureFailure.Kind.BINLOG_PURGED);
            assertThat(failure.fix()).contains("snapshot.mode=when_needed");
        }

        // The documented recovery: snapshot when needed. The snapshot brings the table as it is now.
        props.put(SourceConfig.SNAPSHOT_MODE, "when_needed");
        CollectingConsumer recovered = new CollectingConsumer();
        try (CaptureWorker worker = new CaptureWorker(SourceConfig.parse(props), recovered, SchemaGate.permissive(), Clock.systemUTC())) {
            worker.start();
            // Row 1, deleted in the purged binlog, is in no event of the new snapshot: the worker says so.
            assertThat(worker.redoneSnapshot()).contains(RedoneSnapshot.BINLOG_PURGED);
            await().atMost(Duration.ofSeconds(60)).until(() -> recovered.changes("items").size() == 3);
            assertThat(recovered.changes("items")).allMatch(c -> c.operation() == Operation.READ)
                    .extracting(c -> c.after().get("id")).containsExactlyInAnyOrder(2, 3, 4);
            // The new snapshot's versions beat everything captured before the purge.
            long newest = first.changes("items").stream().mapToLong(c -> c.version()).max().orElseThrow();
            assertThat(recovered.changes("items")).allMatch(c -> c.version() > newest);
        }
    }

    @Test
    void shouldRefuseToStartWhenTheSchemaHistoryIsGone() throws Exception {
        db.recreateDatabase("fail_history");
        db.execute("CREATE TABLE fail_history.t (id INT PRIMARY KEY)", "INSERT INTO fail_history.t VALUES (1)");
        Map<String, String> props = CaptureFixtures.sourceProps(db, "no-history", "fail_history", dataDir);
        CollectingConsumer consumer = new CollectingConsumer();
        SourceConfig config = SourceConfig.parse(props);
        try (CaptureWorker worker = new CaptureWorker(config, consumer, SchemaGate.permissive(), Clock.systemUTC())) {
            worker.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> consumer.changes("t").size() == 1);
        }
        Files.delete(config.sourceDir().resolve(StoredState.HISTORY_FILE));
        try (CaptureWorker worker = new CaptureWorker(config, consumer, SchemaGate.permissive(), Clock.systemUTC())) {
            worker.start();
            CaptureFailure failure = failure(worker);
            assertThat(failure.kind()).isEqualTo(CaptureFailure.Kind.SCHEMA_HISTORY_MISSING);
            assertThat(failure.fix()).contains("offsets.dat");
        }
    }

    private static CaptureFailure failure(CaptureWorker worker) {
        CaptureState state = worker.status().state();
        assertThat(state).isInstanceOf(CaptureState.Failed.class);
        return ((CaptureState.Failed) state).failure();
    }
}
