package io.sluice.sink.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.sluice.sink.RetriableSinkException;
import io.sluice.sink.TestEvents;
import io.sluice.sink.WriteResult;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How the sink reads Elasticsearch 8 and 9 {@code _bulk} answers, taken from Elasticsearch's documentation ("Bulk API":
 * per-item status and error; "Optimistic concurrency control" and external versioning: a version conflict is 409
 * {@code version_conflict_engine_exception}; 8.8 renamed a document's parse failure {@code document_parsing_exception};
 * the flood-stage block is 429 {@code cluster_block_exception}). No Elasticsearch server runs on the build machine: the
 * real-server suite runs OpenSearch, which answers in the same shapes.
 */
class ElasticsearchBulkTest {
    /** Three items: written, refused as older than the stored version, and a delete of a missing document. */
    private static final String WRITTEN_CONFLICT_MISSING = """
            {"took": 30, "errors": true, "items": [
              {"index": {"_index": "shop.customers", "_id": "1", "_version": 1000, "result": "created", "_shards": {"total": 2,
                "successful": 1, "failed": 0}, "_seq_no": 0, "_primary_term": 1, "status": 201}},
              {"index": {"_index": "shop.customers", "_id": "2", "status": 409, "error": {"type": "version_conflict_engine_exception",
                "reason": "[2]: version conflict, current version [2000] is higher than the one provided [1100]",
                "index_uuid": "aAsFqTI0Tc2W0LCWgPNrOA", "shard": "0", "index": "shop.customers"}}},
              {"delete": {"_index": "shop.customers", "_id": "3", "_version": 1200, "result": "not_found", "_shards": {"total": 2,
                "successful": 1, "failed": 0}, "_seq_no": 5, "_primary_term": 1, "status": 404}}]}""";
    /** Elasticsearch 8.8+: a value the mapping cannot take. */
    private static final String DOCUMENT_PARSING = """
            {"took": 3, "errors": true, "items": [
              {"index": {"_index": "shop.customers", "_id": "1", "status": 400, "error": {"type": "document_parsing_exception",
                "reason": "[1:42] failed to parse field [balance] of type [double] in document with id '1'. Preview of field's value: 'x'",
                "caused_by": {"type": "number_format_exception", "reason": "For input string: \\"x\\""}}}}]}""";
    /** The flood-stage watermark: the index is read-only until disk frees up (Elasticsearch 7.4+). */
    private static final String FLOOD_STAGE = """
            {"took": 1, "errors": true, "items": [
              {"index": {"_index": "shop.customers", "_id": "1", "status": 429, "error": {"type": "cluster_block_exception",
                "reason": "index [shop.customers] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark,
             index has read-only-allow-delete block];"}}}]}""";

    private HttpServer server;
    private final AtomicReference<String> answer = new AtomicReference<>();
    private final AtomicReference<String> contentType = new AtomicReference<>();
    private OpenSearchBulk bulk;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/_bulk", exchange -> {
            contentType.set(exchange.getRequestHeaders().getFirst("Content-Type"));
            exchange.getRequestBody().readAllBytes();
            byte[] bytes = answer.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        OpenSearchSinkConfig config = OpenSearchSinkConfig.parse("search", Map.of(OpenSearchSinkConfig.URLS, "http://127.0.0.1:"
                + server.getAddress().getPort()));
        bulk = new OpenSearchBulk("search", config, new OpenSearchHttp("search", config));
    }

    @AfterEach
    void stop() {
        bulk.close();
        server.stop(0);
    }

    private List<WriteResult.Rejection> send(String response, int items) {
        answer.set(response);
        List<OpenSearchBulk.Action> actions = List.of(bulk.action("shop.customers", TestEvents.upsert(1, "Ada", 100)),
                bulk.action("shop.customers", TestEvents.upsert(2, "Grace", 110)), bulk.action("shop.customers", TestEvents.delete(3, 120)));
        return bulk.send(actions.subList(0, items));
    }

    @Test
    void shouldCountAVersionConflictAndADeleteOfAMissingDocumentAsWritten() {
        assertThat(send(WRITTEN_CONFLICT_MISSING, 3)).isEmpty();
        assertThat(contentType.get()).as("what Elasticsearch 8 and 9 take for _bulk").isEqualTo("application/x-ndjson");
    }

    @Test
    void shouldDeadLetterADocumentElasticsearchCannotParse() {
        assertThat(send(DOCUMENT_PARSING, 1)).singleElement().satisfies(r -> assertThat(r.reason())
                .contains("HTTP 400 document_parsing_exception").contains("failed to parse field [balance]"));
    }

    @Test
    void shouldWaitWhileTheFloodStageBlocksWrites() {
        assertThatThrownBy(() -> send(FLOOD_STAGE, 1)).isInstanceOf(RetriableSinkException.class).hasMessageContaining("429")
                .hasMessageContaining("flood-stage");
    }
}
