package io.sluice.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.embedded.MariaDbServer;
import java.io.File;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker in a child JVM is killed with SIGKILL during a write load and restarted: no committed change is missing. */
class CaptureCrashIT {
    private static final int KILLS = 3;

    @TempDir
    Path dir;

    @Test
    void shouldMissNoCommittedChangeWhenTheWorkerIsKilledDuringALoad() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        CaptureFixtures.createCaptureUser(db);
        db.recreateDatabase("crash_db");
        db.execute("CREATE TABLE crash_db.items (id INT PRIMARY KEY, v INT NOT NULL)");
        Path configFile = dir.resolve("source.properties");
        Properties props = new Properties();
        props.putAll(CaptureFixtures.sourceProps(db, "crash", "crash_db", dir.resolve("data")));
        try (Writer w = Files.newBufferedWriter(configFile, StandardCharsets.UTF_8)) {
            props.store(w, null);
        }
        Path output = dir.resolve("events.csv");

        // Committed state: id -> last committed v. Updated only after the commit returned.
        Map<Integer, Integer> committed = new ConcurrentHashMap<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> write(db, committed, writing), "crash-writer");
        writer.start();
        Random random = new Random(42);
        try {
            for (int kill = 0; kill < KILLS; kill++) {
                Process child = startChild(configFile, output);
                try {
                    long linesBefore = lines(output);
                    await().atMost(Duration.ofSeconds(90)).failFast("the capture child exited: " + childLog(output), () -> !child.isAlive())
                            .until(() -> lines(output) > linesBefore + 50);
                    Thread.sleep(200 + random.nextInt(1500));
                } finally {
                    child.destroyForcibly(); // SIGKILL on Linux
                    child.waitFor(30, TimeUnit.SECONDS);
                }
            }
        } finally {
            writing.set(false);
            writer.join();
        }
        Process last = startChild(configFile, output);
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> missing(committed, output).isEmpty());
            Files.createFile(Path.of(output + ".stop"));
            assertThat(last.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(last.exitValue()).isZero();
        } finally {
            last.destroyForcibly();
        }
        assertThat(committed.size()).isGreaterThan(100);
        assertThat(missing(committed, output)).isEmpty();
    }

    /** Inserts rows and updates earlier ones, one transaction per statement. */
    private static void write(MariaDbServer db, Map<Integer, Integer> committed, AtomicBoolean writing) {
        try (Connection c = db.connect("crash_db");
                PreparedStatement insert = c.prepareStatement("INSERT INTO items VALUES (?, 0)");
                PreparedStatement update = c.prepareStatement("UPDATE items SET v = ? WHERE id = ?")) {
            int id = 0;
            while (writing.get()) {
                id++;
                insert.setInt(1, id);
                insert.executeUpdate();
                committed.put(id, 0);
                if (id % 3 == 0) {
                    int target = id / 3;
                    int v = committed.get(target) + 1;
                    update.setInt(1, v);
                    update.setInt(2, target);
                    update.executeUpdate();
                    committed.put(target, v);
                }
                Thread.sleep(2);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Committed (id, v) pairs whose last value never reached the output file. */
    private static Map<Integer, Integer> missing(Map<Integer, Integer> committed, Path output) throws Exception {
        Map<Integer, Integer> seen = new HashMap<>();
        if (Files.exists(output)) {
            List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
            for (String line : lines) {
                String[] f = line.split(",");
                if (f.length == 4) { // a line cut by the kill has fewer fields and was never acknowledged
                    seen.merge(Integer.parseInt(f[1]), Integer.parseInt(f[2]), Math::max);
                }
            }
        }
        Map<Integer, Integer> missing = new HashMap<>();
        committed.forEach((id, v) -> {
            Integer s = seen.get(id);
            if (s == null || s < v) {
                missing.put(id, v);
            }
        });
        return missing;
    }

    private static String childLog(Path output) {
        try {
            List<String> log = Files.readAllLines(Path.of(output + ".log"), StandardCharsets.UTF_8);
            return String.join("\n", log.subList(Math.max(0, log.size() - 40), log.size()));
        } catch (Exception e) {
            return "(no log: " + e + ")";
        }
    }

    private static long lines(Path output) throws Exception {
        if (!Files.exists(output)) {
            return 0;
        }
        try (var s = Files.lines(output)) {
            return s.count();
        }
    }

    private static Process startChild(Path configFile, Path output) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                FileAppendingCaptureMain.class.getName(), configFile.toString(), output.toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(new File(output + ".log")));
        return pb.start();
    }
}
