package io.sluice.bench;

import io.sluice.embedded.RedisServer;
import io.sluice.event.ChangeEvent;
import io.sluice.event.EventVersion;
import io.sluice.event.Operation;
import io.sluice.event.SourcePosition;
import io.sluice.event.TableId;
import io.sluice.sink.DocumentMapper;
import io.sluice.sink.Sink;
import io.sluice.sink.TableMapping;
import io.sluice.sink.lucene.LuceneSink;
import io.sluice.sink.lucene.LuceneSinkConfig;
import io.sluice.sink.opensearch.OpenSearchSink;
import io.sluice.sink.opensearch.OpenSearchSinkConfig;
import io.sluice.sink.redis.RedisSink;
import io.sluice.sink.redis.RedisSinkConfig;
import io.sluice.testkit.OpenSearchTestNode;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.store.FSDirectory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * Each sink against its raw client doing the same writes without Sluice (no versions, no compare-and-set), on
 * the same events in one run: Redis (pipelined SET of the same JSON), Lucene (updateDocument of the same
 * fields) and OpenSearch (_bulk index without external versions). Events are inserts of distinct keys.
 */
public final class SinkBench {
    private static final TableId TABLE = new TableId("bench", "shop", "orders");
    private static final Schema KEY = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Key\",\"namespace\":\"bench\","
            + "\"fields\":[{\"name\":\"id\",\"type\":\"int\"}]}");
    private static final Schema VALUE = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Value\",\"namespace\":\"bench\","
            + "\"fields\":[{\"name\":\"id\",\"type\":\"int\"},{\"name\":\"customer\",\"type\":\"string\"},"
            + "{\"name\":\"amount\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":12,\"scale\":2}},"
            + "{\"name\":\"note\",\"type\":[\"null\",\"string\"],\"default\":null}]}");

    private SinkBench() {
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        System.out.println("Sluice sink benchmark: " + events + " events in batches of " + batch);
        System.out.println("machine: " + Machine.describe());
        System.out.println("Redis: " + RedisServer.PERSISTENCE + "; emptied before each contender");
        List<List<ChangeEvent>> batches = batches(events, batch);
        Path work = Files.createTempDirectory("sluice-sink-bench-");
        TableMapping mapping = TableMapping.defaults("{source}.{database}.{table}");
        try (RedisServer redis = RedisServer.startNew(); OpenSearchTestNode search = OpenSearchTestNode.startNew()) {
            for (int round = 1; round <= 2; round++) {
                String suffix = "r" + round;
                redis.empty();
                double redis0 = redisCpuMicros(redis);
                Rate rawRedis = rawRedis(redis, batches, mapping, suffix);
                redis.empty();
                double redis1 = redisCpuMicros(redis);
                Map<String, Rate> sweeps = new LinkedHashMap<>();
                Rate sluiceRedis = sink(new RedisSink("redis", RedisSinkConfig.parse("redis", Map.of(RedisSinkConfig.URI,
                        "redis://" + redis.host() + ":" + redis.port(), "target", "s" + suffix + ":{table}"))), batches, sweeps);
                double redis2 = redisCpuMicros(redis);
                Rate rawLucene = rawLucene(work.resolve("raw-" + suffix), batches, mapping);
                Rate sluiceLucene = sink(new LuceneSink("lucene", LuceneSinkConfig.parse("lucene", Map.of(LuceneSinkConfig.DIR,
                        work.resolve("sluice-" + suffix).toString())), Clock.systemUTC()), batches, sweeps);
                Rate sluiceLuceneSpaced = sink(new LuceneSink("lucene", LuceneSinkConfig.parse("lucene", Map.of(LuceneSinkConfig.DIR,
                        work.resolve("sluice-spaced-" + suffix).toString(), LuceneSinkConfig.REFRESH_INTERVAL_MS, "1000")), Clock.systemUTC()), batches);
                Rate rawSearch = rawOpenSearch(search, batches, mapping, "raw-" + suffix);
                Rate sluiceSearch = sink(new OpenSearchSink("search", OpenSearchSinkConfig.parse("search", Map.of(OpenSearchSinkConfig.URLS,
                        search.url(), OpenSearchSinkConfig.REPLICAS, "0", "target", "sluice-" + suffix + "-{table}",
                        OpenSearchSinkConfig.MAX_DOCS, Integer.toString(batch)))), batches, sweeps);
                String label = round == 1 ? "warm-up" : "measured";
                System.out.printf("round %d (%s)%n", round, label);
                print("redis:     ", sluiceRedis, "raw pipelined SET", rawRedis);
                System.out.printf("             the Redis server itself: sluice %.1f us/doc | raw %.1f us/doc (as it reports its own CPU)%n",
                        (redis2 - redis1) / count(batches), (redis1 - redis0) / count(batches));
                print("lucene:    ", sluiceLucene, "raw updateDocument", rawLucene);
                print("lucene, " + LuceneSinkConfig.REFRESH_INTERVAL_MS + "=1000:\n           ", sluiceLuceneSpaced, "raw updateDocument", rawLucene);
                print("opensearch:", sluiceSearch, "raw _bulk", rawSearch);
                sweeps.forEach((sink, rate) -> System.out.printf("  sweep after a snapshot, nothing to remove, %s: %,.0f docs/s read (CPU %.1f us/doc,"
                        + " servers %.1f): %.1f s for 1M documents%n", sink, rate.docsPerSecond(), rate.cpuMicros(), rate.serverMicros(),
                        1e6 / rate.docsPerSecond()));
            }
        } catch (Exception e) {
            System.err.println("benchmark could not run: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    /**
     * A contender's rate, and its CPU per document: all of it (this JVM and the servers it started) and the servers'
     * part (Redis, OpenSearch; the idle OpenSearch node's own upkeep included).
     */
    private record Rate(double docsPerSecond, double cpuMicros, double serverMicros) {
        static Rate since(long t0, Cpu.Sample cpu0, long docs) {
            double[] cpu = Cpu.now().microsPerEvent(cpu0, docs);
            return new Rate(docs / ((System.nanoTime() - t0) / 1e9), cpu[0], cpu[1]);
        }
    }

    private static void print(String target, Rate sluice, String raw, Rate baseline) {
        System.out.printf("  %s sluice %,.0f docs/s (CPU %.1f us/doc, servers %.1f) | %s %,.0f docs/s (CPU %.1f us/doc, servers %.1f) | ratio %.2f%n",
                target, sluice.docsPerSecond(), sluice.cpuMicros(), sluice.serverMicros(), raw, baseline.docsPerSecond(), baseline.cpuMicros(),
                baseline.serverMicros(), sluice.docsPerSecond() / baseline.docsPerSecond());
    }

    /** The Redis server's CPU so far (user and system), in microseconds, as it reports it: no other process counted. */
    private static double redisCpuMicros(RedisServer redis) {
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            return jedis.info("cpu").lines().filter(l -> l.startsWith("used_cpu_user:") || l.startsWith("used_cpu_sys:"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(':') + 1).trim())).sum() * 1e6;
        }
    }

    private static List<List<ChangeEvent>> batches(int events, int size) {
        Schema amount = VALUE.getField("amount").schema();
        Conversions.DecimalConversion decimals = new Conversions.DecimalConversion();
        List<List<ChangeEvent>> out = new ArrayList<>();
        List<ChangeEvent> current = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            GenericData.Record key = new GenericData.Record(KEY);
            key.put("id", i);
            GenericData.Record row = new GenericData.Record(VALUE);
            row.put("id", i);
            row.put("customer", "customer " + (i % 5000));
            row.put("amount", decimals.toBytes(BigDecimal.valueOf(i % 100_000, 2), amount, LogicalTypes.decimal(12, 2)));
            row.put("note", i % 3 == 0 ? null : "note for order " + i);
            long position = 4 + i * 100L;
            current.add(new ChangeEvent(TABLE, Operation.CREATE, key, null, row, new SourcePosition("mysql-bin.000001", position, 0, null, 1, false),
                    Instant.EPOCH, EventVersion.of(0, 1, position, 0, true)));
            if (current.size() == size) {
                out.add(current);
                current = new ArrayList<>();
            }
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    private static int count(List<List<ChangeEvent>> batches) {
        return batches.stream().mapToInt(List::size).sum();
    }

    private static Rate sink(Sink sink, List<List<ChangeEvent>> batches) {
        return sink(sink, batches, null);
    }

    /**
     * Writes the batches and flushes; then, when asked, sweeps the table as a snapshot completing at the first
     * event's position would, and records the sweep's rate in {@code sweeps} under the sink's name: every document
     * is newer, so it removes nothing and reads them all, as the sweep after a source's first snapshot does.
     */
    private static Rate sink(Sink sink, List<List<ChangeEvent>> batches, Map<String, Rate> sweeps) {
        try (sink) {
            sink.open();
            Cpu.Sample cpu0 = Cpu.now();
            long t0 = System.nanoTime();
            for (List<ChangeEvent> b : batches) {
                if (!sink.write(b).rejected().isEmpty()) {
                    throw new IllegalStateException(sink.name() + " rejected documents");
                }
            }
            sink.flush();
            Rate written = Rate.since(t0, cpu0, count(batches));
            if (sweeps != null) {
                Cpu.Sample cpu1 = Cpu.now();
                long t1 = System.nanoTime();
                long removed = sink.sweepable().orElseThrow()
                        .sweep(Map.of(TABLE, EventVersion.of(0, 1, batches.get(0).get(0).position().binlogPosition(), 0, false))).get(TABLE);
                if (removed != 0) {
                    throw new IllegalStateException(sink.name() + " swept " + removed + " documents that are newer than the snapshot");
                }
                sweeps.put(sink.name(), Rate.since(t1, cpu1, count(batches)));
            }
            return written;
        }
    }

    private static Rate rawRedis(RedisServer redis, List<List<ChangeEvent>> batches, TableMapping mapping, String suffix) {
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            Cpu.Sample cpu0 = Cpu.now();
            long t0 = System.nanoTime();
            for (List<ChangeEvent> b : batches) {
                Pipeline p = jedis.pipelined();
                for (ChangeEvent e : b) {
                    p.set("raw" + suffix + ":orders:" + e.key().get("id"), DocumentMapper.json(DocumentMapper.document(e.after(), mapping)));
                }
                p.sync();
            }
            return Rate.since(t0, cpu0, count(batches));
        }
    }

    private static Rate rawLucene(Path dir, List<List<ChangeEvent>> batches, TableMapping mapping) throws Exception {
        try (FSDirectory d = FSDirectory.open(dir); IndexWriter w = new IndexWriter(d, new IndexWriterConfig(new StandardAnalyzer()))) {
            Cpu.Sample cpu0 = Cpu.now();
            long t0 = System.nanoTime();
            for (List<ChangeEvent> b : batches) {
                for (ChangeEvent e : b) {
                    Map<String, Object> source = DocumentMapper.document(e.after(), mapping);
                    Document doc = new Document();
                    String id = e.key().get("id").toString();
                    doc.add(new StringField("_id", id, Field.Store.YES));
                    doc.add(new StoredField("_source", DocumentMapper.json(source)));
                    LuceneSink.addSearchFields(doc, source);
                    w.updateDocument(new Term("_id", id), doc);
                }
            }
            w.commit();
            return Rate.since(t0, cpu0, count(batches));
        }
    }

    private static Rate rawOpenSearch(OpenSearchTestNode search, List<List<ChangeEvent>> batches, TableMapping mapping, String index)
            throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        http.send(HttpRequest.newBuilder(URI.create(search.url() + "/" + index)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"settings\":{\"number_of_replicas\":0}}")).build(), HttpResponse.BodyHandlers.ofString());
        Cpu.Sample cpu0 = Cpu.now();
        long t0 = System.nanoTime();
        for (List<ChangeEvent> b : batches) {
            StringBuilder body = new StringBuilder();
            for (ChangeEvent e : b) {
                body.append("{\"index\":{\"_index\":\"").append(index).append("\",\"_id\":\"").append(e.key().get("id")).append("\"}}\n")
                        .append(DocumentMapper.json(DocumentMapper.document(e.after(), mapping))).append('\n');
            }
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(search.url() + "/_bulk"))
                    .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200 || r.body().contains("\"errors\":true")) {
                throw new IllegalStateException("raw _bulk failed: " + r.body().substring(0, Math.min(300, r.body().length())));
            }
        }
        return Rate.since(t0, cpu0, count(batches));
    }
}
