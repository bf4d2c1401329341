package io.sluice.sink.redis;

import io.sluice.event.TableId;
import io.sluice.sink.DeleteMode;
import io.sluice.sink.DocumentMapper;
import io.sluice.sink.RetriableSinkException;
import io.sluice.sink.TableMapping;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The listing side of a Redis sink: its row keys by SCAN over every primary (each holds its own slots' keys), and
 * the sweep that removes the rows a snapshot did not see.
 *
 * <p>Not thread-safe: the sink's one writing thread.
 */
final class RedisSweep {
    private static final Logger LOG = LoggerFactory.getLogger(RedisSweep.class);
    /** Keys SCAN looks at per call. */
    private static final int SCAN_COUNT = 5000;

    private final String sink;
    private final TableMapping mapping;
    private final RedisScript script;
    private final RedisNodes nodes;
    private final RedisCommands commands;
    private final boolean hashFormat;

    RedisSweep(String sink, RedisSinkConfig config, RedisScript script, RedisNodes nodes, RedisCommands commands) {
        this.sink = sink;
        this.mapping = config.mapping();
        this.script = script;
        this.nodes = nodes;
        this.commands = commands;
        this.hashFormat = config.hashFormat();
    }

    /** Hands every non-empty page of row ids of a table to {@code batch}. */
    void scanIds(TableId table, Consumer<List<String>> batch) {
        String prefix = mapping.target().renderTable(table) + ":{";
        scan(prefix, keys -> {
            List<String> ids = keys.stream().filter(k -> k.endsWith("}")).map(k -> k.substring(prefix.length(), k.length() - 1)).toList();
            if (!ids.isEmpty()) {
                batch.accept(ids);
            }
        });
    }

    /**
     * Lists the tables' row keys with one SCAN per primary (over the longest prefix the tables' key prefixes share:
     * SCAN walks the whole keyspace whatever it matches, so a pass per table would cost the keyspace once per
     * table), reads their version keys, and sends the rows below their table's snapshot version through the
     * compare-and-set script as deletes at that version minus one (under {@code delete.mode=mark}: their stored
     * value, marked): a write that lands in between is newer and the script leaves it alone. A key without a
     * version key is not Sluice's and is left alone.
     */
    Map<TableId, Long> sweep(Map<TableId, Long> snapshots) {
        Map<String, TableId> byPrefix = new HashMap<>();
        Map<TableId, Long> removed = new LinkedHashMap<>();
        for (TableId table : snapshots.keySet()) {
            byPrefix.put(mapping.target().renderTable(table) + ":{", table);
            removed.put(table, 0L);
        }
        if (byPrefix.isEmpty()) {
            return removed;
        }
        String common = byPrefix.keySet().stream().reduce(RedisSweep::commonPrefix).orElseThrow();
        try {
            scan(common, page -> {
                List<String> rows = new ArrayList<>();
                List<TableId> tables = new ArrayList<>();
                for (String key : page) {
                    int brace = key.indexOf(":{");
                    TableId table = brace < 0 || !key.endsWith("}") ? null : byPrefix.get(key.substring(0, brace + 2));
                    if (table != null) {
                        rows.add(key);
                        tables.add(table);
                    }
                }
                if (rows.isEmpty()) {
                    return;
                }
                List<String> versions = commands.strings(rows.stream().map(k -> k + ":v").toList());
                Map<TableId, List<String>> unseen = new LinkedHashMap<>();
                for (int i = 0; i < rows.size(); i++) {
                    String below = RedisScript.paddedVersion(snapshots.get(tables.get(i)));
                    if (versions.get(i) != null && versions.get(i).compareTo(below) < 0) {
                        unseen.computeIfAbsent(tables.get(i), t -> new ArrayList<>()).add(rows.get(i));
                    }
                }
                unseen.forEach((table, keys) -> removed.merge(table, remove(keys, RedisScript.paddedVersion(snapshots.get(table) - 1)), Long::sum));
            });
            return removed;
        } catch (JedisDataException e) {
            throw new RetriableSinkException("Redis sink '" + sink + "' could not sweep " + common + "*: " + e.getMessage(), e);
        }
    }

    /** SCANs every primary for the keys under a prefix, handing each non-empty page to {@code page}. */
    private void scan(String prefix, Consumer<List<String>> page) {
        ScanParams params = new ScanParams().match(glob(prefix) + "*").count(SCAN_COUNT);
        for (HostAndPort node : nodes.primaries()) {
            try {
                String cursor = ScanParams.SCAN_POINTER_START;
                do {
                    ScanResult<String> result = nodes.connection(node).scan(cursor, params);
                    if (!result.getResult().isEmpty()) {
                        page.accept(result.getResult());
                    }
                    cursor = result.getCursor();
                } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            } catch (JedisConnectionException e) {
                throw nodes.lost(node, e);
            }
        }
    }

    private static String commonPrefix(String a, String b) {
        int n = 0;
        while (n < a.length() && n < b.length() && a.charAt(n) == b.charAt(n)) {
            n++;
        }
        return a.substring(0, n);
    }

    /** Deletes (or marks) rows by key at a version, through the script; answers how many it changed. */
    private long remove(List<String> keys, String version) {
        List<Map<String, Object>> marked = mapping.deleteMode() == DeleteMode.MARK ? marked(keys) : null;
        RedisCommands.Calls<String> calls = commands.calls();
        for (int i = 0; i < keys.size(); i++) {
            if (marked != null && marked.get(i) == null) {
                continue; // gone meanwhile, or marked already
            }
            Map<String, Object> doc = marked == null ? null : marked.get(i);
            calls.add(keys.get(i), keys.get(i), args -> {
                if (doc == null) {
                    script.addDelete(args, version);
                } else {
                    script.addValue(args, version, doc);
                }
            });
        }
        long changed = 0;
        for (Object answer : commands.run(calls.calls())) {
            if (answer instanceof JedisDataException e) {
                throw e;
            }
            for (Object outcome : (List<?>) answer) {
                String text = RedisScript.refusal(outcome);
                if (text == null) {
                    changed += (Long) outcome;
                } else if (RedisScript.isTransient(text)) {
                    throw new RetriableSinkException("Redis sink '" + sink + "': the server refuses writes for now (" + text + ")", null);
                } else {
                    // Refused for good: the key stays as it is (retrying would hold the pipeline for ever); verify finds it.
                    LOG.warn("Redis sink '{}': a sweep delete was refused, the key stays ({}); verify with --repair removes it", sink, text);
                }
            }
        }
        return changed;
    }

    /**
     * The stored documents of rows, marked deleted: a JSON value as its document, a hash as its fields (texts);
     * null for a row that is gone or marked already.
     */
    private List<Map<String, Object>> marked(List<String> keys) {
        List<Map<String, Object>> out = new ArrayList<>(keys.size());
        List<Map<String, String>> hashes = hashFormat ? commands.hashes(keys) : null;
        List<String> texts = hashFormat ? null : commands.strings(keys);
        for (int i = 0; i < keys.size(); i++) {
            Map<String, Object> doc;
            if (hashFormat) {
                Map<String, String> hash = hashes.get(i);
                doc = hash == null || hash.isEmpty() || "true".equals(hash.get(DocumentMapper.DELETED_FIELD)) ? null : new LinkedHashMap<>(hash);
            } else {
                doc = texts.get(i) == null ? null : DocumentMapper.parse(texts.get(i));
                if (doc != null && Boolean.TRUE.equals(doc.get(DocumentMapper.DELETED_FIELD))) {
                    doc = null;
                }
            }
            if (doc != null) {
                doc.put(DocumentMapper.DELETED_FIELD, true); // a hash holds it as "true", as a delete under mark writes it
            }
            out.add(doc);
        }
        return out;
    }

    /** A key prefix as a SCAN pattern: glob characters escaped. */
    private static String glob(String prefix) {
        return prefix.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }
}
