package io.sluice.sink.opensearch;

import static io.sluice.sink.opensearch.OpenSearchHttp.JSON;
import static io.sluice.sink.opensearch.OpenSearchHttp.enc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.event.ChangeEvent;
import io.sluice.event.TableId;
import io.sluice.sink.Reindexable;
import io.sluice.sink.WriteResult;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reindex of an OpenSearch sink's tables, with an alias swap at the end. A table's name is an alias of a concrete
 * index (see {@link OpenSearchSink#prepare}); a reindex creates another index, which {@link OpenSearchSink#write} and
 * {@link OpenSearchSink#sweep} feed too while it is filled, and then moves the alias to it in one request.
 *
 * <p>The tables being reindexed may be read from any thread; the reindex calls come from the sink's writing thread.
 */
final class OpenSearchReindex implements Reindexable {
    private static final Logger LOG = LoggerFactory.getLogger(OpenSearchReindex.class);
    /** How long an index swapped out by a reindex stays, for the searches that started on it. */
    static final long RETIRE_DELAY_SECONDS = 10;

    private final String sink;
    private final OpenSearchSinkConfig config;
    private final OpenSearchHttp http;
    private final OpenSearchBulk bulk;
    /** The sink's indexes whose mapping is ready, with the schema it was made for; shared with the sink. */
    private final Map<String, Schema> prepared;
    /** Tables being reindexed, to the new index every change of theirs is written to as well. */
    private final Map<TableId, String> reindexing = new ConcurrentHashMap<>();

    OpenSearchReindex(String sink, OpenSearchSinkConfig config, OpenSearchHttp http, OpenSearchBulk bulk, Map<String, Schema> prepared) {
        this.sink = sink;
        this.config = config;
        this.http = http;
        this.bulk = bulk;
        this.prepared = prepared;
    }

    /** The new index a table is being reindexed into, or null. */
    String newIndexOf(TableId table) {
        return reindexing.get(table);
    }

    @Override
    public String indexOf(TableId table) {
        return config.mapping().target().renderIndex(table);
    }

    /** The body that creates an index: this sink's settings (tombstones kept as long as configured) and a mapping. */
    ObjectNode newIndex(ObjectNode properties) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("settings").put("number_of_shards", config.shards()).put("number_of_replicas", config.replicas())
                .put("index.gc_deletes", config.tombstoneTtlMs() + "ms");
        body.putObject("mappings").set("properties", properties);
        return body;
    }

    @Override
    public String startReindex(TableId table, Schema valueSchema, long stamp) {
        if (reindexing.containsKey(table)) {
            throw new IllegalStateException("table " + table + " is being reindexed into " + reindexing.get(table) + " already");
        }
        String index = indexOf(table) + "-reindex-" + stamp;
        HttpResponse<String> created = http.send("PUT", enc(index), newIndex(IndexMappings.properties(valueSchema, config.mapping())).toString());
        if (created.statusCode() / 100 != 2) {
            throw http.failure("create index " + index, created);
        }
        prepared.put(index, valueSchema);
        reindexing.put(table, index);
        return index;
    }

    @Override
    public WriteResult writeReindex(List<ChangeEvent> rows) {
        List<OpenSearchBulk.Action> actions = new ArrayList<>();
        List<WriteResult.Rejection> rejected = new ArrayList<>();
        for (ChangeEvent e : rows) {
            String next = reindexing.get(e.table());
            if (next == null) {
                throw new IllegalStateException("table " + e.table() + " is not being reindexed");
            }
            try {
                actions.add(bulk.action(next, e));
            } catch (IllegalArgumentException ex) {
                rejected.add(new WriteResult.Rejection(e, ex.getMessage()));
            }
        }
        rejected.addAll(bulk.send(actions));
        return new WriteResult(rejected);
    }

    /**
     * In one atomic {@code _aliases} request the table's alias moves to the new index. The indexes it named so far are
     * deleted {@value #RETIRE_DELAY_SECONDS} s later. A table whose name is still a concrete index (created before the
     * sink used aliases) has it removed in the same request instead.
     */
    @Override
    public void finishReindex(TableId table) {
        String next = reindexing.get(table);
        if (next == null) {
            throw new IllegalStateException("table " + table + " is not being reindexed");
        }
        String name = indexOf(table);
        List<String> old = new ArrayList<>();
        boolean concrete = false;
        // <name>/_alias asks only about the indexes behind the name: _alias/<name> looks through every index, which a
        // user with rights on its own indexes only is refused.
        HttpResponse<String> aliases = http.send("GET", enc(name) + "/_alias", null);
        if (aliases.statusCode() == 200) {
            Iterator<Map.Entry<String, JsonNode>> indexes = OpenSearchHttp.read(aliases.body()).fields();
            while (indexes.hasNext()) {
                Map.Entry<String, JsonNode> index = indexes.next();
                if (index.getKey().equals(name)) {
                    concrete = true;
                } else if (index.getValue().path("aliases").has(name)) {
                    old.add(index.getKey());
                }
            }
        } else if (aliases.statusCode() != 404) {
            throw http.failure("read the indexes behind " + name, aliases);
        }
        ObjectNode body = JSON.createObjectNode();
        ArrayNode actions = body.putArray("actions");
        actions.addObject().putObject("add").put("index", next).put("alias", name);
        if (concrete) {
            actions.addObject().putObject("remove_index").put("index", name);
        }
        for (String index : old) {
            actions.addObject().putObject("remove").put("index", index).put("alias", name);
        }
        HttpResponse<String> r = http.send("POST", "_aliases", body.toString());
        if (r.statusCode() / 100 != 2) {
            throw http.failure("swap " + next + " in behind " + name, r);
        }
        reindexing.remove(table);
        prepared.remove(name);
        prepared.keySet().removeAll(old);
        CompletableFuture.runAsync(() -> old.forEach(index -> {
            try {
                deleteIndex(index);
            } catch (RuntimeException e) {
                LOG.warn("OpenSearch sink '{}' could not delete the retired index {}: {}", name, index, e.getMessage());
            }
        }), CompletableFuture.delayedExecutor(RETIRE_DELAY_SECONDS, TimeUnit.SECONDS));
    }

    @Override
    public void deleteIndex(String index) {
        HttpResponse<String> r = http.send("DELETE", enc(index), null);
        if (r.statusCode() / 100 != 2 && r.statusCode() != 404) {
            throw http.failure("delete index " + index, r);
        }
    }

    @Override
    public void abortReindex(TableId table) {
        String next = reindexing.remove(table);
        if (next != null) {
            http.send("DELETE", enc(next), null);
            prepared.remove(next);
        }
    }
}
