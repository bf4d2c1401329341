package io.sluice.sink.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.event.ChangeEvent;
import io.sluice.event.Operation;
import io.sluice.event.TableId;
import io.sluice.sink.DeleteMode;
import io.sluice.sink.DocumentMapper;
import io.sluice.sink.FatalSinkException;
import io.sluice.sink.ReadableSink;
import io.sluice.sink.RetriableSinkException;
import io.sluice.sink.SchemaOutcome;
import io.sluice.sink.Sink;
import io.sluice.sink.TableMapping;
import io.sluice.sink.WriteResult;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.apache.avro.Schema;

/**
 * Keeps OpenSearch 2.x (or Elasticsearch 8.x) indexes in step with the source through the {@code _bulk} API,
 * which both speak alike, with {@code version_type=external}: the event's version is the document's version, so
 * the cluster itself refuses anything older than what it holds; such a 409 counts as success. Deleted documents'
 * versions are remembered for {@code tombstone.ttl.ms} ({@code index.gc_deletes}).
 *
 * <p>Indexes are created from the Avro schema before the first write; additive schema changes extend the mapping,
 * others are reported as needing a reindex. A document the cluster refuses (a mapping conflict, a value it cannot
 * parse) is returned as a rejection while the rest of the batch lands. Up to {@code bulk.max.in.flight} requests
 * run at once, each over its own partition of document ids, so a document's writes stay in order.
 *
 * <p>Not thread-safe: one caller thread, as the {@link io.sluice.sink.Sink} contract says.
 */
public final class OpenSearchSink implements ReadableSink {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OpenSearchSink.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The index that holds each OpenSearch sink's {@linkplain #generation() generation}, one document per sink. */
    public static final String GENERATION_INDEX = "sluice-generations";

    private final String name;
    private final OpenSearchSinkConfig config;
    private final TableMapping mapping;
    private final HttpClient http;
    private final String authorization;
    private final ExecutorService pool;
    private final Map<String, Schema> preparedIndexes = new HashMap<>();
    /** Tables being reindexed, to the new index every change of theirs is written to as well. */
    private final Map<TableId, String> reindexing = new java.util.concurrent.ConcurrentHashMap<>();
    private int current;

