package io.sluice.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.embedded.MariaDbServer;
import io.sluice.event.ChangeEvent;
import io.sluice.event.EventVersion;
import io.sluice.event.Operation;
import io.sluice.event.SchemaChangeEvent;
import io.sluice.event.SourceEvent;
import io.sluice.review.SchemaGate;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example to start from: a real MariaDB with binlog, a capture worker, and the events it emits.
 */
class CaptureWorkerIT {
    static MariaDbServer db;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void startServer() {
        db = MariaDbServer.shared();
        CaptureFixtures.createCaptureUser(db);
    }

    @Test
    void shouldEmitSnapshotInsertUpdateDeleteAndDdlInOrderWithIncreasingVersions() throws Exception {
        db.recreateDatabase("shop_basic");
        db.execute("CREATE TABLE shop_basic.customers (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(200))",
                "INSERT INTO shop_basic.customers VALUES (1, 'Ada', 'ada@example.org'), (2, 'Grace', NULL)",
                "CREATE TABLE shop_basic.vacant (id INT PRIMARY KEY)");
        CollectingConsumer consumer = new CollectingConsumer();
        SourceConfig config = SourceConfig.parse(CaptureFixtures.sourceProps(db, "basic", "shop_basic", dataDir));

        try (CaptureWorker worker = new CaptureWorker(config, consumer, SchemaGate.permissive(), Clock.systemUTC())) {
            worker.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> consumer.changes("customers").size() == 2);

            db.execute("INSERT INTO shop_basic.customers VALUES (3, 'Linus', 'linus@example.org')",
                    "UPDATE shop_basic.customers SET email = 'grace@example.org' WHERE id = 2",
                    "DELETE FROM shop_basic.customers WHERE id = 1",
                    "ALTER TABLE shop_basic.customers ADD COLUMN tier INT NOT NULL DEFAULT 1 COMMENT 'loyalty tier'",
                    "INSERT INTO shop_basic.customers VALUES (4, 'Barbara', NULL, 3)");
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.changes("customers").size() == 6);

            List<ChangeEvent> changes = consumer.changes("customers");
            assertThat(changes).extracting(ChangeEvent::operation).containsExactly(Operation.READ, Operation.READ,
                    Operation.CREATE, Operation.UPDATE, Operation.DELETE, Operation.CREATE);
            assertThat(changes.get(0).position().snapshot()).isTrue();
            // Told once, when the snapshot ended, of every table it read with the rows' version: vacant too, which had
            // no row to end on (its structure was read).
            List<CollectingConsumer.Completed> completed = consumer.completed();
            assertThat(completed).extracting(CollectingConsumer.Completed::table).containsExactlyInAnyOrder("customers", "vacant");
            assertThat(completed).extracting(CollectingConsumer.Completed::version).containsOnly(changes.get(0).version());
            assertThat(completed).extracting(CollectingConsumer.Completed::eventsBefore).containsOnly(completed.get(0).eventsBefore())
                    .allSatisfy(n -> assertThat(n).isGreaterThan(consumer.events().indexOf(changes.get(1))));
            assertThat(changes.get(2).after().get("name").toString()).isEqualTo("Linus");
            ChangeEvent update = changes.get(3);
            assertThat(update.before().get("email")).isNull();
            assertThat(update.after().get("email").toString()).isEqualTo("grace@example.org");
            assertThat(update.key().get("id")).isEqualTo(2);
            ChangeEvent delete = changes.get(4);
            assertThat(delete.before().get("name").toString()).isEqualTo("Ada");
            ChangeEvent afterDdl = changes.get(5);
            assertThat(afterDdl.after().get("tier")).isEqualTo(3);
            assertThat(afterDdl.after().getSchema().getField("tier").doc()).isEqualTo("loyalty tier");
            assertThat(afterDdl.after().getSchema().getField("tier").defaultVal()).isEqualTo(1);

            // Snapshot rows share the snapshot's version, which every live change beats; live versions strictly increase.
            assertThat(changes.get(0).version()).isEqualTo(changes.get(1).version());
            for (int i = 2; i < changes.size(); i++) {
                assertThat(changes.get(i).version()).isGreaterThan(changes.get(i - 1).version());
                assertThat(EventVersion.decode(changes.get(i).version()).live()).isTrue();
            }

