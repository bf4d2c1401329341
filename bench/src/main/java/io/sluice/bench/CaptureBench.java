package io.sluice.bench;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.sluice.capture.CaptureState;
import io.sluice.capture.CaptureWorker;
import io.sluice.capture.SourceConfig;
import io.sluice.embedded.MariaDbServer;
import io.sluice.event.ChangeEvent;
import io.sluice.event.SourceEvent;
import io.sluice.review.SchemaGate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Streaming throughput of the capture worker against Debezium's engine alone, both into a no-op consumer, on the
 * same binlog events in the same run.
 *
 * <p>Each contender first starts once with {@code snapshot.mode=no_data} on the empty table, so that it has a
 * stored offset before the rows are written; then the rows are inserted; then each contender resumes from its
 * offset and reads the same N events from the binlog. Contenders alternate over several rounds (the first rounds
 * warm the JIT up); the rate is counted from the first to the N-th event.
 *
 * <p>Arguments: {@code [rows] [rounds]}, by default 200000 and 3. Exits 1 if a contender could not run.
 */
public final class CaptureBench {
    private static final String DB = "bench";
    /** The benchmarks' table in database {@code bench}; {@link #insert} fills it. */
    static final String ITEMS_TABLE = "CREATE TABLE bench.items (id BIGINT PRIMARY KEY, name VARCHAR(64) NOT NULL, amount DECIMAL(12,2),"
            + " created DATETIME(6), flag TINYINT, note TEXT)";

