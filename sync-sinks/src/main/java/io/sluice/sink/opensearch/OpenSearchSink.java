package io.sluice.sink.opensearch;

import static io.sluice.sink.opensearch.OpenSearchHttp.JSON;
import static io.sluice.sink.opensearch.OpenSearchHttp.enc;
import static io.sluice.sink.opensearch.OpenSearchHttp.read;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.event.ChangeEvent;
import io.sluice.event.TableId;
import io.sluice.sink.DeleteMode;
import io.sluice.sink.DocumentMapper;
import io.sluice.sink.FatalSinkException;
import io.sluice.sink.Generational;
import io.sluice.sink.ReadableSink;
import io.sluice.sink.Reindexable;
import io.sluice.sink.RetriableSinkException;
import io.sluice.sink.SchemaOutcome;
import io.sluice.sink.Sink;
import io.sluice.sink.Sweepable;
import io.sluice.sink.TableMapping;
import io.sluice.sink.WriteResult;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps OpenSearch 2.x (or Elasticsearch 8.x) indexes in step with the source through the {@code _bulk} API,
 * which both speak alike, with {@code version_type=external}: the event's version is the document's version, so
 * the cluster itself refuses anything older than what it holds; such a 409 counts as success. Deleted documents'
 * versions are remembered for {@code tombstone.ttl.ms} ({@code index.gc_deletes}).
 *
 * <p>Indexes are created from the Avro schema before the first write, each behind an alias named after the table;
 * additive schema changes extend the mapping, others are reported as needing a reindex ({@link #reindexable()}). A
 * document the cluster refuses (a mapping conflict, a value it cannot parse) is returned as a rejection while the
 * rest of the batch lands. Up to {@code bulk.max.in.flight} requests run at once, each over its own partition of
 * document ids, so a document's writes stay in order.
 *
 * <p>Capabilities: {@link Sweepable}, {@link Generational}, {@link ReadableSink} and {@link Reindexable}.
 *
 * <p>Not thread-safe: one caller thread, as the {@link Sink} contract says.
 */
public final class OpenSearchSink implements ReadableSink, Sweepable, Generational {
    private static final Logger LOG = LoggerFactory.getLogger(OpenSearchSink.class);
    /** The index that holds each OpenSearch sink's {@linkplain #generation() generation}, one document per sink. */
    public static final String GENERATION_INDEX = "sluice-generations";

    private final String name;
    private final OpenSearchSinkConfig config;
    private final TableMapping mapping;
    private final OpenSearchHttp http;
    private final OpenSearchBulk bulk;
    private final OpenSearchReindex reindex;
    /** The indexes whose mapping is ready, with the schema it was made for. */
    private final Map<String, Schema> preparedIndexes = new HashMap<>();

    public OpenSearchSink(String name, OpenSearchSinkConfig config) {
        this.name = name;
        this.config = config;
        this.mapping = config.mapping();
        this.http = new OpenSearchHttp(name, config);
        this.bulk = new OpenSearchBulk(name, config, http);
        this.reindex = new OpenSearchReindex(name, config, http, bulk, preparedIndexes);
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Asks the cluster who it is. Refused credentials (401) are fatal; a refusal of {@code GET /} alone (403) is not:
     * a user with the least rights (read and write on the sink's indexes, no {@code cluster:monitor/main}) may not
     * ask, and what the sink does is checked as it does it.
     */
    @Override
    public void open() {
        HttpResponse<String> r = http.send("GET", "", null);
        if (r.statusCode() == 401) {
            throw new FatalSinkException("OpenSearch sink '" + name + "': the cluster refused the credentials (HTTP 401); check"
                    + " opensearch.username/password or opensearch.api.key", null);
        }
        if (r.statusCode() == 403) {
            LOG.info("sink={} may not read the cluster's name and version (HTTP 403 on GET /, no cluster monitor right); going on: its"
                    + " own requests on its indexes are checked as they run", name);
            return;
        }
        if (r.statusCode() / 100 != 2) {
            throw new RetriableSinkException("OpenSearch sink '" + name + "': cluster answered HTTP " + r.statusCode(), null);
        }
        LOG.info("sink={} writes to {}", name, SearchCluster.of(r.body()));
    }

    @Override
    public Optional<Sweepable> sweepable() {
        return Optional.of(this);
    }

    @Override
    public Optional<Generational> generational() {
        return Optional.of(this);
    }

    @Override
    public Optional<Reindexable> reindexable() {
        return Optional.of(reindex);
    }

    @Override
    public TableMapping mapping() {
        return mapping;
    }

    @Override
    public List<String> readBack(List<ChangeEvent> rows) {
        if (rows.isEmpty()) {
            return List.of();
        }
        String index = indexOf(rows.get(0).table());
        ArrayNode ids = JSON.createArrayNode();
        rows.forEach(e -> ids.add(mapping.id().render(e)));
        HttpResponse<String> r = http.send("POST", "/" + index + "/_mget?realtime=true", JSON.createObjectNode().set("ids", ids).toString());
        List<String> out = new ArrayList<>(rows.size());
        if (r.statusCode() == 404) {
            rows.forEach(e -> out.add(null));
            return out;
        }
        if (r.statusCode() != 200) {
            throw http.failure("read documents back from " + index, r);
        }
        for (JsonNode doc : read(r.body()).path("docs")) {
            out.add(doc.path("found").asBoolean() ? doc.path("_source").toString() : null);
        }
        return out;
    }

    @Override
    public void scanIds(TableId table, Consumer<List<String>> batch) {
        String index = indexOf(table);
        HttpResponse<String> r = http.send("POST", "/" + index + "/_search?scroll=1m", "{\"size\": 5000, \"_source\": false, \"sort\": [\"_doc\"]}");
        if (r.statusCode() == 404) {
            return;
        }
        String scroll = null;
        try {
            while (true) {
                if (r.statusCode() != 200) {
                    throw http.failure("list the documents of " + index, r);
                }
                JsonNode page = read(r.body());
                scroll = page.path("_scroll_id").asText(null);
                List<String> ids = new ArrayList<>();
                page.path("hits").path("hits").forEach(h -> ids.add(h.path("_id").asText()));
                if (ids.isEmpty()) {
                    return;
                }
                batch.accept(ids);
                r = http.send("POST", "/_search/scroll", JSON.createObjectNode().put("scroll", "1m").put("scroll_id", scroll).toString());
            }
        } finally {
            if (scroll != null) {
                http.send("DELETE", "/_search/scroll", JSON.createObjectNode().put("scroll_id", scroll).toString());
            }
        }
    }

    /**
     * Refreshes the table's index, scrolls through it with each document's version, and sends the documents below
     * the snapshot's version as external-version deletes at {@code snapshotVersion - 1} (under
     * {@code delete.mode=mark}: their source, marked): a document written in between holds a newer version and
     * OpenSearch refuses the delete with a conflict, which counts as done. A reindex under way gets them too.
     */
    @Override
    public Map<TableId, Long> sweep(Map<TableId, Long> snapshots) {
        Map<TableId, Long> removed = new LinkedHashMap<>();
        snapshots.forEach((table, version) -> removed.put(table, sweep(table, version)));
        return removed;
    }

    private long sweep(TableId table, long snapshotVersion) {
        String index = indexOf(table);
        boolean mark = mapping.deleteMode() == DeleteMode.MARK;
        HttpResponse<String> refreshed = http.send("POST", enc(index) + "/_refresh", null);
        if (refreshed.statusCode() == 404) {
            return 0;
        }
        if (refreshed.statusCode() / 100 != 2) {
            throw http.failure("refresh " + index + " before a sweep", refreshed);
        }
        String next = reindex.newIndexOf(table);
        List<OpenSearchBulk.Action> actions = new ArrayList<>();
        HttpResponse<String> r = http.send("POST", "/" + enc(index) + "/_search?scroll=1m",
                "{\"size\": 5000, \"version\": true, \"_source\": " + mark + ", \"sort\": [\"_doc\"]}");
        String scroll = null;
        try {
            while (true) {
                if (r.statusCode() != 200) {
                    throw http.failure("list the documents of " + index + " with their versions", r);
                }
                JsonNode page;
                try {
                    page = DocumentMapper.tree(r.body()); // marked sources are written again as they were
                } catch (IllegalArgumentException e) {
                    throw new RetriableSinkException("OpenSearch sink '" + name + "': unreadable search page from " + index + ": " + e.getMessage(), e);
                }
                scroll = page.path("_scroll_id").asText(null);
                JsonNode hits = page.path("hits").path("hits");
                if (hits.isEmpty()) {
                    break;
                }
                for (JsonNode hit : hits) {
                    if (hit.path("_version").asLong(Long.MAX_VALUE) >= snapshotVersion
                            || (mark && hit.path("_source").path(DocumentMapper.DELETED_FIELD).asBoolean(false))) {
                        continue;
                    }
                    String id = hit.path("_id").asText();
                    for (String target : next == null ? List.of(index) : List.of(index, next)) {
                        actions.add(OpenSearchBulk.removal(target, id, snapshotVersion - 1, mark ? (ObjectNode) hit.path("_source") : null));
                    }
                }
                r = http.send("POST", "/_search/scroll", JSON.createObjectNode().put("scroll", "1m").put("scroll_id", scroll).toString());
            }
        } finally {
            if (scroll != null) {
                http.send("DELETE", "/_search/scroll", JSON.createObjectNode().put("scroll_id", scroll).toString());
            }
        }
        // A refusal for good (the cluster's state is retried inside) leaves that document as it is: retrying would
        // hold the pipeline for ever; verify with repair finds it.
        List<WriteResult.Rejection> refused = bulk.send(actions);
        if (!refused.isEmpty()) {
            LOG.warn("OpenSearch sink '{}': the sweep of {} was refused for {} documents, which stay (first: {}); verify with --repair removes them",
                    name, index, refused.size(), refused.get(0).reason());
        }
        return Math.max(0, (next == null ? actions.size() : actions.size() / 2) - refused.size());
    }

    /** The index (an alias, for the indexes this sink created) of a table under this sink's target template. */
    public String indexOf(TableId table) {
        return mapping.target().renderIndex(table);
    }

    /**
     * Creates the table's index when missing, as a concrete index behind an alias named after the table, so that a
     * reindex can later swap another one in without removing anything a search may be reading; extends the mapping
     * of an existing one with added fields.
     */
    @Override
    public SchemaOutcome prepare(TableId table, Schema valueSchema) {
        String index = indexOf(table);
        ObjectNode wanted = IndexMappings.properties(valueSchema, mapping);
        HttpResponse<String> existing = http.send("GET", enc(index) + "/_mapping", null);
        if (existing.statusCode() == 404) {
            String concrete = index + "-000001";
            ObjectNode body = reindex.newIndex(wanted);
            body.putObject("aliases").putObject(index);
            HttpResponse<String> created = http.send("PUT", enc(concrete), body.toString());
            if (created.statusCode() / 100 != 2 && !created.body().contains("resource_already_exists_exception")) {
                throw http.failure("create index " + concrete + " behind alias " + index, created);
            }
            preparedIndexes.put(index, valueSchema);
            return SchemaOutcome.applied("created index " + concrete + " behind alias " + index);
        }
        if (existing.statusCode() / 100 != 2) {
            throw http.failure("read the mapping of " + index, existing);
        }
        JsonNode current = read(existing.body()).path(index).path("mappings").path("properties");
        if (current.isMissingNode()) {
            // an alias: the response is keyed by the concrete index
            Iterator<JsonNode> it = read(existing.body()).elements();
            current = it.hasNext() ? it.next().path("mappings").path("properties") : null;
        }
        IndexMappings.Diff diff = IndexMappings.diff(current, wanted);
        if (!diff.add().isEmpty()) {
            HttpResponse<String> put = http.send("PUT", enc(index) + "/_mapping", JSON.createObjectNode().set("properties", diff.add()).toString());
            if (put.statusCode() / 100 != 2) {
                throw http.failure("extend the mapping of " + index, put);
            }
        }
        preparedIndexes.put(index, valueSchema);
        if (!diff.conflicts().isEmpty()) {
            return SchemaOutcome.needsReindex("index " + index + " cannot take the new schema in place: " + diff.conflicts()
                    + "; it needs a reindex: backfill into a new index and swap the alias");
        }
        return SchemaOutcome.applied(diff.add().isEmpty() ? "mapping of " + index + " unchanged" : "added " + diff.add().size()
                + " fields to " + index);
    }

    @Override
    public WriteResult write(List<ChangeEvent> batch) {
        List<WriteResult.Rejection> rejected = new ArrayList<>();
        List<List<OpenSearchBulk.Action>> parts = new ArrayList<>();
        for (int i = 0; i < bulk.partitions(); i++) {
            parts.add(new ArrayList<>());
        }
        for (ChangeEvent e : batch) {
            String index = indexOf(e.table());
            if (e.row() != null && preparedIndexes.get(index) != e.row().getSchema()) {
                prepare(e.table(), e.row().getSchema());
            }
            try {
                OpenSearchBulk.Action a = bulk.action(index, e);
                List<OpenSearchBulk.Action> part = parts.get(bulk.partition(a.id()));
                part.add(a);
                String next = reindex.newIndexOf(e.table());
                if (next != null) {
                    part.add(bulk.action(next, e)); // same partition: the two indexes see a key's changes in the same order
                }
            } catch (IllegalArgumentException ex) {
                rejected.add(new WriteResult.Rejection(e, ex.getMessage()));
            }
        }
        rejected.addAll(bulk.sendAll(parts));
        return new WriteResult(rejected);
    }

    /**
     * The document named after the sink in the index {@value #GENERATION_INDEX}, created when missing (the index
     * with one shard and this sink's replicas): a cluster that lost its data, or a new one behind the same
     * address, has none. An index of a table deleted alone is not seen so.
     */
    @Override
    public String generation() {
        String doc = enc(GENERATION_INDEX) + "/_doc/" + enc(name);
        HttpResponse<String> found = http.send("GET", doc, null);
        if (found.statusCode() == 404) {
            ObjectNode index = JSON.createObjectNode();
            index.putObject("settings").put("number_of_shards", 1).put("number_of_replicas", config.replicas());
            HttpResponse<String> created = http.send("PUT", enc(GENERATION_INDEX), index.toString());
            if (created.statusCode() / 100 != 2 && !String.valueOf(created.body()).contains("resource_already_exists_exception")) {
                throw http.failure("create the index " + GENERATION_INDEX + " for its generation", created);
            }
            ObjectNode token = JSON.createObjectNode().put("generation", UUID.randomUUID().toString());
            HttpResponse<String> put = http.send("PUT", enc(GENERATION_INDEX) + "/_create/" + enc(name) + "?refresh=true", token.toString());
            if (put.statusCode() / 100 != 2 && put.statusCode() != 409) { // 409: another writer of this sink created it first
                throw http.failure("write its generation to " + GENERATION_INDEX, put);
            }
            found = http.send("GET", doc, null);
        }
        if (found.statusCode() != 200) {
            throw http.failure("read its generation from " + GENERATION_INDEX, found);
        }
        String generation = read(found.body()).path("_source").path("generation").asText("");
        if (generation.isEmpty()) {
            throw new FatalSinkException("OpenSearch sink '" + name + "': the document " + name + " of " + GENERATION_INDEX + " holds no"
                    + " generation; delete it and Sluice writes a new one", null);
        }
        return generation;
    }

    /** Bulk writes are durable (translog) once acknowledged; nothing is buffered here. */
    @Override
    public void flush() {
        // nothing buffered
    }

    /** Makes written documents visible to searches now (tests, and verify after a backfill). */
    public void refresh(TableId table) {
        HttpResponse<String> r = http.send("POST", enc(indexOf(table)) + "/_refresh", null);
        if (r.statusCode() / 100 != 2) {
            throw http.failure("refresh", r);
        }
    }

    @Override
    public void close() {
        bulk.close();
    }
}
