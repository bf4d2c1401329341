package io.sluice.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.capture.CaptureState;
import io.sluice.capture.CaptureWorker;
import io.sluice.capture.EventBatchConsumer;
import io.sluice.capture.SourceConfig;
import io.sluice.embedded.MariaDbServer;
import io.sluice.event.ChangeEvent;
import io.sluice.event.Operation;
import io.sluice.event.SourceEvent;
import io.sluice.event.TableId;
import io.sluice.review.SchemaGate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The DBLog algorithm end to end on a real MariaDB, while the table is being written: a capture worker streams
 * the changes into a versioned in-memory target, a backfill reads the table in chunks through
 * {@link ChunkReader}, each between an opened {@link ChunkWindow} and a noted {@link BinlogPoint}, and writes
 * the surviving rows with the window's version. Afterwards the target equals the table: nothing missing,
 * nothing stale, nothing extra.
 */
class DbLogIT {
    private static final String DB = "dblog";
    private static final TableId TABLE = new TableId("dblog", DB, "items");

    /** A versioned target: a write lands only if its version is newer; deletes leave versioned tombstones. */
    private final Map<String, Object[]> target = new ConcurrentHashMap<>();

    @Test
    @Timeout(240)
    void shouldConvergeToTheTableWhileItIsBeingWritten() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        db.createCaptureUser("dblog_capture", "Dblog-Pw-1");
        db.recreateDatabase(DB);
        db.execute("CREATE TABLE " + DB + ".items (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL, qty INT NOT NULL)");
        StringBuilder rows = new StringBuilder("INSERT INTO " + DB + ".items VALUES ");
        for (int i = 1; i <= 3000; i++) {
            rows.append(i == 1 ? "" : ",").append('(').append(i).append(", 'item ").append(i).append("', ").append(i).append(')');
        }
        db.execute(rows.toString());

        Path dir = Files.createTempDirectory("sluice-dblog-");
        Map<String, String> props = new HashMap<>(Map.of(SourceConfig.NAME, "dblog", SourceConfig.TYPE, "mariadb", SourceConfig.HOST, db.host(),
                SourceConfig.PORT, Integer.toString(db.port()), SourceConfig.USER, "dblog_capture", SourceConfig.PASSWORD, "Dblog-Pw-1",
                SourceConfig.DATABASES, DB, SourceConfig.SERVER_ID, "9401", SourceConfig.DATA_DIR, dir.toString(),
                SourceConfig.SNAPSHOT_MODE, "no_data"));
        AtomicReference<ChunkWindow> window = new AtomicReference<>();
        AtomicInteger written = new AtomicInteger();
        AtomicBoolean writing = new AtomicBoolean(true);
        // The first key of the chunk being read: the writer aims most of its changes there, so that chunks race them.
        AtomicInteger reading = new AtomicInteger(1);
        EventBatchConsumer consumer = new EventBatchConsumer() {
            @Override
            public void accept(List<SourceEvent> batch) {
                for (SourceEvent e : batch) {
                    if (e instanceof ChangeEvent c) {
                        ChunkWindow w = window.get();
                        if (w != null && !w.closed() && w.observe(c)) {
                            land(w);
                        }
                        if (c.table().equals(TABLE)) {
                            apply(String.valueOf(c.key().get("id")), c.version(), c.operation() == Operation.DELETE ? null
                                    : c.after().get("name") + "|" + c.after().get("qty"));
                        }
                    }
                }
            }

            @Override
            public void reached(String file, long position) {
                ChunkWindow w = window.get();
                if (w != null && !w.closed() && w.reached(new BinlogPoint(file, position))) {
                    land(w);
                }
            }

            private void land(ChunkWindow w) {
                List<Map<String, Object>> survivors = w.survivors();
                survivors.forEach(r -> apply(String.valueOf(r.get("id")), w.version(0), r.get("name") + "|" + r.get("qty")));
                written.addAndGet(survivors.size());
            }
        };
        try (CaptureWorker worker = new CaptureWorker(SourceConfig.parse(props), consumer, SchemaGate.permissive(), Clock.systemUTC())) {
            worker.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> worker.status().state() instanceof CaptureState.Streaming);
            Thread writer = new Thread(() -> load(db, writing, reading), "dblog-writer");
            writer.setDaemon(true);
            writer.start();
            try (Connection c = db.connect(DB)) {
                ChunkReader reader = ChunkReader.open(c, DB, "items", null, 250, null, null);
                while (true) {
                    ChunkWindow w = new ChunkWindow(TABLE, reader.keyColumns());
                    window.set(w);
                    ChunkReader.Chunk chunk = reader.next();
                    if (chunk.isEmpty()) {
                        break;
                    }
                    Thread.sleep(100); // a slow chunk: the writer changes some of its rows before the high point is noted
                    w.chunkRead(chunk.rows(), BinlogPoint.current(c));
                    reading.set(((Number) chunk.lastKey().get(0)).intValue() + 1);
                    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(w::closed);
                }
            } finally {
                writing.set(false); // also when the backfill failed: a writer left running would keep the JVM alive
                writer.join();
            }
            // An idle stream: no event reaches the high point, the heartbeat's position does.
            try (Connection c = db.connect(DB)) {
                ChunkWindow idle = new ChunkWindow(TABLE, List.of("id"));
                ChunkReader reader = ChunkReader.open(c, DB, "items", null, 10, null, null);
                idle.chunkRead(reader.next().rows(), BinlogPoint.current(c));
                window.set(idle);
                await().atMost(Duration.ofSeconds(15)).until(idle::closed);
                assertThat(idle.survivors()).hasSize(10);
            }
            Map<String, String> expected = table(db);
            // A chunk row kept although its key changed inside the window would stay stale here for ever.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertThat(live()).isEqualTo(expected));
            assertThat(expected.size()).isGreaterThan(2500);
            assertThat(written.get()).as("rows the backfill wrote").isGreaterThan(1000);
        }
    }

    private void apply(String key, long version, String value) {
        target.merge(key, new Object[] {version, value}, (old, now) -> (long) now[0] > (long) old[0] ? now : old);
    }

    private Map<String, String> live() {
        Map<String, String> out = new TreeMap<>();
        target.forEach((k, v) -> {
            if (v[1] != null) {
                out.put(k, (String) v[1]);
            }
        });
        return out;
    }

    private static Map<String, String> table(MariaDbServer db) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = db.connect(DB); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, name, qty FROM items")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2) + "|" + rs.getInt(3));
            }
        }
        return out;
    }

    /**
     * Updates, deletes and inserts, one transaction each: most of them on the 250 keys from {@code reading} on (the
     * chunk being read), the rest anywhere.
     */
    private static void load(MariaDbServer db, AtomicBoolean writing, AtomicInteger reading) {
        Random random = new Random(5);
        try (Connection c = db.connect(DB); Statement s = c.createStatement()) {
            int next = 3001;
            while (writing.get()) {
                int op = random.nextInt(10);
                int id = random.nextInt(10) < 8 ? reading.get() + random.nextInt(250) : 1 + random.nextInt(next - 1);
                if (op < 6) {
                    s.execute("UPDATE items SET qty = qty + 1, name = 'changed " + random.nextInt(100) + "' WHERE id = " + id);
                } else if (op < 8) {
                    s.execute("DELETE FROM items WHERE id = " + id);
                } else {
                    s.execute("INSERT INTO items VALUES (" + next + ", 'new " + next + "', 0)");
                    next++;
                }
                Thread.sleep(2);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
