package io.sluice.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.sluice.backfill.BackfillRun;
import io.sluice.backfill.ChunkWindows;
import io.sluice.capture.CaptureState;
import io.sluice.capture.CaptureWorker;
import io.sluice.capture.EventBatchConsumer;
import io.sluice.capture.SourceConfig;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import io.sluice.event.ChangeEvent;
import io.sluice.event.SourceEvent;
import io.sluice.event.TableId;
import io.sluice.review.SchemaGate;
import io.sluice.sink.Sink;
import io.sluice.sink.WriteResult;
import io.sluice.sink.lucene.LuceneSink;
import io.sluice.sink.lucene.LuceneSinkConfig;
import io.sluice.sink.redis.RedisSink;
import io.sluice.sink.redis.RedisSinkConfig;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Clock;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Backfill throughput: Sluice's DBLog backfill of one table into Lucene, into Redis and into both at once (as the
 * server writes a pipeline's sinks), against Debezium's own
 * snapshot of the same table into a no-op consumer and a plain JDBC scan of it, in one run, with the heap used.
 *
 * <p>The table is idle while each contender runs, the hardest case for a backfill without watermark writes: its
 * windows close at the source's heartbeats ({@code heartbeat.interval.ms}, 2 s by default, as in the server).
 *
 * <p>Arguments: {@code [rows] [chunk size] [contenders]}, by default 1,000,000, 2048 (the server's default) and
 * {@code scan,snapshot,noop,lucene,redis,both,raw} ({@code raw}: the scan into {@link RawTargets}). Exits 1 if a contender could not run.
 */
public final class BackfillBench {
    private static final String DB = "bfbench";

    private BackfillBench() {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int chunk = args.length > 1 ? Integer.parseInt(args[1]) : 2048;
        Set<String> contenders = Set.of((args.length > 2 ? args[2] : "scan,snapshot,noop,lucene,redis,both,raw").split(","));
        Logger.getLogger("").setLevel(Level.WARNING);
        System.out.println("Sluice backfill benchmark: " + rows + " rows, chunks of " + chunk);
        System.out.println("machine: " + Machine.describe());
        System.out.println("Redis: " + RedisServer.PERSISTENCE + "; emptied before each contender that writes to it");
        Path work = Files.createTempDirectory("sluice-bench-backfill-");
        try (MariaDbServer db = MariaDbServer.start(MariaDbServer.Options.defaults()); RedisServer redis = RedisServer.startNew()) {
            db.createCaptureUser("bench", "bench-pw");
            db.recreateDatabase(DB);
            db.execute("CREATE TABLE " + DB + ".items (id BIGINT PRIMARY KEY, name VARCHAR(64) NOT NULL, amount DECIMAL(12,2),"
                    + " created DATETIME(6), flag TINYINT, note TEXT)");
            long t0 = System.nanoTime();
            db.execute("INSERT INTO " + DB + ".items SELECT seq, CONCAT('name-', seq), (seq % 100000) + 0.25, '2024-01-01 12:00:00.123456',"
                    + " seq % 2, CONCAT('a note about row ', seq) FROM " + DB + ".seq_1_to_" + rows);
            System.out.printf("inserted %,d rows in %.1f s%n", rows, (System.nanoTime() - t0) / 1e9);

            Measured none = new Measured(0, Double.NaN, 0, 0, Double.NaN, Double.NaN);
            Measured scan = contenders.contains("scan") ? measure(() -> jdbcScan(db)) : none;
            print("plain JDBC scan", scan);
            Measured snapshot = contenders.contains("snapshot")
                    ? measure(() -> debeziumSnapshot(CaptureBench.props(db, work, DB, "dbz", 7301), rows)) : none;
            print("Debezium snapshot -> no-op", snapshot);
            Measured noop = contenders.contains("noop") ? measure(() -> backfill(db, work, 7304, List.of(new NoOpSink()), chunk)) : none;
            print("Sluice backfill -> no-op", noop);
            Measured lucene = contenders.contains("lucene") ? measure(() -> backfill(db, work, 7302, List.of(lucene(work, "lucene")), chunk))
                    : none;
            print("Sluice backfill -> Lucene", lucene);
            redis.empty();
            Measured cache = contenders.contains("redis") ? measure(() -> backfill(db, work, 7303, List.of(redis(redis)), chunk)) : none;
            print("Sluice backfill -> Redis", cache);
            // The report's scenario: both targets of a pipeline, written at once as the server's backfills do.
            redis.empty();
            Measured both = contenders.contains("both") ? measure(() -> backfill(db, work, 7305, List.of(redis(redis), lucene(work, "both")),
                    chunk)) : none;
            print("Sluice backfill -> Redis + Lucene", both);
            // The floor under any backfill into both targets here: the plain scan written straight through the clients.
            Measured raw = none;
            if (contenders.contains("raw")) {
                redis.empty();
                try (RawTargets targets = new RawTargets(redis, work.resolve("raw"), "raw", List.of("redis", "lucene"))) {
                    raw = measure(() -> rawScan(db, targets, chunk));
                    targets.check();
                }
            }
            print("JDBC scan, raw writes -> both", raw);
            System.out.println("ratios (of the contenders that ran): against Debezium's snapshot into a no-op consumer: Sluice into a no-op"
                    + " sink " + ratio(noop, snapshot) + ", into Lucene " + ratio(lucene, snapshot) + ", into Redis " + ratio(cache, snapshot)
                    + ", into Redis + Lucene " + ratio(both, snapshot) + "; against the plain JDBC scan: " + ratio(noop, scan) + ", "
                    + ratio(lucene, scan) + ", " + ratio(cache, scan) + ", " + ratio(both, scan));
            System.out.println("raw writes into Redis + Lucene (no versions, no Avro, one Lucene commit at the end): " + ratio(raw, snapshot)
                    + " of Debezium's snapshot, the floor: a backfill that does only the writes (its CPU per row above says how far more"
                    + " threads could take it); Sluice into both is "
                    + ratio(both, raw) + " of it");
        } catch (Exception e) {
            System.err.println("benchmark could not run: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static LuceneSink lucene(Path work, String dir) {
        return new LuceneSink("lucene", LuceneSinkConfig.parse("lucene", Map.of(LuceneSinkConfig.DIR, work.resolve(dir).toString())),
                Clock.systemUTC());
    }

    private static RedisSink redis(RedisServer redis) {
        return new RedisSink("redis", RedisSinkConfig.parse("redis", Map.of(RedisSinkConfig.URI, "redis://" + redis.host() + ":" + redis.port())));
    }

    /** A sink that takes every row and keeps nothing: the backfill engine's own speed, as Debezium's no-op consumer. */
    private static final class NoOpSink implements Sink {
        @Override
        public String name() {
            return "no-op";
        }

        @Override
        public void open() {
        }

        @Override
        public WriteResult write(List<ChangeEvent> batch) {
            return new WriteResult(List.of());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    /**
     * Rows per second from start to end, the largest heap in use seen meanwhile (garbage included), and the largest
     * heap left after a garbage collection during the run (what the run holds, the figure that must stay flat as
     * the table grows).
     */
    private record Measured(long rows, double seconds, long maxHeapBytes, long maxAfterGcBytes, double cpuMicrosPerRow, double serverMicrosPerRow) {
        double rate() {
            return rows / seconds;
        }
    }

    @FunctionalInterface
    private interface Run {
        long rows() throws Exception;
    }

    private static Measured measure(Run run) throws Exception {
        System.gc();
        AtomicLong max = new AtomicLong();
        AtomicLong afterGc = new AtomicLong();
        Runtime rt = Runtime.getRuntime();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> max.accumulateAndGet(rt.totalMemory() - rt.freeMemory(), Math::max), 0, 100, TimeUnit.MILLISECONDS);
        List<Runnable> unsubscribe = new ArrayList<>();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                NotificationListener listener = (notification, handback) -> {
                    if (notification.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                        var info = GarbageCollectionNotificationInfo.from(
                                (CompositeData) notification.getUserData());
                        long used = 0;
                        for (var pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                            if (HEAP_POOLS.contains(pool.getKey())) {
                                used += pool.getValue().getUsed();
                            }
                        }
                        afterGc.accumulateAndGet(used, Math::max);
                    }
                };
                emitter.addNotificationListener(listener, null, null);
                unsubscribe.add(() -> {
                    try {
                        emitter.removeNotificationListener(listener);
                    } catch (ListenerNotFoundException e) {
                        // already gone
                    }
                });
            }
        }
        Cpu.Sample cpu0 = Cpu.now();
        long t0 = System.nanoTime();
        try {
            long rows = run.rows();
            double seconds = (System.nanoTime() - t0) / 1e9;
            double[] cpu = Cpu.now().microsPerEvent(cpu0, Math.max(1, rows));
            return new Measured(rows, seconds, max.get(), afterGc.get(), cpu[0], cpu[1]);
        } finally {
            sampler.shutdownNow();
            unsubscribe.forEach(Runnable::run);
        }
    }

    private static String ratio(Measured sluice, Measured baseline) {
        return sluice.rows() == 0 || baseline.rows() == 0 ? "-" : String.format("%.2f", sluice.rate() / baseline.rate());
    }

    /** The names of the heap's memory pools (eden, survivor, old), read once rather than at every collection. */
    private static final Set<String> HEAP_POOLS = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName)
            .collect(Collectors.toUnmodifiableSet());

    private static void print(String what, Measured m) {
        if (m.rows() == 0) {
            return; // not among the contenders asked for
        }
        System.out.printf("%-34s %,10d rows in %6.1f s = %,9.0f rows/s, heap used at most %,5d MiB, after GC at most %,5d MiB,"
                + " CPU per row %.1f us (servers %.1f: at most %,.0f rows/s on %d cores)%n", what, m.rows(), m.seconds(), m.rate(),
                m.maxHeapBytes() / (1024 * 1024), m.maxAfterGcBytes() / (1024 * 1024), m.cpuMicrosPerRow(), m.serverMicrosPerRow(),
                Cpu.ceiling(m.cpuMicrosPerRow()), Runtime.getRuntime().availableProcessors());
    }

    /** What a scan does with each row. */
    @FunctionalInterface
    private interface Row {
        void read(ResultSet rs, ResultSetMetaData meta) throws Exception;
    }

    /** Reads the whole table row by row, as a stream, and counts the rows. */
    private static long scan(MariaDbServer db, Row row) throws Exception {
        long n = 0;
        try (Connection c = db.connect(DB); Statement s = c.createStatement()) {
            s.setFetchSize(4096); // Connector/J 3 streams with a positive fetch size: the result is not held in memory
            try (ResultSet rs = s.executeQuery("SELECT * FROM items")) {
                ResultSetMetaData meta = rs.getMetaData();
                while (rs.next()) {
                    row.read(rs, meta);
                    n++;
                }
            }
        }
        return n;
    }

    private static long jdbcScan(MariaDbServer db) throws Exception {
        return scan(db, (rs, meta) -> {
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                rs.getObject(i);
            }
        });
    }

    /** The plain JDBC scan into raw writes, {@code chunk} rows at a time, then their commit. */
    private static long rawScan(MariaDbServer db, RawTargets raw, int chunk) throws Exception {
        List<Map<String, Object>> rows = new ArrayList<>(chunk);
        long n = scan(db, (rs, meta) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                Object v = rs.getObject(i);
                row.put(meta.getColumnLabel(i), v instanceof Temporal t ? t.toString() : v);
            }
            rows.add(row);
            if (rows.size() == chunk) {
                raw.write(rows); // done with the list when it returns
                rows.clear();
            }
        });
        raw.write(rows);
        raw.commit();
        return n;
    }

    private static long debeziumSnapshot(Map<String, String> props, int rows) throws Exception {
        Properties p = CaptureWorker.debeziumProperties(SourceConfig.parse(props));
        p.setProperty("snapshot.mode", "initial_only");
        CountDownLatch done = new CountDownLatch(1);
        AtomicLong count = new AtomicLong();
        DebeziumEngine<RecordChangeEvent<SourceRecord>> engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(p)
                .notifying((records, committer) -> {
                    for (RecordChangeEvent<SourceRecord> r : records) {
                        if (r.record().value() instanceof Struct v && v.schema().field("op") != null) {
                            count.incrementAndGet();
                        }
                        committer.markProcessed(r);
                    }
                    committer.markBatchFinished();
                    if (count.get() >= rows) {
                        done.countDown();
                    }
                })
                .build();
        CaptureBench.runEngine(engine, done, 20, () -> "Debezium's snapshot delivered " + count.get() + " of " + rows + " rows");
        return count.get();
    }

    /**
     * A capture worker feeds the windows (and gives the table's schemas from one change made for that purpose);
     * the backfill writes straight into the sinks (at once, when several) and flushes them after each round.
     */
    private static long backfill(MariaDbServer db, Path work, int serverId, List<Sink> sinks, int chunk) throws Exception {
        ChunkWindows windows = new ChunkWindows();
        AtomicReference<BackfillRun.Schemas> schemas = new AtomicReference<>();
        EventBatchConsumer consumer = new EventBatchConsumer() {
            @Override
            public void accept(List<SourceEvent> batch) {
                windows.observe(batch);
                for (SourceEvent e : batch) {
                    if (e instanceof ChangeEvent c && schemas.get() == null) {
                        schemas.set(new BackfillRun.Schemas(c.after().getSchema(), c.key().getSchema()));
                    }
                }
            }

            @Override
            public void reached(String file, long position) {
                windows.reached(file, position);
            }
        };
        Map<String, String> props = CaptureBench.props(db, work, DB, "bfb" + serverId, serverId);
        try (CaptureWorker worker = new CaptureWorker(SourceConfig.parse(props), consumer, SchemaGate.permissive(), Clock.systemUTC())) {
            worker.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!(worker.status().state() instanceof CaptureState.Streaming)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("capture did not start streaming");
                }
                Thread.sleep(20);
            }
            db.execute("UPDATE " + DB + ".items SET flag = flag WHERE id = 1", "UPDATE " + DB + ".items SET note = CONCAT(note, '') WHERE id = 1",
                    "UPDATE " + DB + ".items SET flag = 1 - flag WHERE id = 1");
            while (schemas.get() == null) {
                Thread.sleep(20);
            }
            List<BackfillRun.Target> targets = new ArrayList<>();
            for (Sink sink : sinks) {
                sink.open();
                targets.add(r -> {
                    var refused = sink.write(r).rejected();
                    if (!refused.isEmpty()) {
                        throw new IllegalStateException("the sink refused rows: " + refused.get(0).reason());
                    }
                    sink.flush();
                });
            }
            BackfillRun run = new BackfillRun(new BackfillRun.Options(new TableId(props.get(SourceConfig.NAME), DB, "items"), null, chunk, 0,
                    16, 0), windows, BackfillRun.Target.all(targets), p -> { }, Clock.systemUTC(), d -> Thread.sleep(d.toMillis()), null);
            try (Connection c = db.connect(DB)) {
                run.run(c, schemas.get());
            }
            for (Sink sink : sinks) {
                sink.close();
            }
            return run.progress().rowsWritten();
        }
    }
}