    private CaptureBench() {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        quietLogging();
        System.out.println("Sluice capture benchmark: " + rows + " binlog insert events, " + rounds + " rounds");
        System.out.println("machine: " + Machine.describe());
        Path work = Files.createTempDirectory("sluice-bench-");
        try (MariaDbServer db = MariaDbServer.start(MariaDbServer.Options.defaults())) {
            db.createCaptureUser("bench", "bench-pw");
            db.recreateDatabase(DB);
            db.execute(ITEMS_TABLE);
            List<Map<String, String>> debezium = new ArrayList<>();
            List<Map<String, String>> sluice = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                debezium.add(props(db, work, DB, "dbz" + r, 7000 + r));
                sluice.add(props(db, work, DB, "slc" + r, 7100 + r));
            }
            for (int r = 0; r < rounds; r++) {
                position(debezium.get(r));
                position(sluice.get(r));
            }
            long t0 = System.nanoTime();
            insert(db, DB, rows);
            System.out.printf("inserted %d rows in %.1f s%n", rows, (System.nanoTime() - t0) / 1e9);
            Medians medians = alternate(rounds, r -> runDebezium(debezium.get(r), rows), r -> runSluice(sluice.get(r), rows),
                    "sluice worker -> no-op");
            double d = medians.debezium().eventsPerSecond();
            double s = medians.sluice().eventsPerSecond();
            System.out.printf("median after warm-up: debezium %,.0f events/s, sluice %,.0f events/s, ratio %.2f%n", d, s, s / d);
            System.out.println(cpuSummary(medians));
        } catch (Exception e) {
            System.err.println("benchmark could not run: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    /** A source on the benchmark's MariaDB that starts at the binlog's end ({@code no_data}). */
    static Map<String, String> props(MariaDbServer db, Path work, String database, String name, int serverId) {
        Map<String, String> p = new HashMap<>();
        p.put(SourceConfig.NAME, name);
        p.put(SourceConfig.TYPE, "mariadb");
        p.put(SourceConfig.HOST, db.host());
        p.put(SourceConfig.PORT, Integer.toString(db.port()));
        p.put(SourceConfig.USER, "bench");
        p.put(SourceConfig.PASSWORD, "bench-pw");
        p.put(SourceConfig.DATABASES, database);
        p.put(SourceConfig.SERVER_ID, Integer.toString(serverId));
        p.put(SourceConfig.DATA_DIR, work.toString());
        p.put(SourceConfig.SNAPSHOT_MODE, "no_data");
        return p;
    }

    /**
     * One contender's run in a round.
     *
     * @param eventsPerSecond from the first event to the last
     * @param cpuMicrosPerEvent CPU time over the same span, of this JVM and the servers it started, per event
     * @param serverMicrosPerEvent the servers' part of it
     */
    record Rate(double eventsPerSecond, double cpuMicrosPerEvent, double serverMicrosPerEvent) {
        static Rate of(long events, long firstNanos, long lastNanos, Cpu.Sample cpuFirst, Cpu.Sample cpuLast) {
            double[] cpu = cpuLast.microsPerEvent(cpuFirst, events);
            return new Rate(events / ((lastNanos - firstNanos) / 1e9), cpu[0], cpu[1]);
        }
    }

    /** One contender's run in a round. */
    @FunctionalInterface
    interface Round {
        Rate run(int round) throws Exception;
    }

    /** The medians after the warm-up round. */
    record Medians(Rate debezium, Rate sluice) {
    }

    /**
     * Runs Debezium's engine and a Sluice contender once per round, alternating who goes first so that neither always
     * runs on a JIT the other warmed up, and prints each round.
     *
     * @return the medians after the warm-up round
     */
    static Medians alternate(int rounds, Round debezium, Round sluice, String sluiceLabel) throws Exception {
        List<Rate> debeziumRuns = new ArrayList<>();
        List<Rate> sluiceRuns = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            Rate d;
            Rate s;
            if (r % 2 == 0) {
                d = debezium.run(r);
                s = sluice.run(r);
            } else {
                s = sluice.run(r);
                d = debezium.run(r);
            }
            System.out.printf("round %d: debezium engine -> no-op %,.0f events/s | %s %,.0f events/s | ratio %.2f"
                    + " | CPU per event %.1f us (servers %.1f) vs %.1f us (servers %.1f)%n", r + 1, d.eventsPerSecond(), sluiceLabel,
                    s.eventsPerSecond(), s.eventsPerSecond() / d.eventsPerSecond(), d.cpuMicrosPerEvent(), d.serverMicrosPerEvent(),
                    s.cpuMicrosPerEvent(), s.serverMicrosPerEvent());
            debeziumRuns.add(d);
            sluiceRuns.add(s);
        }
        return new Medians(medianAfterWarmUp(debeziumRuns), medianAfterWarmUp(sluiceRuns));
    }

    /** The first round warms the JIT up; the median of the others, figure by figure, is what to quote. */
    static Rate medianAfterWarmUp(List<Rate> runs) {
        return new Rate(Figures.medianAfterWarmUp(runs.stream().map(Rate::eventsPerSecond).toList()),
                Figures.medianAfterWarmUp(runs.stream().map(Rate::cpuMicrosPerEvent).toList()),
                Figures.medianAfterWarmUp(runs.stream().map(Rate::serverMicrosPerEvent).toList()));
    }

    /** The CPU line of a summary: each contender's cost per event and the rate the cores allow at that cost. */
    static String cpuSummary(Medians m) {
        return String.format("CPU per event (this JVM + MariaDB + the targets' servers): debezium %.1f us (servers %.1f), sluice %.1f us"
                + " (servers %.1f), %.1fx; at that cost %d cores allow at most %,.0f and %,.0f events/s", m.debezium().cpuMicrosPerEvent(),
                m.debezium().serverMicrosPerEvent(), m.sluice().cpuMicrosPerEvent(), m.sluice().serverMicrosPerEvent(),
                m.sluice().cpuMicrosPerEvent() / m.debezium().cpuMicrosPerEvent(), Runtime.getRuntime().availableProcessors(),
                Cpu.ceiling(m.debezium().cpuMicrosPerEvent()), Cpu.ceiling(m.sluice().cpuMicrosPerEvent()));
    }

    /** JUL (Debezium's MariaDB driver logs through it) down to warnings, so that the figures stay readable. */
    static void quietLogging() {
        Logger.getLogger("").setLevel(Level.WARNING);
        for (var h : Logger.getLogger("").getHandlers()) {
            h.setLevel(Level.WARNING);
        }
    }

    static void position(Map<String, String> props) throws Exception {
        try (CaptureWorker w = new CaptureWorker(SourceConfig.parse(props), batch -> { }, SchemaGate.permissive(), Clock.systemUTC())) {
            w.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!(w.status().state() instanceof CaptureState.Streaming)) {
                if (w.status().state() instanceof CaptureState.Failed f) {
                    throw new IllegalStateException(f.failure().toString());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("worker " + props.get(SourceConfig.NAME) + " did not start streaming");
                }
                Thread.sleep(50);
            }
        }
    }

