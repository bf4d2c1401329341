package io.sluice.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.embedded.MariaDbServer;
import io.sluice.event.ChangeEvent;
import io.sluice.review.GateDecision;
import io.sluice.review.SchemaCandidate;
import io.sluice.review.SchemaGate;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Capture holds at the first event under a schema the gate does not let through, and resumes when it does. */
class SchemaGateIT {

    @TempDir
    Path dataDir;

    /** Holds every schema with a field named {@code discount} until {@link #approve()}. */
    static final class HoldingGate implements SchemaGate {
        final List<SchemaCandidate> asked = new CopyOnWriteArrayList<>();
        volatile boolean approved;
        final CompletableFuture<Void> decided = new CompletableFuture<>();

        @Override
        public GateDecision check(SchemaCandidate candidate) {
            asked.add(candidate);
            if (candidate.valueSchema().getField("discount") != null && !approved) {
                return GateDecision.waitFor("schema of " + candidate.table() + " with 'discount' awaits review", decided);
            }
            return GateDecision.proceed();
        }

        void approve() {
            approved = true;
            decided.complete(null);
        }
    }

    @Test
    void shouldPauseCaptureWhenSchemaNeedsReviewAndResumeWithNothingLost() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        CaptureFixtures.createCaptureUser(db);
        db.recreateDatabase("gate_db");
        db.execute("CREATE TABLE gate_db.orders (id INT PRIMARY KEY, total INT NOT NULL)");
        HoldingGate gate = new HoldingGate();
        CollectingConsumer consumer = new CollectingConsumer();
        SourceConfig config = SourceConfig.parse(CaptureFixtures.sourceProps(db, "gated", "gate_db", dataDir));
        try (CaptureWorker worker = new CaptureWorker(config, consumer, gate, Clock.systemUTC())) {
            worker.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> worker.status().state() instanceof CaptureState.Streaming);
            db.execute("INSERT INTO gate_db.orders VALUES (1, 10)", "INSERT INTO gate_db.orders VALUES (2, 20)");
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.changes("orders").size() == 2);

            db.execute("ALTER TABLE gate_db.orders ADD COLUMN discount INT NOT NULL",
                    "INSERT INTO gate_db.orders VALUES (3, 30, 5)", "UPDATE gate_db.orders SET total = 11 WHERE id = 1",
                    "INSERT INTO gate_db.orders VALUES (4, 40, 0)");

            await().atMost(Duration.ofSeconds(30)).until(() -> worker.status().state() instanceof CaptureState.Paused);
            assertThat(((CaptureState.Paused) worker.status().state()).reason()).contains("gate_db.orders").contains("awaits review");
            SchemaCandidate pending = gate.asked.get(gate.asked.size() - 1);
            assertThat(pending.ddl()).containsIgnoringCase("ADD COLUMN discount");
            // Held for a while: nothing under the new schema is emitted.
            Thread.sleep(1500);
            assertThat(consumer.changes("orders")).hasSize(2);

            gate.approve();

            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.changes("orders").size() == 5);
            List<ChangeEvent> after = consumer.changes("orders").subList(2, 5);
            assertThat(after).extracting(c -> c.after().get("id")).containsExactly(3, 1, 4);
            assertThat(after).allMatch(c -> c.after().getSchema().getField("discount") != null);
            assertThat(worker.status().state()).isInstanceOf(CaptureState.Streaming.class);
        }
    }

    @Test
    void shouldStillHoldAfterARestartWhileTheGateWaits() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        CaptureFixtures.createCaptureUser(db);
        db.recreateDatabase("gate_restart");
        db.execute("CREATE TABLE gate_restart.orders (id INT PRIMARY KEY, total INT NOT NULL)");
        var props = CaptureFixtures.sourceProps(db, "gated-restart", "gate_restart", dataDir);
        HoldingGate gate = new HoldingGate();
        CollectingConsumer first = new CollectingConsumer();
        try (CaptureWorker worker = new CaptureWorker(SourceConfig.parse(props), first, gate, Clock.systemUTC())) {
            worker.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> worker.status().state() instanceof CaptureState.Streaming);
            db.execute("INSERT INTO gate_restart.orders VALUES (1, 10)", "ALTER TABLE gate_restart.orders ADD COLUMN discount INT",
                    "INSERT INTO gate_restart.orders VALUES (2, 20, 1)");
            await().atMost(Duration.ofSeconds(30)).until(() -> worker.status().state() instanceof CaptureState.Paused);
        }
        assertThat(first.changes("orders")).hasSize(1);
        CollectingConsumer second = new CollectingConsumer();
        try (CaptureWorker worker = new CaptureWorker(SourceConfig.parse(props), second, gate, Clock.systemUTC())) {
            worker.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> worker.status().state() instanceof CaptureState.Paused);
            assertThat(second.changes("orders")).isEmpty();
            gate.approve();
            await().atMost(Duration.ofSeconds(30)).until(() -> second.changes("orders").size() >= 1);
            assertThat(second.changes("orders").get(second.changes("orders").size() - 1).after().get("id")).isEqualTo(2);
        }
    }
}
