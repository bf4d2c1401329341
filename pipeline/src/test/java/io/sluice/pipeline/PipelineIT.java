package io.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.capture.CaptureState;
import io.sluice.capture.CaptureWorker;
import io.sluice.capture.SourceConfig;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import io.sluice.event.TableId;
import io.sluice.review.SchemaGate;
import io.sluice.sink.SearchQuery;
import io.sluice.sink.Sink;
import io.sluice.sink.SinkRunner;
import io.sluice.sink.dlq.JdbcDeadLetterQueue;
import io.sluice.sink.lucene.LuceneSink;
import io.sluice.sink.lucene.LuceneSinkConfig;
import io.sluice.sink.opensearch.OpenSearchSink;
import io.sluice.sink.opensearch.OpenSearchSinkConfig;
import io.sluice.sink.redis.RedisSink;
import io.sluice.sink.redis.RedisSinkConfig;
import io.sluice.testkit.MetadataDatabase;
import io.sluice.testkit.OpenSearchTestNode;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The embedded mode end to end on real servers: MariaDB → capture → OpenSearch + Redis + Lucene, with inserts,
 * updates and deletes under load and a restart of capture and sinks in the middle; afterwards every target
 * equals the source table.
 */
class PipelineIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final TableId TABLE = new TableId("e2e", "e2e_shop", "customers");

    @TempDir
    Path dir;

    @Test
    void shouldKeepEveryTargetEqualToTheSourceThroughALoadAndARestart() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        RedisServer redis = RedisServer.shared();
        OpenSearchTestNode search = OpenSearchTestNode.shared();
        db.createCaptureUser("e2e_capture", "e2e-Pw-1");
        db.recreateDatabase("e2e_shop");
        db.execute("CREATE TABLE e2e_shop.customers (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(200) NULL,"
                + " balance DECIMAL(10,2) NOT NULL)");
        for (int i = 1; i <= 50; i++) {
            db.execute("INSERT INTO e2e_shop.customers VALUES (" + i + ", 'name " + i + "', NULL, " + i + ".50)");
        }
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            jedis.flushAll();
        }
        Map<String, String> source = Map.of(SourceConfig.NAME, "e2e", SourceConfig.TYPE, "mariadb", SourceConfig.HOST, db.host(),
                SourceConfig.PORT, Integer.toString(db.port()), SourceConfig.USER, "e2e_capture", SourceConfig.PASSWORD, "e2e-Pw-1",
                SourceConfig.DATABASES, "e2e_shop", SourceConfig.SERVER_ID, "6101", SourceConfig.DATA_DIR, dir.resolve("data").toString(),
                SourceConfig.OFFSET_FLUSH_MS, "0");

        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> load(db, writing), "e2e-writer");
        CaptureWorker worker = start(source, "0");
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> worker.status().state() instanceof CaptureState.Streaming);
            writer.start();
            Thread.sleep(3000);
        } finally {
            worker.close(); // the "server" stops in the middle of the load...
        }
        Thread.sleep(1000);
        // ...and comes back with new sinks over the same targets, checkpointing and reopening the index at most every
        // 500 ms: what the writer's last changes reach Lucene by is the checkpoint of the source's idle heartbeats.
        Map<String, String> spaced = new HashMap<>(source);
        spaced.put(SourceConfig.SINK_FLUSH_MS, "500");
        CaptureWorker restarted = start(spaced, "500");
        try {
            Thread.sleep(3000);
            writing.set(false);
            writer.join();
            Map<Integer, String> expected = sourceRows(db);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                assertThat(redisRows(redis)).isEqualTo(expected);
                assertThat(luceneRows()).isEqualTo(expected);
                assertThat(openSearchRows(search)).isEqualTo(expected);
            });
            assertThat(expected.size()).isGreaterThan(50);
        } finally {
            restarted.close();
        }
    }

    private CaptureWorker start(Map<String, String> source, String luceneRefreshMs) {
        RedisServer redis = RedisServer.shared();
        OpenSearchTestNode search = OpenSearchTestNode.shared();
        JdbcDeadLetterQueue dlq = new JdbcDeadLetterQueue(MetadataDatabase.inMemory(), Clock.systemUTC());
        List<Pipeline.Route> routes = List.of(
                route(new RedisSink("cache", RedisSinkConfig.parse("cache", Map.of(RedisSinkConfig.URI, "redis://" + redis.host() + ":" + redis.port()))), dlq),
                route(lucene(luceneRefreshMs), dlq),
                route(new OpenSearchSink("search", OpenSearchSinkConfig.parse("search", Map.of(OpenSearchSinkConfig.URLS, search.url(),
                        OpenSearchSinkConfig.REPLICAS, "0", "target", "e2e-{table}"))), dlq));
        CaptureWorker worker = new CaptureWorker(SourceConfig.parse(source), new Pipeline("e2e", routes), SchemaGate.permissive(), Clock.systemUTC());
        worker.start();
        return worker;
    }

    private LuceneSink luceneSink;

    private LuceneSink lucene(String refreshMs) {
        if (luceneSink != null) {
            luceneSink.close(); // the index files stay; a restarted "server" reopens them
        }
        luceneSink = new LuceneSink("index", LuceneSinkConfig.parse("index", Map.of(LuceneSinkConfig.DIR, dir.resolve("lucene").toString(),
                LuceneSinkConfig.REFRESH_INTERVAL_MS, refreshMs)), Clock.systemUTC());
        return luceneSink;
    }

    private static Pipeline.Route route(Sink sink, JdbcDeadLetterQueue dlq) {
        return new Pipeline.Route(SinkRunner.of(sink, dlq), t -> t.table().equals("customers"));
    }

    /** Random inserts, updates and deletes, one transaction each. */
    private static void load(MariaDbServer db, AtomicBoolean writing) {
        Random random = new Random(7);
        try (Connection c = db.connect("e2e_shop"); Statement s = c.createStatement()) {
            int next = 51;
            while (writing.get()) {
                int op = random.nextInt(10);
                if (op < 5) {
                    s.execute("INSERT INTO customers VALUES (" + next + ", 'new " + next + "', 'n" + next + "@example.org', " + next + ".25)");
                    next++;
                } else if (op < 8) {
                    int id = 1 + random.nextInt(next - 1);
                    s.execute("UPDATE customers SET name = 'updated " + random.nextInt(1000) + "', balance = balance + 1 WHERE id = " + id);
                } else {
                    s.execute("DELETE FROM customers WHERE id = " + (1 + random.nextInt(next - 1)));
                }
                Thread.sleep(5);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** id → "name|email|balance" as the source has it now. */
    private static Map<Integer, String> sourceRows(MariaDbServer db) throws Exception {
        Map<Integer, String> out = new TreeMap<>();
        try (Connection c = db.connect("e2e_shop"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id, name, email, balance FROM customers")) {
            while (rs.next()) {
                out.put(rs.getInt(1), row(rs.getString(2), rs.getString(3), rs.getBigDecimal(4)));
            }
        }
        return out;
    }

    private static String row(String name, String email, BigDecimal balance) {
        return name + "|" + email + "|" + balance.setScale(2).toPlainString();
    }

    private static String row(JsonNode doc) {
        return row(doc.path("name").asText(), doc.path("email").isNull() ? null : doc.path("email").asText(),
                doc.path("balance").decimalValue());
    }

    private static Map<Integer, String> redisRows(RedisServer redis) throws Exception {
        Map<Integer, String> out = new TreeMap<>();
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            for (String key : jedis.keys("e2e:e2e_shop:customers:{*}")) {
                String id = key.substring(key.indexOf('{') + 1, key.indexOf('}'));
                out.put(Integer.parseInt(id), row(JSON.readTree(jedis.get(key))));
            }
        }
        return out;
    }

    private Map<Integer, String> luceneRows() throws Exception {
        Map<Integer, String> out = new TreeMap<>();
        for (Map<String, Object> hit : luceneSink.search(TABLE, new SearchQuery.All(), 0, 1000).hits()) {
            out.put(Integer.parseInt((String) hit.get("_id")), row(JSON.valueToTree(hit)));
        }
        return out;
    }

    private static Map<Integer, String> openSearchRows(OpenSearchTestNode search) throws Exception {
        HTTP.send(HttpRequest.newBuilder(URI.create(search.url() + "/e2e-customers/_refresh")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode hits = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(search.url() + "/e2e-customers/_search?size=10000")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).path("hits").path("hits");
        Map<Integer, String> out = new HashMap<>();
        for (JsonNode hit : hits) {
            out.put(Integer.parseInt(hit.path("_id").asText()), row(hit.path("_source")));
        }
        return new TreeMap<>(out);
    }
}
