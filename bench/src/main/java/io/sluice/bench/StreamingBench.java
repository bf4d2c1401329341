package io.sluice.bench;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.sluice.capture.CaptureState;
import io.sluice.capture.CaptureWorker;
import io.sluice.capture.EventBatchConsumer;
import io.sluice.capture.SourceConfig;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import io.sluice.event.ChangeEvent;
import io.sluice.event.SourceEvent;
import io.sluice.event.TableId;
import io.sluice.pipeline.Pipeline;
import io.sluice.review.SchemaGate;
import io.sluice.sink.Sink;
import io.sluice.sink.SinkRunner;
import io.sluice.sink.WriteResult;
import io.sluice.sink.dlq.JdbcDeadLetterQueue;
import io.sluice.sink.lucene.LuceneSink;
import io.sluice.sink.lucene.LuceneSinkConfig;
import io.sluice.sink.redis.RedisSink;
import io.sluice.sink.redis.RedisSinkConfig;
import io.sluice.testkit.MetadataDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import redis.clients.jedis.Jedis;

/**
 * The report's streaming scenario: N inserts in MariaDB, read from the binlog by Debezium's engine alone into a no-op
 * consumer (the baseline) and by Sluice's embedded pipeline (capture worker, Avro change events with versions,
 * the Redis sink and the Lucene sink, each batch written to both, the sinks flushed at each checkpoint), on the
 * same binlog events in the same run.
 *
 * <p>As in {@link CaptureBench}, every contender first positions itself at the binlog's end on the empty table,
 * then the rows are inserted, then each contender reads the same N events; contenders alternate over the rounds
 * and each Sluice round writes to fresh targets (its own Redis key prefix and Lucene directory), so no round
 * finds its documents already there. The Sluice rate counts from the first event to the N-th written to both
 * targets (visible there; durable at the next checkpoint, as the baseline's offsets are committed at the next
 * flush interval); the run checks the targets hold N documents.
 *
 * <p>Arguments: {@code [rows] [rounds] [targets] [sink.flush.interval.ms] [lucene.refresh.interval.ms]}, by default 500000,
 * 3, {@code redis,lucene} and the defaults of the source and of the Lucene sink ({@code -} keeps a default); naming one
 * target measures it alone against the same baseline. Exits 1 if a contender could not run.
 */
public final class StreamingBench {
    private static final String DB = "bench";