            // The DDL arrives between the delete and the insert that uses the new column.
            List<SourceEvent> all = consumer.events();
            int ddlIndex = indexOfDdl(all, "ADD COLUMN tier");
            assertThat(ddlIndex).isBetween(all.indexOf(delete) + 1, all.indexOf(afterDdl) - 1);
            SchemaChangeEvent ddl = (SchemaChangeEvent) all.get(ddlIndex);
            assertThat(ddl.table()).isEqualTo("customers");
            assertThat(ddl.version()).isBetween(delete.version() + 1, afterDdl.version() - 1);

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                CaptureStatus status = worker.status();
                assertThat(status.state()).isInstanceOf(CaptureState.Streaming.class);
                assertThat(status.lagMillis()).isNotNull();
                assertThat(status.lastActivity()).isNotNull();
            });
            assertThat(worker.status().eventsTotal()).isGreaterThanOrEqualTo(7);
            assertThat(worker.status().lastPosition().binlogFile()).startsWith("mysql-bin.");
        }
    }

    @Test
    void shouldResumeAfterRestartWithoutLosingCommittedChanges() throws Exception {
        db.recreateDatabase("shop_restart");
        db.execute("CREATE TABLE shop_restart.orders (id INT PRIMARY KEY, amount DECIMAL(10,2))");
        var props = CaptureFixtures.sourceProps(db, "restart", "shop_restart", dataDir);
        CollectingConsumer first = new CollectingConsumer();
        try (CaptureWorker worker = new CaptureWorker(SourceConfig.parse(props), first, SchemaGate.permissive(), Clock.systemUTC())) {
            worker.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> worker.status().state() instanceof CaptureState.Streaming);
            for (int i = 1; i <= 50; i++) {
                db.execute("INSERT INTO shop_restart.orders VALUES (" + i + ", " + i + ".25)");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> first.changes("orders").size() == 50);
        }
        // Written while capture is stopped.
        for (int i = 51; i <= 80; i++) {
            db.execute("INSERT INTO shop_restart.orders VALUES (" + i + ", " + i + ".25)");
        }
        db.execute("UPDATE shop_restart.orders SET amount = 0 WHERE id <= 10");
        CollectingConsumer second = new CollectingConsumer();
        try (CaptureWorker worker = new CaptureWorker(SourceConfig.parse(props), second, SchemaGate.permissive(), Clock.systemUTC())) {
            worker.start();
            assertThat(worker.redoneSnapshot()).as("a worker that streams from its stored offset").isEmpty();
            await().atMost(Duration.ofSeconds(60)).until(() -> second.changes("orders").stream()
                    .filter(c -> c.operation() == Operation.UPDATE).count() == 10);
            List<Integer> created = second.changes("orders").stream().filter(c -> c.operation() == Operation.CREATE)
                    .map(c -> (Integer) c.after().get("id")).toList();
            assertThat(created).containsSubsequence(List.of(51, 52, 53, 79, 80));
            assertThat(created).doesNotHaveDuplicates();
            // No new snapshot: the restart resumed from the stored offset.
            assertThat(second.changes("orders")).noneMatch(c -> c.operation() == Operation.READ);
        }
    }

    @Test
    void shouldNotTakeAConsumerHoldingACheckpointPastTheStallTimeoutForAStalledEngine() throws Exception {
        db.recreateDatabase("shop_slowsink");
        db.execute("CREATE TABLE shop_slowsink.events (id INT PRIMARY KEY)");
        var props = CaptureFixtures.sourceProps(db, "slowsink", "shop_slowsink", dataDir);
        props.put(SourceConfig.HEARTBEAT_MS, "300");
        props.put(SourceConfig.STALL_TIMEOUT_MS, "1000");
        CollectingConsumer collected = new CollectingConsumer();
        AtomicBoolean holdNext = new AtomicBoolean();
        EventBatchConsumer slow = new EventBatchConsumer() {
            @Override
            public void accept(List<SourceEvent> batch) {
                collected.accept(batch);
            }

            @Override
            public void checkpoint() throws InterruptedException {
                if (holdNext.getAndSet(false)) {
                    Thread.sleep(3500); // as a sink that is down holds it: longer than stall.timeout.ms
                }
            }
        };
        try (CaptureWorker worker = new CaptureWorker(SourceConfig.parse(props), slow, SchemaGate.permissive(), Clock.systemUTC())) {
            worker.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> worker.status().state() instanceof CaptureState.Streaming);
            holdNext.set(true);
            db.execute("INSERT INTO shop_slowsink.events VALUES (1)");
            await().atMost(Duration.ofSeconds(30)).until(() -> !holdNext.get() && collected.changes("events").size() == 1);
            Thread.sleep(4500); // the hold, and then more than a stall timeout: the watchdog had every chance
            db.execute("INSERT INTO shop_slowsink.events VALUES (2)");
            await().atMost(Duration.ofSeconds(30)).until(() -> collected.changes("events").size() >= 2);
            assertThat(worker.status().engineRestarts()).as("engine restarts").isZero();
            assertThat(collected.changes("events")).extracting(c -> c.after().get("id")).containsExactly(1, 2);
        }
    }

    @Test
    void shouldResumeFromTheStoredOffsetWhenTheDatabaseRestarts() throws Exception {
        db.recreateDatabase("shop_dbrestart");
        db.execute("CREATE TABLE shop_dbrestart.events (id INT PRIMARY KEY)");
        var props = CaptureFixtures.sourceProps(db, "dbrestart", "shop_dbrestart", dataDir);
        CollectingConsumer consumer = new CollectingConsumer();
        try (CaptureWorker worker = new CaptureWorker(SourceConfig.parse(props), consumer, SchemaGate.permissive(), Clock.systemUTC())) {
            worker.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> worker.status().state() instanceof CaptureState.Streaming);
            db.execute("INSERT INTO shop_dbrestart.events VALUES (1)", "INSERT INTO shop_dbrestart.events VALUES (2)");
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.changes("events").size() == 2);

            db.stop();
            Thread.sleep(2000); // the engine notices the lost connection and starts retrying
            db.start();
            db.execute("INSERT INTO shop_dbrestart.events VALUES (3)");

            await().atMost(Duration.ofSeconds(90)).until(() -> consumer.changes("events").stream()
                    .anyMatch(c -> c.after().get("id").equals(3)));
            // Either the binlog client's keep-alive (every heartbeat interval) reconnects by itself, or the watchdog
            // replaces a silent engine; a replaced engine may still hand over a last batch: wait for streaming.
            await().atMost(Duration.ofSeconds(30)).until(() -> worker.status().state() instanceof CaptureState.Streaming);
            // At least once and in order: nothing before the restart is lost, 3 comes after 1 and 2.
            List<Object> ids = consumer.changes("events").stream().map(c -> c.after().get("id")).toList();
            assertThat(ids).containsSubsequence(1, 2, 3);
        }
    }

    @Test
    void shouldTellTheConsumerWhenTheDatabaseRestartsDuringTheSnapshotAndTheSnapshotStartsOver() throws Exception {
        db.recreateDatabase("shop_cutsnap");
        db.execute("CREATE TABLE shop_cutsnap.items (id INT PRIMARY KEY, name VARCHAR(40))",
                "INSERT INTO shop_cutsnap.items SELECT seq, CONCAT('item ', seq) FROM shop_cutsnap.seq_1_to_200000");
        var props = CaptureFixtures.sourceProps(db, "cutsnap", "shop_cutsnap", dataDir);
        List<RedoneSnapshot> told = new CopyOnWriteArrayList<>();
        CollectingConsumer collected = new CollectingConsumer();
        EventBatchConsumer consumer = new EventBatchConsumer() {
            @Override
            public void accept(List<SourceEvent> batch) throws Exception {
                collected.accept(batch);
                Thread.sleep(5); // a sink's pace: the snapshot lasts long enough to be cut
            }

            @Override
            public void snapshotRedone(RedoneSnapshot why) {
                told.add(why);
            }
        };
        try (CaptureWorker worker = new CaptureWorker(SourceConfig.parse(props), consumer, SchemaGate.permissive(), Clock.systemUTC())) {
            worker.start();
            assertThat(worker.redoneSnapshot()).as("the source's first snapshot").isEmpty();
            await().atMost(Duration.ofSeconds(60)).until(() -> collected.changes("items").size() >= 5000);
            assertThat(worker.status().state()).isInstanceOf(CaptureState.Snapshotting.class);

            db.stop();
            Thread.sleep(2000);
            db.start();

            // The snapshot starts over from its first row once the database is back, and the consumer hears of it first.
            await().atMost(Duration.ofSeconds(120)).until(() -> collected.changes("items").stream().filter(c -> c.after().get("id").equals(1))
                    .count() == 2);
            assertThat(told).containsExactly(RedoneSnapshot.INTERRUPTED);
            assertThat(worker.redoneSnapshot()).contains(RedoneSnapshot.INTERRUPTED);
            await().atMost(Duration.ofSeconds(120)).until(() -> worker.status().state() instanceof CaptureState.Streaming);
        }
    }

    private static int indexOfDdl(List<SourceEvent> events, String fragment) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i) instanceof SchemaChangeEvent s && s.ddl().contains(fragment)) {
                return i;
            }
        }
        return -1;
    }
}