    public OpenSearchSink(String name, OpenSearchSinkConfig config) {
        this.name = name;
        this.config = config;
        this.mapping = config.mapping();
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(config.timeoutMs()));
        if (config.tlsInsecure()) {
            b.sslContext(trustAll());
        }
        this.http = b.build();
        if (!config.apiKey().isEmpty()) {
            this.authorization = "ApiKey " + config.apiKey();
        } else if (!config.username().isEmpty()) {
            this.authorization = "Basic " + Base64.getEncoder().encodeToString((config.username() + ":" + config.password())
                    .getBytes(StandardCharsets.UTF_8));
        } else {
            this.authorization = null;
        }
        this.pool = Executors.newFixedThreadPool(config.inFlight(), r -> {
            Thread t = new Thread(r, "sluice-opensearch-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void open() {
        HttpResponse<String> r = send("GET", "", null);
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            throw new FatalSinkException("OpenSearch sink '" + name + "': the cluster refused the credentials (HTTP " + r.statusCode()
                    + "); check opensearch.username/password or opensearch.api.key", null);
        }
        if (r.statusCode() / 100 != 2) {
            throw new RetriableSinkException("OpenSearch sink '" + name + "': cluster answered HTTP " + r.statusCode(), null);
        }
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
        String index = render(rows.get(0).table());
        com.fasterxml.jackson.databind.node.ArrayNode ids = JSON.createArrayNode();
        rows.forEach(e -> ids.add(mapping.id().render(e)));
        HttpResponse<String> r = send("POST", "/" + index + "/_mget?realtime=true", JSON.createObjectNode().set("ids", ids).toString());
        List<String> out = new ArrayList<>(rows.size());
        if (r.statusCode() == 404) {
            rows.forEach(e -> out.add(null));
            return out;
        }
        if (r.statusCode() != 200) {
            throw failure("read documents back from " + index, r);
        }
        for (JsonNode doc : read(r.body()).path("docs")) {
            out.add(doc.path("found").asBoolean() ? doc.path("_source").toString() : null);
        }
        return out;
    }

    @Override
    public void scanIds(TableId table, java.util.function.Consumer<List<String>> batch) {
        String index = render(table);
        HttpResponse<String> r = send("POST", "/" + index + "/_search?scroll=1m", "{\"size\": 5000, \"_source\": false, \"sort\": [\"_doc\"]}");
        if (r.statusCode() == 404) {
            return;
        }
        String scroll = null;
        try {
            while (true) {
                if (r.statusCode() != 200) {
                    throw failure("list the documents of " + index, r);
                }
                JsonNode page = read(r.body());
                scroll = page.path("_scroll_id").asText(null);
                List<String> ids = new ArrayList<>();
                page.path("hits").path("hits").forEach(h -> ids.add(h.path("_id").asText()));
                if (ids.isEmpty()) {
                    return;
                }
                batch.accept(ids);
                r = send("POST", "/_search/scroll", JSON.createObjectNode().put("scroll", "1m").put("scroll_id", scroll).toString());
            }
        } finally {
            if (scroll != null) {
                send("DELETE", "/_search/scroll", JSON.createObjectNode().put("scroll_id", scroll).toString());
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
        Map<TableId, Long> removed = new java.util.LinkedHashMap<>();
        snapshots.forEach((table, version) -> removed.put(table, sweep(table, version)));
        return removed;
    }

    private long sweep(TableId table, long snapshotVersion) {
        String index = render(table);
        boolean mark = mapping.deleteMode() == DeleteMode.MARK;
        HttpResponse<String> refreshed = send("POST", enc(index) + "/_refresh", null);
        if (refreshed.statusCode() == 404) {
            return 0;
        }
        if (refreshed.statusCode() / 100 != 2) {
            throw failure("refresh " + index + " before a sweep", refreshed);
        }
        String next = reindexing.get(table);
        List<Action> actions = new ArrayList<>();
        HttpResponse<String> r = send("POST", "/" + enc(index) + "/_search?scroll=1m",
                "{\"size\": 5000, \"version\": true, \"_source\": " + mark + ", \"sort\": [\"_doc\"]}");
        String scroll = null;
        try {
            while (true) {
                if (r.statusCode() != 200) {
                    throw failure("list the documents of " + index + " with their versions", r);
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
                        actions.add(removal(target, id, snapshotVersion - 1, mark ? (ObjectNode) hit.path("_source") : null));
                    }
                }
                r = send("POST", "/_search/scroll", JSON.createObjectNode().put("scroll", "1m").put("scroll_id", scroll).toString());
            }
        } finally {
            if (scroll != null) {
                send("DELETE", "/_search/scroll", JSON.createObjectNode().put("scroll_id", scroll).toString());
            }
        }
        // A refusal for good (the cluster's state is retried inside) leaves that document as it is: retrying would
        // hold the pipeline for ever; verify with repair finds it.
        List<WriteResult.Rejection> refused = sendPartition(actions);
        if (!refused.isEmpty()) {
            LOG.warn("OpenSearch sink '{}': the sweep of {} was refused for {} documents, which stay (first: {}); verify with --repair removes them",
                    name, index, refused.size(), refused.get(0).reason());
        }
        return Math.max(0, (next == null ? actions.size() : actions.size() / 2) - refused.size());
    }

    /** A delete, or under mark the marked source, of a document by id at a version. */
    private static Action removal(String index, String id, long version, ObjectNode source) {
        if (source != null) {
            source.put(DocumentMapper.DELETED_FIELD, true);
        }
        return versioned(null, index, id, version, source == null ? null : source.toString());
    }

    /** The index of a table under this sink's target template. */
    public String indexOf(TableId table) {
        return render(table);
    }

    private String render(TableId table) {
        return mapping.target().renderIndex(table);
    }

    @Override
    public SchemaOutcome prepare(TableId table, Schema valueSchema) {
        String index = render(table);
        ObjectNode wanted = IndexMappings.properties(valueSchema, mapping);
        HttpResponse<String> existing = send("GET", enc(index) + "/_mapping", null);
        if (existing.statusCode() == 404) {
            // The table's name is an alias of a concrete index, so that a reindex can later swap another one in
            // without removing anything a search may be reading.
            String concrete = index + "-000001";
            ObjectNode body = newIndex(wanted);
            body.putObject("aliases").putObject(index);
            HttpResponse<String> created = send("PUT", enc(concrete), body.toString());
            if (created.statusCode() / 100 != 2 && !created.body().contains("resource_already_exists_exception")) {
                throw failure("create index " + concrete + " behind alias " + index, created);
            }
            preparedIndexes.put(index, valueSchema);
            return SchemaOutcome.applied("created index " + concrete + " behind alias " + index);
        }
        if (existing.statusCode() / 100 != 2) {
            throw failure("read the mapping of " + index, existing);
        }
        JsonNode current = read(existing.body()).path(index).path("mappings").path("properties");
        if (current.isMissingNode()) {
            // an alias: the response is keyed by the concrete index
            var it = read(existing.body()).elements();
            current = it.hasNext() ? it.next().path("mappings").path("properties") : null;
        }
        IndexMappings.Diff diff = IndexMappings.diff(current, wanted);
        if (!diff.add().isEmpty()) {
            HttpResponse<String> put = send("PUT", enc(index) + "/_mapping", JSON.createObjectNode().set("properties", diff.add()).toString());
            if (put.statusCode() / 100 != 2) {
                throw failure("extend the mapping of " + index, put);
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
        int partitions = config.inFlight();
        List<List<Action>> parts = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
            parts.add(new ArrayList<>());
        }
        for (ChangeEvent e : batch) {
            String index = render(e.table());
            if (e.row() != null && preparedIndexes.get(index) != e.row().getSchema()) {
                prepare(e.table(), e.row().getSchema());
            }
            try {
                Action a = action(index, e);
                List<Action> part = parts.get(Math.floorMod(a.id().hashCode(), partitions));
                part.add(a);
                String next = reindexing.get(e.table());
                if (next != null) {
                    part.add(action(next, e)); // same partition: the two indexes see a key's changes in the same order
                }
            } catch (IllegalArgumentException ex) {
                rejected.add(new WriteResult.Rejection(e, ex.getMessage()));
            }
        }
        List<CompletableFuture<List<WriteResult.Rejection>>> futures = new ArrayList<>();
        for (List<Action> part : parts) {
            if (!part.isEmpty()) {
                futures.add(CompletableFuture.supplyAsync(() -> sendPartition(part), pool));
            }
        }
        for (CompletableFuture<List<WriteResult.Rejection>> f : futures) {
            try {
                rejected.addAll(f.join());
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new RetriableSinkException("OpenSearch sink '" + name + "' failed: " + e.getCause(), e.getCause());
            }
        }
        return new WriteResult(rejected);
    }

    private record Action(ChangeEvent event, String id, String lines) {
    }

    private Action action(String index, ChangeEvent e) {
        String id = mapping.id().render(e);
        if (e.operation() == Operation.DELETE && mapping.deleteMode() == DeleteMode.DELETE) {
            return versioned(e, index, id, e.version(), null);
        }
        Map<String, Object> doc = DocumentMapper.document(e.row(), mapping);
        if (e.operation() == Operation.DELETE) {
            doc.put(DocumentMapper.DELETED_FIELD, true);
        }
        return versioned(e, index, id, e.version(), DocumentMapper.json(doc));
    }

    /** A bulk action at an external version: the document's JSON indexed, or a delete when {@code source} is null. */
    private static Action versioned(ChangeEvent e, String index, String id, long version, String source) {
        ObjectNode meta = JSON.createObjectNode();
        meta.putObject(source == null ? "delete" : "index").put("_index", index).put("_id", id).put("version", version)
                .put("version_type", "external");
        return new Action(e, id, source == null ? meta + "\n" : meta + "\n" + source + "\n");
    }

    private List<WriteResult.Rejection> sendPartition(List<Action> actions) {
        List<WriteResult.Rejection> rejected = new ArrayList<>();
        int from = 0;
        while (from < actions.size()) {
            StringBuilder body = new StringBuilder();
            int to = from;
            while (to < actions.size() && to - from < config.maxDocs()
                    && (to == from || body.length() + actions.get(to).lines().length() <= config.maxBytes())) {
                body.append(actions.get(to).lines());
                to++;
            }
            rejected.addAll(bulk(actions.subList(from, to), body.toString()));
            from = to;
        }
        return rejected;
    }

    /**
     * A write block on the index or the cluster (an operator's, or the disk's flood stage): the cluster's state, not
     * the document's, so the write is retried (the pipeline waits) rather than dead-lettered.
     */
    private static final String BLOCKED = "cluster_block_exception";

    private List<WriteResult.Rejection> bulk(List<Action> actions, String body) {
        HttpResponse<String> r = send("POST", "_bulk", body);
        if (r.statusCode() == 403 && r.body().contains(BLOCKED)) {
            throw new RetriableSinkException("OpenSearch sink '" + name + "': the cluster refuses writes for now (HTTP 403 " + brief(r.body()) + ")", null);
        }
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            throw new FatalSinkException("OpenSearch sink '" + name + "': _bulk refused (HTTP " + r.statusCode() + "): " + brief(r.body()), null);
        }
        if (r.statusCode() / 100 != 2) {
            throw new RetriableSinkException("OpenSearch sink '" + name + "': _bulk answered HTTP " + r.statusCode() + ": " + brief(r.body()), null);
        }
        JsonNode items = read(r.body()).path("items");
        List<WriteResult.Rejection> rejected = new ArrayList<>();
        for (int i = 0; i < actions.size(); i++) {
            JsonNode item = items.get(i);
            JsonNode result = item == null ? null : item.elements().next();
            int status = result == null ? 500 : result.path("status").asInt(500);
            if (status / 100 == 2 || status == 409 || (status == 404 && result.has("result"))) {
                continue; // written; or the index already holds a newer version; or a delete of a missing document
            }
            String reason = result == null ? "no item in the bulk response" : result.path("error").path("type").asText() + ": "
                    + result.path("error").path("reason").asText();
            if (status == 429 || status >= 500 || BLOCKED.equals(result.path("error").path("type").asText())) {
                throw new RetriableSinkException("OpenSearch sink '" + name + "': cluster busy or failing (" + status + " " + reason + ")", null);
            }
            rejected.add(new WriteResult.Rejection(actions.get(i).event(), "HTTP " + status + " " + reason));
        }
        return rejected;
    }

    /**
     * The document named after the sink in the index {@value #GENERATION_INDEX}, created when missing (the index
     * with one shard and this sink's replicas): a cluster that lost its data, or a new one behind the same
     * address, has none. An index of a table deleted alone is not seen so.
     */
    @Override
    public java.util.Optional<String> generation() {
        String doc = enc(GENERATION_INDEX) + "/_doc/" + enc(name);
        HttpResponse<String> found = send("GET", doc, null);
        if (found.statusCode() == 404) {
            ObjectNode index = JSON.createObjectNode();
            index.putObject("settings").put("number_of_shards", 1).put("number_of_replicas", config.replicas());
            HttpResponse<String> created = send("PUT", enc(GENERATION_INDEX), index.toString());
            if (created.statusCode() / 100 != 2 && !String.valueOf(created.body()).contains("resource_already_exists_exception")) {
                throw failure("create the index " + GENERATION_INDEX + " for its generation", created);
            }
            ObjectNode token = JSON.createObjectNode().put("generation", java.util.UUID.randomUUID().toString());
            HttpResponse<String> put = send("PUT", enc(GENERATION_INDEX) + "/_create/" + enc(name) + "?refresh=true", token.toString());
            if (put.statusCode() / 100 != 2 && put.statusCode() != 409) { // 409: another writer of this sink created it first
                throw failure("write its generation to " + GENERATION_INDEX, put);
            }
            found = send("GET", doc, null);
        }
        if (found.statusCode() != 200) {
            throw failure("read its generation from " + GENERATION_INDEX, found);
        }
        String generation = read(found.body()).path("_source").path("generation").asText("");
        if (generation.isEmpty()) {
            throw new FatalSinkException("OpenSearch sink '" + name + "': the document " + name + " of " + GENERATION_INDEX + " holds no"
                    + " generation; delete it and Sluice writes a new one", null);
        }
        return java.util.Optional.of(generation);
    }

    /** Bulk writes are durable (translog) once acknowledged; nothing is buffered here. */
    @Override
    public void flush() {
        // nothing buffered
    }

    /**
     * Starts a reindex of a table: creates a new index with the mapping of the table's schema, and from now on
     * writes every change of the table to it as well. Fill it with {@link #writeReindex}, then swap it in with
     * {@link #finishReindex} or drop it with {@link #abortReindex}.
     *
     * @return the new index's name
     * @throws IllegalStateException if the table is being reindexed already
     */
    public String startReindex(TableId table, Schema valueSchema, long stamp) {
        if (reindexing.containsKey(table)) {
            throw new IllegalStateException("table " + table + " is being reindexed into " + reindexing.get(table) + " already");
        }
        String index = render(table) + "-reindex-" + stamp;
        HttpResponse<String> created = send("PUT", enc(index), newIndex(IndexMappings.properties(valueSchema, mapping)).toString());
        if (created.statusCode() / 100 != 2) {
            throw failure("create index " + index, created);
        }
        preparedIndexes.put(index, valueSchema);
        reindexing.put(table, index);
        return index;
    }

    /** The body that creates an index: this sink's settings (tombstones kept as long as configured) and a mapping. */
    private ObjectNode newIndex(ObjectNode properties) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("settings").put("number_of_shards", config.shards()).put("number_of_replicas", config.replicas())
                .put("index.gc_deletes", config.tombstoneTtlMs() + "ms");
        body.putObject("mappings").set("properties", properties);
        return body;
    }

    /** Writes rows of a table being reindexed to its new index only. */
    public WriteResult writeReindex(List<ChangeEvent> rows) {
        List<Action> actions = new ArrayList<>();
        List<WriteResult.Rejection> rejected = new ArrayList<>();
        for (ChangeEvent e : rows) {
            String next = reindexing.get(e.table());
            if (next == null) {
                throw new IllegalStateException("table " + e.table() + " is not being reindexed");
            }
            try {
                actions.add(action(next, e));
            } catch (IllegalArgumentException ex) {
                rejected.add(new WriteResult.Rejection(e, ex.getMessage()));
            }
        }
        rejected.addAll(sendPartition(actions));
        return new WriteResult(rejected);
    }

    /**
     * Swaps the new index in: in one atomic {@code _aliases} request the table's alias moves to the new index, so
     * that a search by that name never fails and never sees half of each. The indexes it named so far are deleted
     * {@value #RETIRE_DELAY_SECONDS} s later, when searches that started on them are over. A table whose name is
     * still a concrete index (created before the sink used aliases) has it removed in the same request instead.
     */
    public void finishReindex(TableId table) {
        String next = reindexing.get(table);
        if (next == null) {
            throw new IllegalStateException("table " + table + " is not being reindexed");
        }
        String name = render(table);
        List<String> old = new ArrayList<>();
        boolean concrete = false;
        HttpResponse<String> aliases = send("GET", "_alias/" + enc(name), null);
        if (aliases.statusCode() == 200) {
            read(aliases.body()).fieldNames().forEachRemaining(old::add);
        } else if (send("HEAD", enc(name), null).statusCode() == 200) {
            concrete = true;
        }
        ObjectNode body = JSON.createObjectNode();
        var actions = body.putArray("actions");
        actions.addObject().putObject("add").put("index", next).put("alias", name);
        if (concrete) {
            actions.addObject().putObject("remove_index").put("index", name);
        }
        for (String index : old) {
            actions.addObject().putObject("remove").put("index", index).put("alias", name);
        }
        HttpResponse<String> r = send("POST", "_aliases", body.toString());
        if (r.statusCode() / 100 != 2) {
            throw failure("swap " + next + " in behind " + name, r);
        }
        reindexing.remove(table);
        preparedIndexes.remove(name);
        preparedIndexes.keySet().removeAll(old);
        CompletableFuture.runAsync(() -> old.forEach(index -> {
            try {
                deleteIndex(index);
            } catch (RuntimeException e) {
                LOG.warn("OpenSearch sink '{}' could not delete the retired index {}: {}", name, index, e.getMessage());
            }
        }), CompletableFuture.delayedExecutor(RETIRE_DELAY_SECONDS, java.util.concurrent.TimeUnit.SECONDS));
    }

    /** How long an index swapped out by a reindex stays, for the searches that started on it. */
    static final long RETIRE_DELAY_SECONDS = 10;

    /** Deletes an index (a new index a stopped server left behind); a missing one is fine. */
    public void deleteIndex(String index) {
        HttpResponse<String> r = send("DELETE", enc(index), null);
        if (r.statusCode() / 100 != 2 && r.statusCode() != 404) {
            throw failure("delete index " + index, r);
        }
    }

    /** Stops a reindex and deletes its new index; the table's current index stays as it is. */
    public void abortReindex(TableId table) {
        String next = reindexing.remove(table);
        if (next != null) {
            send("DELETE", enc(next), null);
            preparedIndexes.remove(next);
        }
    }

    /** Makes written documents visible to searches now (tests, and verify after a backfill). */
    public void refresh(TableId table) {
        HttpResponse<String> r = send("POST", enc(render(table)) + "/_refresh", null);
        if (r.statusCode() / 100 != 2) {
            throw failure("refresh", r);
        }
    }

    private HttpResponse<String> send(String method, String path, String body) {
        List<URI> urls = config.urls();
        IOException last = null;
        for (int attempt = 0; attempt < urls.size(); attempt++) {
            URI base = urls.get((current + attempt) % urls.size());
            HttpRequest.Builder req = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMillis(config.timeoutMs()))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                req.header("Content-Type", path.endsWith("_bulk") ? "application/x-ndjson" : "application/json");
            }
            if (authorization != null) {
                req.header("Authorization", authorization);
            }
            try {
                HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
                current = (current + attempt) % urls.size();
                return r;
            } catch (IOException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RetriableSinkException("OpenSearch sink '" + name + "' interrupted", e);
            }
        }
        throw new RetriableSinkException("OpenSearch sink '" + name + "': no node of " + urls + " is reachable: " + last, last);
    }

    private RuntimeException failure(String what, HttpResponse<String> r) {
        String message = "OpenSearch sink '" + name + "' could not " + what + ": HTTP " + r.statusCode() + " " + brief(r.body());
        if (r.statusCode() == 401 || r.statusCode() == 403 || r.statusCode() == 400) {
            return new FatalSinkException(message, null);
        }
        return new RetriableSinkException(message, null);
    }

    private static String brief(String body) {
        return body == null ? "" : body.length() > 500 ? body.substring(0, 500) + "..." : body;
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new RetriableSinkException("OpenSearch answered something that is not JSON: " + brief(body), e);
        }
    }

    private static String enc(String index) {
        return URLEncoder.encode(index, StandardCharsets.UTF_8);
    }

    private static SSLContext trustAll() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException("cannot build an insecure TLS context", e);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