    private StreamingBench() {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        List<String> targets = List.of((args.length > 2 ? args[2] : "redis,lucene").split(","));
        if (targets.isEmpty() || !List.of("redis", "lucene").containsAll(targets)) {
            System.err.println("targets must be redis, lucene or redis,lucene; got " + String.join(",", targets));
            System.exit(1);
        }
        String into = String.join(" + ", targets);
        String flushMs = setting(args, 3);
        String refreshMs = setting(args, 4);
        CaptureBench.quietLogging();
        System.out.println("Sluice streaming benchmark: " + rows + " binlog insert events into " + into + ", " + rounds + " rounds"
                + (flushMs == null ? "" : ", " + SourceConfig.SINK_FLUSH_MS + "=" + flushMs)
                + (refreshMs == null ? "" : ", " + LuceneSinkConfig.REFRESH_INTERVAL_MS + "=" + refreshMs));
        System.out.println("machine: " + Machine.describe());
        System.out.println("Redis: " + RedisServer.PERSISTENCE + "; emptied before each contender");
        Path work = Files.createTempDirectory("sluice-streaming-bench-");
        try (MariaDbServer db = MariaDbServer.start(MariaDbServer.Options.defaults()); RedisServer redis = RedisServer.startNew()) {
            db.createCaptureUser("bench", "bench-pw");
            db.recreateDatabase(DB);
            db.execute(CaptureBench.ITEMS_TABLE);
            List<Map<String, String>> debezium = new ArrayList<>();
            List<Map<String, String>> sluice = new ArrayList<>();
            List<Map<String, String>> raw = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                debezium.add(CaptureBench.props(db, work, DB, "dbz" + r, 7000 + r));
                raw.add(CaptureBench.props(db, work, DB, "raw" + r, 7200 + r));
                Map<String, String> p = CaptureBench.props(db, work, DB, "slc" + r, 7100 + r);
                if (flushMs != null) {
                    p.put(SourceConfig.SINK_FLUSH_MS, flushMs);
                }
                sluice.add(p);
            }
            for (int r = 0; r < rounds; r++) {
                CaptureBench.position(debezium.get(r));
                CaptureBench.position(sluice.get(r));
                CaptureBench.position(raw.get(r));
            }
            long t0 = System.nanoTime();
            CaptureBench.insert(db, DB, rows);
            System.out.printf("inserted %d rows in %.1f s%n", rows, (System.nanoTime() - t0) / 1e9);
            List<CaptureBench.Round> contenders = List.of(r -> CaptureBench.runDebezium(debezium.get(r), rows),
                    r -> runPipeline(sluice.get(r), rows, targets, redis, work.resolve("lucene-" + r), "r" + r, refreshMs),
                    r -> runRaw(raw.get(r), rows, targets, redis, work.resolve("raw-lucene-" + r), "raw" + r));
            List<List<CaptureBench.Rate>> runs = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            for (int r = 0; r < rounds; r++) {
                // Each contender goes first in turn, so that none always runs on a JIT another warmed up.
                for (int i = 0; i < contenders.size(); i++) {
                    int c = (i + r) % contenders.size();
                    redis.empty();
                    runs.get(c).add(contenders.get(c).run(r));
                }
                CaptureBench.Rate d = runs.get(0).get(r);
                CaptureBench.Rate s = runs.get(1).get(r);
                CaptureBench.Rate w = runs.get(2).get(r);
                System.out.printf("round %d: debezium engine -> no-op %,.0f events/s | sluice -> %s %,.0f events/s, ratio %.2f"
                        + " | raw writes -> %s %,.0f events/s, ratio %.2f | CPU per event %.1f us (servers %.1f) vs %.1f us (servers %.1f)"
                        + " vs %.1f us (servers %.1f)%n", r + 1, d.eventsPerSecond(), into, s.eventsPerSecond(), s.eventsPerSecond() / d.eventsPerSecond(),
                        into, w.eventsPerSecond(), w.eventsPerSecond() / d.eventsPerSecond(), d.cpuMicrosPerEvent(), d.serverMicrosPerEvent(),
                        s.cpuMicrosPerEvent(), s.serverMicrosPerEvent(), w.cpuMicrosPerEvent(), w.serverMicrosPerEvent());
            }
            CaptureBench.Medians medians = new CaptureBench.Medians(CaptureBench.medianAfterWarmUp(runs.get(0)),
                    CaptureBench.medianAfterWarmUp(runs.get(1)));
            CaptureBench.Rate floor = CaptureBench.medianAfterWarmUp(runs.get(2));
            double d = medians.debezium().eventsPerSecond();
            double s = medians.sluice().eventsPerSecond();
            double w = floor.eventsPerSecond();
            System.out.printf("median after warm-up: debezium %,.0f events/s, sluice into %s %,.0f events/s, ratio %.2f (target 0.80)%n",
                    d, into, s, s / d);
            System.out.printf("raw writes into the same targets (no versions, no Avro, one Lucene commit at the end) %,.0f events/s: %.2f of"
                    + " debezium's rate, the floor: a pipeline into these targets that does only the writes; sluice is %.2f of it"
                    + " (CPU per event %.1f us, servers %.1f)%n", w, w / d, s / w, floor.cpuMicrosPerEvent(), floor.serverMicrosPerEvent());
            System.out.println(CaptureBench.cpuSummary(medians));
        } catch (Exception e) {
            System.err.println("benchmark could not run: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    /** A setting given as the argument at {@code index}, or null for the default (absent, or {@code -}). */
    private static String setting(String[] args, int index) {
        return args.length > index && !args[index].equals("-") ? args[index] : null;
    }

    private static CaptureBench.Rate runPipeline(Map<String, String> props, int rows, List<String> targets, RedisServer redis, Path luceneDir,
            String prefix, String refreshMs) throws Exception {
        JdbcDeadLetterQueue dlq = new JdbcDeadLetterQueue(MetadataDatabase.inMemory(), Clock.systemUTC());
        RedisSink cache = new RedisSink("cache", RedisSinkConfig.parse("cache", Map.of(RedisSinkConfig.URI,
                "redis://" + redis.host() + ":" + redis.port(), "target", prefix + ":{table}")));
        Map<String, String> indexConfig = new HashMap<>(Map.of(LuceneSinkConfig.DIR, luceneDir.toString()));
        if (refreshMs != null) {
            indexConfig.put(LuceneSinkConfig.REFRESH_INTERVAL_MS, refreshMs);
        }
        LuceneSink index = new LuceneSink("index", LuceneSinkConfig.parse("index", indexConfig), Clock.systemUTC());
        CountDownLatch done = new CountDownLatch(targets.size());
        AtomicLong last = new AtomicLong();
        AtomicReference<Cpu.Sample> cpuFirst = new AtomicReference<>();
        AtomicReference<Cpu.Sample> cpuLast = new AtomicReference<>();
        List<Pipeline.Route> routes = new ArrayList<>();
        List<Counted> counted = new ArrayList<>();
        if (targets.contains("redis")) {
            counted.add(new Counted(cache, rows, done, last, cpuLast));
        }
        if (targets.contains("lucene")) {
            counted.add(new Counted(index, rows, done, last, cpuLast));
        }
        for (Counted c : counted) {
            routes.add(new Pipeline.Route(SinkRunner.of(c, dlq), t -> true));
        }
        Pipeline pipeline = new Pipeline("bench", routes);
        long[] luceneDocs = new long[1];
        AtomicLong count = new AtomicLong();
        AtomicLong first = new AtomicLong();
        AtomicLong batches = new AtomicLong();
        AtomicLong checkpoints = new AtomicLong();
        AtomicLong acceptNanos = new AtomicLong();
        AtomicLong checkpointNanos = new AtomicLong();
        EventBatchConsumer consumer = new EventBatchConsumer() {
            @Override
            public void accept(List<SourceEvent> batch) throws Exception {
                int changes = 0;
                for (SourceEvent e : batch) {
                    if (e instanceof ChangeEvent) {
                        changes++;
                    }
                }
                if (changes > 0) {
                    if (first.compareAndSet(0, System.nanoTime())) {
                        cpuFirst.set(Cpu.now());
                    }
                    batches.incrementAndGet();
                }
                long t0 = System.nanoTime();
                pipeline.accept(batch);
                acceptNanos.addAndGet(System.nanoTime() - t0);
                count.addAndGet(changes);
            }

            @Override
            public void checkpoint() throws Exception {
                long t0 = System.nanoTime();
                pipeline.checkpoint();
                checkpointNanos.addAndGet(System.nanoTime() - t0);
                checkpoints.incrementAndGet();
            }
        };
        try (cache; index; pipeline; CaptureWorker worker = new CaptureWorker(SourceConfig.parse(props), consumer, SchemaGate.permissive(), Clock.systemUTC())) {
            worker.start();
            CaptureBench.awaitDelivered(worker, done, count, rows);
            index.scanIds(new TableId(props.get(SourceConfig.NAME), DB, "items"), ids -> luceneDocs[0] += ids.size());
            if (dlq.size("cache") + dlq.size("index") > 0) {
                throw new IllegalStateException("the sinks refused events: " + dlq.list(null, 3));
            }
        }
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            long keys = targets.contains("redis") ? jedis.keys(prefix + ":items:{*}").size() : rows;
            long docs = targets.contains("lucene") ? luceneDocs[0] : rows;
            if (keys != rows || docs != rows) {
                throw new IllegalStateException("expected " + rows + " documents in each target, found " + keys + " Redis keys and " + docs
                        + " Lucene documents");
            }
        }
        System.out.printf("  sluice round %s: %d batches of %,d events on average written to the targets, %d checkpoints (every %s ms)%n",
                prefix, batches.get(), rows / Math.max(1, batches.get()), checkpoints.get(),
                SourceConfig.parse(props).sinkFlushIntervalMs());
        // Where the round's wall time went: a thread busy all along is what the others wait for.
        double wall = (last.get() - first.get()) / 1e9;
        StringBuilder busy = new StringBuilder(String.format("  sluice round %s: of %.1f s, the capture thread waited %.1f s handing batches over"
                + " and %.1f s in checkpoints", prefix, wall, acceptNanos.get() / 1e9, checkpointNanos.get() / 1e9));
        for (Counted c : counted) {
            busy.append(String.format("; %s wrote %.1f s and flushed %.1f s", c.name(), c.writeNanos / 1e9, c.flushNanos / 1e9));
        }
        System.out.println(busy);
        // The first event's batch was counted from its start, so N events span first..last.
        return CaptureBench.Rate.of(rows, first.get(), last.get(), cpuFirst.get(), cpuLast.get());
    }

    /**
     * Debezium's engine into {@link RawTargets}: the floor under any pipeline into these targets on this machine.
     * The rate counts, as Sluice's does, until the N-th event is written to every target.
     */
    private static CaptureBench.Rate runRaw(Map<String, String> props, int rows, List<String> targets, RedisServer redis, Path luceneDir,
            String prefix) throws Exception {
        AtomicLong count = new AtomicLong();
        CaptureBench.Span span = new CaptureBench.Span();
        try (RawTargets raw = new RawTargets(redis, luceneDir, prefix, targets)) {
            DebeziumEngine<RecordChangeEvent<SourceRecord>> engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                    .using(CaptureWorker.debeziumProperties(SourceConfig.parse(props)))
                    .notifying((records, committer) -> {
                        List<Map<String, Object>> docs = new ArrayList<>(records.size());
                        for (RecordChangeEvent<SourceRecord> r : records) {
                            if (r.record().value() instanceof Struct v && v.schema().field("after") != null && v.getStruct("after") != null) {
                                Struct after = v.getStruct("after");
                                Map<String, Object> doc = new LinkedHashMap<>();
                                for (Field f : after.schema().fields()) {
                                    doc.put(f.name(), after.get(f));
                                }
                                docs.add(doc);
                            }
                        }
                        if (!docs.isEmpty()) {
                            span.begin();
                        }
                        raw.write(docs);
                        for (RecordChangeEvent<SourceRecord> r : records) {
                            committer.markProcessed(r);
                        }
                        committer.markBatchFinished();
                        if (count.addAndGet(docs.size()) >= rows) {
                            span.end();
                        }
                    })
                    .build();
            CaptureBench.runEngine(engine, span.done, 10, () -> "raw writes got " + count.get() + " of " + rows + " events");
            raw.commit();
            raw.check();
        }
        // As for the pipeline, the first batch counts from its start: N events span first..last.
        return span.rate(rows);
    }

    /**
     * A sink that notes when it has written the N-th event (visible in the target; durable at the next checkpoint,
     * as the baseline's offsets are committed at its next flush interval): the pipeline hands batches over and
     * goes on, so only the sinks know.
     */
    private static final class Counted implements Sink {
        private final Sink sink;
        private final int rows;
        private final CountDownLatch done;
        private final AtomicLong last;
        private final AtomicReference<Cpu.Sample> cpuLast;
        private long written;
        /** Time in write and flush; read once the pipeline is closed (its threads joined). */
        volatile long writeNanos;
        volatile long flushNanos;

        Counted(Sink sink, int rows, CountDownLatch done, AtomicLong last, AtomicReference<Cpu.Sample> cpuLast) {
            this.sink = sink;
            this.rows = rows;
            this.done = done;
            this.last = last;
            this.cpuLast = cpuLast;
        }

        @Override
        public String name() {
            return sink.name();
        }

        @Override
        public void open() {
            sink.open();
        }

        @Override
        public WriteResult write(List<ChangeEvent> batch) {
            long t0 = System.nanoTime();
            WriteResult result = sink.write(batch);
            writeNanos += System.nanoTime() - t0;
            written += batch.size();
            if (written >= rows && written - batch.size() < rows) {
                long now = System.nanoTime();
                Cpu.Sample cpu = Cpu.now();
                synchronized (last) { // the later of the targets gives both figures
                    if (now > last.get()) {
                        last.set(now);
                        cpuLast.set(cpu);
                    }
                }
                done.countDown();
            }
            return result;
        }

        @Override
        public void flush() {
            long t0 = System.nanoTime();
            sink.flush();
            flushNanos += System.nanoTime() - t0;
        }

        @Override
        public void close() {
            // the caller closes the sink itself after reading it back
        }
    }
}
