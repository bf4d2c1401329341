package io.sluice.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import io.sluice.embedded.ServerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.Jedis;

/**
 * The demo's source, sinks, pipeline and view, configured through the server's REST API as a user would, and the
 * waits until they deliver: the source streams, the snapshot is in Lucene and Redis, the view's documents are built.
 */
final class DemoPipeline {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SluiceApi api;
    private final DemoServers servers;
    private final double rate;
    private final DemoConsole console;
    private final Runnable checkNotClosing;

    /**
     * @param rate the changes per second the generator makes (0: the source goes quiet after its snapshot)
     * @param checkNotClosing throws {@link DemoException} once the demo is being stopped, which ends the waits
     */
    DemoPipeline(SluiceApi api, DemoServers servers, double rate, DemoConsole console, Runnable checkNotClosing) {
        this.api = api;
        this.servers = servers;
        this.rate = rate;
        this.console = console;
        this.checkNotClosing = checkNotClosing;
    }

    /**
     * Registers the source (reporting the preflight's warnings), the Lucene and Redis sinks and the pipeline.
     *
     * @throws DemoException if the preflight finds an error or a sink cannot connect
     */
    void configure(String captureUser, String capturePassword) {
        MariaDbServer db = servers.db();
        JsonNode created = api.post("/api/v1/sources", db.sourceRequest(Demo.SOURCE, captureUser, capturePassword, Shop.DATABASE,
                Demo.CAPTURE_SERVER_ID));
        StringBuilder errors = new StringBuilder();
        for (JsonNode f : created.path("preflight").path("findings")) {
            String severity = f.path("severity").asText();
            String line = f.path("check").asText() + ": " + f.path("message").asText(f.toString())
                    + (f.hasNonNull("fix") ? " (fix: " + f.path("fix").asText() + ")" : "");
            if ("ERROR".equals(severity)) {
                errors.append("\n  ").append(line);
            } else if ("WARNING".equals(severity)) {
                console.println("    preflight warning: " + line);
            }
        }
        if (!errors.isEmpty()) {
            throw new DemoException("the server's preflight refused the demo's MariaDB:" + errors);
        }
        sink(Map.of("name", Demo.LUCENE_SINK, "type", "lucene", "config", Map.of()));
        sink(Map.of("name", Demo.REDIS_SINK, "type", "redis", "config", Map.of("redis.uri", "redis://127.0.0.1:" + servers.redis().port())));
        api.post("/api/v1/pipelines", Map.of("name", Demo.PIPELINE, "source", Demo.SOURCE, "tables", List.of(Shop.DATABASE + ".*"),
                "sinks", List.of(Demo.LUCENE_SINK, Demo.REDIS_SINK)));
    }

    private void sink(Map<String, Object> body) {
        JsonNode created = api.post("/api/v1/sinks", body);
        if (!created.path("connection").path("ok").asBoolean(false)) {
            throw new DemoException("sink '" + body.get("name") + "' could not connect: " + created.path("connection").path("message").asText());
        }
    }

    /**
     * Waits until the source streams past its snapshot.
     *
     * @throws DemoException with the end of the server's log if it fails, is held or does not stream in time
     */
    void awaitStreaming(Duration timeout) {
        ServerProcess server = servers.server();
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode status = null;
        long streamingSince = 0;
        while (System.nanoTime() < deadline) {
            checkNotClosing.run();
            status = api.get("/api/v1/sources/" + Demo.SOURCE + "/status");
            String state = status.path("state").asText();
            if ("streaming".equals(state)) {
                // The state reads "streaming" at the first heartbeat, possibly before the last snapshot rows were
                // delivered; a binlog position (not "... (snapshot)") as the last one delivered means they were.
                String position = status.path("lastPosition").asText("");
                boolean pastSnapshot = !position.isEmpty() && !position.endsWith("(snapshot)");
                if (streamingSince == 0) {
                    streamingSince = System.nanoTime();
                }
                boolean quietAndComplete = rate == 0 && status.path("eventsTotal").asLong() >= seededRows()
                        && System.nanoTime() - streamingSince > Duration.ofSeconds(3).toNanos();
                if (pastSnapshot || quietAndComplete) {
                    return;
                }
            } else {
                streamingSince = 0;
            }
            if ("failed".equals(state) || "held".equals(state)) {
                throw new DemoException("source '" + Demo.SOURCE + "' is " + state + ": " + status.path("reason").asText()
                        + (status.hasNonNull("fix") ? "\n  fix: " + status.path("fix").asText() : "") + "\nthe end of " + server.log() + ":\n"
                        + server.tail(30));
            }
            Demo.sleep(300);
        }
        throw new DemoException("source '" + Demo.SOURCE + "' did not reach streaming in " + timeout.toSeconds() + " s; its status: " + status
                + "\nthe end of " + server.log() + ":\n" + server.tail(30));
    }

