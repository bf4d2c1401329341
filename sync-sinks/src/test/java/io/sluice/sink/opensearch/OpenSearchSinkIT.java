package io.sluice.sink.opensearch;

import static io.sluice.sink.TestEvents.delete;
import static io.sluice.sink.TestEvents.upsert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.sink.DocumentMapper;
import io.sluice.sink.OutageLoad;
import io.sluice.sink.Reindexable;
import io.sluice.sink.RetriableSinkException;
import io.sluice.sink.RetryPolicy;
import io.sluice.sink.SchemaOutcome;
import io.sluice.sink.SinkContractIT;
import io.sluice.sink.SinkRunner;
import io.sluice.sink.TestEvents;
import io.sluice.sink.dlq.DeadLetter;
import io.sluice.sink.dlq.JdbcDeadLetterQueue;
import io.sluice.testkit.MetadataDatabase;
import io.sluice.testkit.OpenSearchTestNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.avro.Schema;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenSearch sink against a real OpenSearch 2.19 node started from Maven artifacts in its own JVM: the sink
 * contract, and what is OpenSearch's own. Each test writes indexes of a prefix of its own.
 */
class OpenSearchSinkIT extends SinkContractIT<OpenSearchSink> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private OpenSearchTestNode node;
    private String prefix;

    @BeforeEach
    void start() {
        node = OpenSearchTestNode.shared();
        prefix = "t" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Override
    protected OpenSearchSink newSink(Map<String, String> keys) {
        return newSink(node, keys);
    }

    @Override
    protected Set<Class<?>> moreCapabilities() {
        return Set.of(Reindexable.class);
    }

    /** Every document of the table's index as a search finds it once refreshed, with its version and source as written. */
    @Override
    protected Map<String, Stored> documents(OpenSearchSink sink) throws Exception {
        HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + "/" + index() + "/_refresh")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + "/" + index() + "/_search"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"size\": 1000, \"version\": true}")).build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Stored> out = new LinkedHashMap<>();
        for (JsonNode hit : DocumentMapper.tree(r.body()).path("hits").path("hits")) {
            out.put(hit.path("_id").asText(), new Stored(hit.path("_version").asLong(), hit.path("_source").toString()));
        }
        return out;
    }

    @Override
    protected void makeListable(OpenSearchSink sink) {
        sink.refresh(TestEvents.TABLE);
    }

    /** What a wiped cluster, or a new one behind the same address, lacks: the table's index and the generation. */
    @Override
    protected void loseData(OpenSearchSink sink) throws Exception {
        HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + "/" + index() + "-000001")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + "/" + OpenSearchSink.GENERATION_INDEX + "/_doc/search?refresh=true"))
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    protected void generationKept(String generation) throws Exception {
        assertThat(get(node, OpenSearchSink.GENERATION_INDEX + "/_doc/search").path("_source").path("generation").asText()).isEqualTo(generation);
    }

    /** The removal is seen by a real-time get before any refresh. */
    @Override
    protected void afterSweep(OpenSearchSink sink) throws Exception {
        assertThat(get(node, index() + "/_doc/4").path("found").asBoolean()).isFalse();
    }

    private OpenSearchSink newSink(OpenSearchTestNode on, Map<String, String> extra) {
        Map<String, String> props = new HashMap<>(Map.of(OpenSearchSinkConfig.URLS, on.url(), OpenSearchSinkConfig.REPLICAS, "0",
                "target", prefix + "-{table}"));
        props.putAll(extra);
        return new OpenSearchSink("search", OpenSearchSinkConfig.parse("search", props));
    }

    private OpenSearchSink sink(OpenSearchTestNode on, Map<String, String> extra) {
        OpenSearchSink sink = newSink(on, extra);
        sink.open();
        return sink;
    }

    private String index() {
        return prefix + "-customers";
    }

    private JsonNode get(OpenSearchTestNode on, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(on.url() + "/" + path)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    private void put(String path, String body) throws Exception {
        HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + "/" + path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldIndexUpdateAndDeleteWithExternalVersions() throws Exception {
        try (OpenSearchSink sink = sink(node, Map.of())) {
            sink.write(List.of(upsert(1, "Ada", 100), upsert(2, "Grace", 110)));
            JsonNode doc = get(node, index() + "/_doc/1");
            assertThat(doc.path("_version").asLong()).isEqualTo(upsert(1, "Ada", 100).version());
            assertThat(doc.path("_source").path("name").asText()).isEqualTo("Ada");
            assertThat(doc.path("_source").path("balance").decimalValue()).isEqualByComparingTo("12.50");
            JsonNode mapping = get(node, index() + "/_mapping").elements().next().path("mappings").path("properties");
            assertThat(mapping.path("name").path("type").asText()).isEqualTo("text");
            assertThat(mapping.path("name").path("fields").path("keyword").path("type").asText()).isEqualTo("keyword");
            assertThat(mapping.path("balance").path("type").asText()).isEqualTo("scaled_float");
            assertThat(mapping.path("joined").path("type").asText()).isEqualTo("date");

            sink.write(List.of(upsert(1, "Ada L.", 120), delete(2, 130)));
            assertThat(get(node, index() + "/_doc/1").path("_source").path("name").asText()).isEqualTo("Ada L.");
            assertThat(get(node, index() + "/_doc/2").path("found").asBoolean()).isFalse();
        }
    }

    @Test
    void shouldSendRefusedDocumentsToTheDeadLetterQueueAndLandThemOnReplayAfterAFix() throws Exception {
        // A mapping that conflicts with the data: 'name' as an integer.
        put(index(), "{\"settings\":{\"number_of_replicas\":0},\"mappings\":{\"properties\":{\"name\":{\"type\":\"integer\"}}}}");
        JdbcDeadLetterQueue dlq = new JdbcDeadLetterQueue(MetadataDatabase.inMemory(), Clock.systemUTC());
        try (OpenSearchSink sink = sink(node, Map.of())) {
            SinkRunner runner = new SinkRunner(sink, dlq, RetryPolicy.defaults(), Clock.systemUTC(), d -> Thread.sleep(d.toMillis()));
            runner.write(List.of(upsert(1, "Ada", 100), upsert(2, "42", 110), upsert(3, "Linus", 120)));

            assertThat(get(node, index() + "/_doc/2").path("found").asBoolean()).isTrue();
            List<DeadLetter> letters = dlq.list("search", 10);
            assertThat(letters).extracting(d -> d.event().key().get("id")).containsExactly(1, 3);
            assertThat(letters.get(0).reason()).contains("mapper_parsing_exception");
            assertThat(runner.status().deadLetters()).isEqualTo(2);

            // The fix: rebuild the index with the mapping derived from the schema.
            HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + "/" + index())).DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(sink.prepare(TestEvents.TABLE, TestEvents.VALUE).applied()).isTrue();
            List<Long> landed = runner.replay(letters.stream().map(DeadLetter::id).toList(), false);

            assertThat(landed).hasSize(2);
            assertThat(dlq.size("search")).isZero();
            assertThat(get(node, index() + "/_doc/1").path("_source").path("name").asText()).isEqualTo("Ada");
        }
    }

    @Test
    void shouldRetryNotRejectWhileTheIndexIsBlockedForWritesAndLandEverythingOnceUnblocked() throws Exception {
        try (OpenSearchSink sink = sink(node, Map.of())) {
            sink.write(List.of(upsert(1, "Ada", 100)));
            put(index() + "/_settings", "{\"index.blocks.write\":true}"); // an operator's block, or the disk's flood stage
            assertThatThrownBy(() -> sink.write(List.of(upsert(1, "Ada King", 120), upsert(2, "Grace", 110))))
                    .isInstanceOf(RetriableSinkException.class).hasMessageContaining("search").hasMessageContaining("cluster_block_exception");
            put(index() + "/_settings", "{\"index.blocks.write\":false}");
            assertThat(sink.write(List.of(upsert(1, "Ada King", 120), upsert(2, "Grace", 110))).rejected()).isEmpty();
            assertThat(get(node, index() + "/_doc/1").path("_source").path("name").asText()).isEqualTo("Ada King");
            assertThat(get(node, index() + "/_doc/2").path("found").asBoolean()).isTrue();
        }
    }

    @Test
    void shouldExtendTheMappingForAdditiveChangesAndAskForAReindexOtherwise() throws Exception {
        try (OpenSearchSink sink = sink(node, Map.of())) {
            sink.prepare(TestEvents.TABLE, TestEvents.VALUE);
            Schema added = new Schema.Parser().parse(TestEvents.VALUE.toString().replace("]}", ",{\"name\":\"tier\",\"type\":\"int\",\"default\":1}]}"));
            SchemaOutcome outcome = sink.prepare(TestEvents.TABLE, added);
            assertThat(outcome.applied()).isTrue();
            assertThat(get(node, index() + "/_mapping").elements().next().path("mappings").path("properties").path("tier").path("type").asText())
                    .isEqualTo("integer");
            Schema changed = new Schema.Parser().parse(added.toString().replace("{\"name\":\"id\",\"type\":\"int\"}", "{\"name\":\"id\",\"type\":\"string\"}"));
            SchemaOutcome conflict = sink.prepare(TestEvents.TABLE, changed);
            assertThat(conflict.applied()).isFalse();
            assertThat(conflict.detail()).contains("id: index has integer, schema needs text").contains("reindex");
        }
    }

    @Test
    void shouldLoseNothingWhileTheClusterIsDown() throws Exception {
        OpenSearchTestNode own = OpenSearchTestNode.startNew();
        try (OpenSearchSink sink = sink(own, Map.of())) {
            SinkRunner runner = OutageLoad.runner(sink, Duration.ofMillis(50), Duration.ofMillis(500));
            OutageLoad load = OutageLoad.start(runner, 100, 10, Duration.ofMillis(10));
            await().atMost(Duration.ofSeconds(60)).until(() -> load.handedOut() > 10);
            own.stop();
            await().atMost(Duration.ofSeconds(30)).until(() -> !runner.status().healthy());
            int stuck = load.handedOut();
            Thread.sleep(1500);
            assertThat(load.handedOut()).isEqualTo(stuck);
            own.start();
            assertThat(load.finish(Duration.ofSeconds(120))).isEmpty();
            HTTP.send(HttpRequest.newBuilder(URI.create(own.url() + "/" + index() + "/_refresh")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(get(own, index() + "/_count").path("count").asLong()).isEqualTo(1000);
        } finally {
            own.close();
        }
    }
}
