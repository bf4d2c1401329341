package io.sluice.sink.opensearch;

import static io.sluice.sink.opensearch.OpenSearchHttp.JSON;
import static io.sluice.sink.opensearch.OpenSearchHttp.brief;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.event.ChangeEvent;
import io.sluice.event.Operation;
import io.sluice.sink.DeleteMode;
import io.sluice.sink.DocumentMapper;
import io.sluice.sink.FatalSinkException;
import io.sluice.sink.RetriableSinkException;
import io.sluice.sink.TableMapping;
import io.sluice.sink.WriteResult;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An OpenSearch sink's writes through the {@code _bulk} API, each at an external version ({@code external_gte}, see
 * {@link io.sluice.sink.Sink} for why the same version may rewrite): the event's version is the document's, so the
 * cluster itself refuses anything older than what it holds, and such a 409 counts as written. A
 * document the cluster refuses for good is returned as a rejection; a busy or blocked cluster is retriable.
 *
 * <p>Up to {@code bulk.max.in.flight} partitions are sent at once, each on a thread of this sink's pool and in
 * requests of at most {@code bulk.max.docs} actions and {@code bulk.max.bytes} bytes; a document always goes to the
 * same partition, so its writes stay in order. Used by the sink's writing thread only.
 */
final class OpenSearchBulk implements AutoCloseable {
    /**
     * A write block on the index or the cluster (an operator's, or the disk's flood stage): the cluster's state, not
     * the document's, so the write is retried (the pipeline waits) rather than dead-lettered.
     */
    private static final String BLOCKED = "cluster_block_exception";

    /**
     * One bulk action.
     *
     * @param event the event it writes, or null for a sweep's removal
     * @param id the document's id
     * @param lines the action's NDJSON lines
     */
    record Action(ChangeEvent event, String id, String lines) {
    }

    private final String sink;
    private final OpenSearchSinkConfig config;
    private final TableMapping mapping;
    private final OpenSearchHttp http;
    private final ExecutorService pool;

    OpenSearchBulk(String sink, OpenSearchSinkConfig config, OpenSearchHttp http) {
        this.sink = sink;
        this.config = config;
        this.mapping = config.mapping();
        this.http = http;
        this.pool = Executors.newFixedThreadPool(config.inFlight(), r -> {
            Thread t = new Thread(r, "sluice-opensearch-" + sink);
            t.setDaemon(true);
            return t;
        });
    }

    /** How many partitions a batch is spread over. */
    int partitions() {
        return config.inFlight();
    }

    /** The partition of a document: always the same for an id. */
    int partition(String id) {
        return Math.floorMod(id.hashCode(), config.inFlight());
    }

    /**
     * The action that applies an event to an index: its document indexed (marked under {@code delete.mode=mark} for a
     * delete), or a delete.
     *
     * @throws IllegalArgumentException if the event does not fit the id template or cannot be mapped
     */
    Action action(String index, ChangeEvent e) {
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

    /** A delete, or under mark the marked source, of a document by id at a version. */
    static Action removal(String index, String id, long version, ObjectNode source) {
        if (source != null) {
            source.put(DocumentMapper.DELETED_FIELD, true);
        }
        return versioned(null, index, id, version, source == null ? null : source.toString());
    }

    /** A bulk action at an external version: the document's JSON indexed, or a delete when {@code source} is null. */
    private static Action versioned(ChangeEvent e, String index, String id, long version, String source) {
        ObjectNode meta = JSON.createObjectNode();
        meta.putObject(source == null ? "delete" : "index").put("_index", index).put("_id", id).put("version", version)
                .put("version_type", "external_gte");
        return new Action(e, id, source == null ? meta + "\n" : meta + "\n" + source + "\n");
    }

    /**
     * Sends partitions at the same time, each on a thread of the pool.
     *
     * @return the rejections of every partition
     * @throws RetriableSinkException if any partition failed for a reason that may pass
     * @throws FatalSinkException if the cluster refused the credentials
     */
    List<WriteResult.Rejection> sendAll(List<List<Action>> parts) {
        List<CompletableFuture<List<WriteResult.Rejection>>> futures = new ArrayList<>();
        for (List<Action> part : parts) {
            if (!part.isEmpty()) {
                futures.add(CompletableFuture.supplyAsync(() -> send(part), pool));
            }
        }
        List<WriteResult.Rejection> rejected = new ArrayList<>();
        for (CompletableFuture<List<WriteResult.Rejection>> f : futures) {
            try {
                rejected.addAll(f.join());
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new RetriableSinkException("OpenSearch sink '" + sink + "' failed: " + e.getCause(), e.getCause());
            }
        }
        return rejected;
    }

    /** Sends one partition's actions in order, in as many requests as the bulk limits need, on the calling thread. */
    List<WriteResult.Rejection> send(List<Action> actions) {
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

    private List<WriteResult.Rejection> bulk(List<Action> actions, String body) {
        HttpResponse<String> r = http.send("POST", "_bulk", body);
        if (r.statusCode() == 403 && r.body().contains(BLOCKED)) {
            throw new RetriableSinkException("OpenSearch sink '" + sink + "': the cluster refuses writes for now (HTTP 403 " + brief(r.body()) + ")", null);
        }
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            throw new FatalSinkException("OpenSearch sink '" + sink + "': _bulk refused (HTTP " + r.statusCode() + "): " + brief(r.body()), null);
        }
        if (r.statusCode() / 100 != 2) {
            throw new RetriableSinkException("OpenSearch sink '" + sink + "': _bulk answered HTTP " + r.statusCode() + ": " + brief(r.body()), null);
        }
        JsonNode items = OpenSearchHttp.read(r.body()).path("items");
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
                throw new RetriableSinkException("OpenSearch sink '" + sink + "': cluster busy or failing (" + status + " " + reason + ")", null);
            }
            rejected.add(new WriteResult.Rejection(actions.get(i).event(), "HTTP " + status + " " + reason));
        }
        return rejected;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