    /** Inserts rows 0..rows-1 into {@link #ITEMS_TABLE}, 1,000 per statement. */
    static void insert(MariaDbServer db, String database, int rows) throws Exception {
        try (Connection c = db.connect(database); Statement s = c.createStatement()) {
            int batch = 1000;
            for (int from = 0; from < rows; from += batch) {
                StringBuilder sql = new StringBuilder("INSERT INTO items VALUES ");
                for (int i = from; i < Math.min(rows, from + batch); i++) {
                    if (i > from) {
                        sql.append(',');
                    }
                    sql.append('(').append(i).append(",'name-").append(i).append("',").append(i % 100000).append(".25,")
                            .append("'2024-01-01 12:00:00.123456',").append(i % 2).append(",'a note about row ").append(i).append("')");
                }
                s.execute(sql.toString());
            }
        }
    }

    static Rate runDebezium(Map<String, String> props, int rows) throws Exception {
        Properties p = CaptureWorker.debeziumProperties(SourceConfig.parse(props));
        AtomicLong count = new AtomicLong();
        Span span = new Span();
        DebeziumEngine<RecordChangeEvent<SourceRecord>> engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(p)
                .notifying((records, committer) -> {
                    for (RecordChangeEvent<SourceRecord> r : records) {
                        if (r.record().value() instanceof Struct v && v.schema().field("op") != null && count.incrementAndGet() == 1) {
                            span.begin();
                        }
                        committer.markProcessed(r);
                    }
                    committer.markBatchFinished();
                    if (count.get() >= rows) {
                        span.end();
                    }
                })
                .build();
        runEngine(engine, span.done, 10, () -> "Debezium delivered " + count.get() + " of " + rows + " events");
        return span.rate(rows - 1);
    }

    /**
     * What a contender's rate counts: wall clock and CPU from its first event to the N-th. Thread-safe; only the
     * first {@link #begin()} and the first {@link #end()} count.
     */
    static final class Span {
        /** Counts down at {@link #end()}. */
        final CountDownLatch done = new CountDownLatch(1);
        private final AtomicLong first = new AtomicLong();
        private final AtomicLong last = new AtomicLong();
        private volatile Cpu.Sample cpuFirst;
        private volatile Cpu.Sample cpuLast;

        void begin() {
            if (first.get() == 0 && first.compareAndSet(0, System.nanoTime())) {
                cpuFirst = Cpu.now();
            }
        }

        void end() {
            if (last.get() == 0 && last.compareAndSet(0, System.nanoTime())) {
                cpuLast = Cpu.now();
                done.countDown();
            }
        }

        /** The rate over the span, of {@code events} events (after {@link #done} counted down). */
        Rate rate(long events) {
            return Rate.of(events, first.get(), last.get(), cpuFirst, cpuLast);
        }
    }

    /**
     * Runs a built Debezium engine on a thread of its own until {@code done} counts down, then closes it.
     *
     * @param progress how far it got, for the error if it takes longer than {@code minutes}
     * @throws IllegalStateException if {@code done} did not count down in time
     */
    static void runEngine(DebeziumEngine<?> engine, CountDownLatch done, int minutes, Supplier<String> progress)
            throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        executor.execute(engine);
        try {
            if (!done.await(minutes, TimeUnit.MINUTES)) {
                throw new IllegalStateException(progress.get() + " in " + minutes + " minutes");
            }
        } finally {
            engine.close();
            executor.shutdown();
            executor.awaitTermination(1, TimeUnit.MINUTES);
        }
    }

    private static Rate runSluice(Map<String, String> props, int rows) throws Exception {
        AtomicLong count = new AtomicLong();
        Span span = new Span();
        try (CaptureWorker worker = new CaptureWorker(SourceConfig.parse(props), batch -> {
            for (SourceEvent e : batch) {
                if (e instanceof ChangeEvent && count.incrementAndGet() == 1) {
                    span.begin();
                }
            }
            if (count.get() >= rows) {
                span.end();
            }
        }, SchemaGate.permissive(), Clock.systemUTC())) {
            worker.start();
            awaitDelivered(worker, span.done, count, rows);
        }
        return span.rate(rows - 1);
    }

    /**
     * Waits until the worker counted down {@code done}, at most 10 minutes.
     *
     * @throws IllegalStateException if the worker failed or was too slow, with how far it got
     */
    static void awaitDelivered(CaptureWorker worker, CountDownLatch done, AtomicLong count, int rows) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (!done.await(100, TimeUnit.MILLISECONDS)) {
            if (worker.status().state() instanceof CaptureState.Failed f) {
                throw new IllegalStateException(f.failure().toString());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Sluice delivered " + count.get() + " of " + rows + " events in 10 minutes");
            }
        }
    }
}