    /** Waits (60 s at most) until the example product is in Redis and a product in the Lucene index. */
    void awaitSnapshotInTargets() {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            checkNotClosing.run();
            if (redisGet(Demo.exampleKey()) != null && searchTotal("lamp") > 0) {
                return;
            }
            Demo.sleep(300);
        }
        ServerProcess server = servers.server();
        throw new DemoException("the snapshot did not reach Redis or Lucene within 60 s (no " + Demo.exampleKey() + " in Redis, or no product"
                + " in the index); the end of " + server.log() + ":\n" + server.tail(30));
    }

    /**
     * Creates the view {@value Demo#VIEW} (an order with its customer and its items, each with its product) from
     * {@code orders-view.json}, and waits (60 s at most) until its documents are built.
     *
     * @return the first document the view builds, for the summary's examples
     * @throws DemoException if the server refuses the view or does not build it in time
     */
    JsonNode createView() {
        JsonNode definition;
        try (InputStream in = DemoPipeline.class.getResourceAsStream("orders-view.json")) {
            definition = JSON.readTree(in);
        } catch (IOException | RuntimeException e) {
            throw new DemoException("cannot read the demo's view definition orders-view.json: " + e.getMessage(), e);
        }
        api.post("/api/v1/views", definition);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            checkNotClosing.run();
            JsonNode rebuilds = api.get("/api/v1/views/" + Demo.VIEW + "/rebuilds");
            String state = rebuilds.path(0).path("state").asText();
            if ("succeeded".equals(state)) {
                return api.get("/api/v1/views/" + Demo.VIEW + "/preview?limit=1").path(0);
            }
            if ("failed".equals(state)) {
                throw new DemoException("the view '" + Demo.VIEW + "' could not be built: " + rebuilds.path(0).path("reason").asText());
            }
            Demo.sleep(300);
        }
        ServerProcess server = servers.server();
        throw new DemoException("the view '" + Demo.VIEW + "' was not built within 60 s; the end of " + server.log() + ":\n" + server.tail(30));
    }

    /**
     * Puts the demo's data contracts in force through review, as a person would (propose, then approve): a product's
     * price must be positive (a change that breaks it goes to the dead letters), a customer's email is masked in every
     * target; then backfills the customers so that the rows the snapshot wrote are masked too.
     *
     * @throws DemoException if the server refuses a rule set or the backfill fails
     */
    void applyRules() {
        for (String table : List.of("products", "customers")) {
            JsonNode change;
            try (InputStream in = DemoPipeline.class.getResourceAsStream(table + "-rules.json")) {
                change = JSON.readTree(in);
            } catch (IOException | RuntimeException e) {
                throw new DemoException("cannot read the demo's rules " + table + "-rules.json: " + e.getMessage(), e);
            }
            JsonNode proposal = api.post("/api/v1/rules/" + Demo.SOURCE + "/" + Shop.DATABASE + "." + table + "/proposals", change);
            api.post("/api/v1/rules/proposals/" + proposal.path("id").asLong() + "/approve", Map.of("reason", "the demo's data contract"));
        }
        JsonNode backfill = api.post("/api/v1/backfills", Map.of("pipeline", Demo.PIPELINE, "tables", List.of(Shop.DATABASE + ".customers")));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            checkNotClosing.run();
            String state = api.get("/api/v1/backfills/" + backfill.path("id").asLong()).path("state").asText();
            if ("succeeded".equals(state)) {
                return;
            }
            if ("failed".equals(state) || "cancelled".equals(state)) {
                throw new DemoException("the backfill of the customers under their rules " + state);
            }
            Demo.sleep(300);
        }
        throw new DemoException("the backfill of the customers under their rules did not end within 60 s");
    }

    String redisGet(String key) {
        RedisServer redis = servers.redis();
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            return jedis.get(key);
        }
    }

    /** How many products of the Lucene index have this word in their name. */
    long searchTotal(String word) {
        return api.get(SluiceApi.query("/api/v1/sinks/" + Demo.LUCENE_SINK + "/search", Map.of("table", Demo.SOURCE + "." + Shop.DATABASE
                + ".products", "field", "name", "q", word, "size", "1"))).path("total").asLong();
    }

    private static int seededRows() {
        return Shop.SEED_CUSTOMERS + Shop.SEED_PRODUCTS + Shop.SEED_ORDERS;
    }
}
