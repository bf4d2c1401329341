package io.sluice.sink.redis;

import io.sluice.event.ChangeEvent;
import io.sluice.event.Operation;
import io.sluice.event.TableId;
import io.sluice.sink.DeleteMode;
import io.sluice.sink.DocumentMapper;
import io.sluice.sink.Generational;
import io.sluice.sink.ReadableSink;
import io.sluice.sink.RetriableSinkException;
import io.sluice.sink.Sink;
import io.sluice.sink.Sweepable;
import io.sluice.sink.TableMapping;
import io.sluice.sink.WriteResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Keeps Redis keys in step with the source: a compare-and-set script ({@link RedisScript}), loaded once and called
 * by SHA in a pipeline for up to {@value RedisScript#ROWS_PER_CALL} rows at a time, applies an event only if its
 * version is newer than the key's.
 *
 * <h2>Key layout</h2>
 * A row lives at {@code <prefix>:{<id>}} and its version at {@code <prefix>:{<id>}:v}; the braces are a Redis
 * Cluster hash tag, so both keys of a row sit in one slot and the script may touch them together. With the
 * default templates a customer row is at {@code shop:inventory:customers:{42}}. Versions are 19-digit strings; a
 * delete removes the row and keeps the version key for {@code tombstone.ttl.ms} as a tombstone.
 *
 * <p>Capabilities: {@link Sweepable}, {@link Generational} and {@link ReadableSink}.
 *
 * <p>Not thread-safe: one thread, as the {@link Sink} contract says.
 */
public final class RedisSink implements ReadableSink, Sweepable, Generational {
    private static final Logger LOG = LoggerFactory.getLogger(RedisSink.class);
    /** The prefix of the key that holds the target's {@linkplain #generation() generation}; the sink's name follows. */
    public static final String GENERATION_KEY = "sluice:generation:";
    /** Keys SCAN looks at per call. */
    private static final int SCAN_COUNT = 5000;

    private final String name;
    private final RedisSinkConfig config;
    private final TableMapping mapping;
    private final RedisScript script;
    private final RedisConnection connection;

    public RedisSink(String name, RedisSinkConfig config) {
        this.name = name;
        this.config = config;
        this.mapping = config.mapping();
        this.script = new RedisScript(config);
        this.connection = new RedisConnection(name, config);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void open() {
        connection.get();
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
    public WriteResult write(List<ChangeEvent> batch) {
        Jedis j = connection.get();
        List<WriteResult.Rejection> rejected = new ArrayList<>();
        List<Response<Object>> responses = new ArrayList<>(batch.size() / RedisScript.ROWS_PER_CALL + 1);
        List<List<ChangeEvent>> calls = new ArrayList<>(batch.size() / RedisScript.ROWS_PER_CALL + 1);
        try {
            Pipeline p = j.pipelined();
            List<String> keys = new ArrayList<>();
            List<String> args = new ArrayList<>();
            List<ChangeEvent> rows = new ArrayList<>();
            for (ChangeEvent e : batch) {
                int mark = args.size();
                try {
                    String key = key(e);
                    addArguments(e, args);
                    keys.add(key);
                    keys.add(key + ":v");
                } catch (IllegalArgumentException ex) {
                    args.subList(mark, args.size()).clear();
                    rejected.add(new WriteResult.Rejection(e, ex.getMessage()));
                    continue;
                }
                rows.add(e);
                if (rows.size() == RedisScript.ROWS_PER_CALL) {
                    responses.add(p.evalsha(connection.sha(), keys, args));
                    calls.add(rows);
                    keys = new ArrayList<>();
                    args = new ArrayList<>();
                    rows = new ArrayList<>();
                }
            }
            if (!rows.isEmpty()) {
                responses.add(p.evalsha(connection.sha(), keys, args));
                calls.add(rows);
            }
            p.sync();
        } catch (JedisConnectionException e) {
            throw connection.lost(e);
        } catch (JedisException e) {
            if (String.valueOf(e.getMessage()).startsWith("NOSCRIPT")) {
                connection.drop(); // the server restarted without persistence: reconnect and load the script again
                throw new RetriableSinkException("Redis sink '" + name + "': script cache was flushed", e);
            }
            throw new RetriableSinkException("Redis sink '" + name + "' failed: " + e.getMessage(), e);
        }
        for (int i = 0; i < responses.size(); i++) {
            Object answer;
            try {
                answer = responses.get(i).get();
            } catch (JedisDataException e) {
                if (String.valueOf(e.getMessage()).startsWith("NOSCRIPT")) {
                    connection.drop();
                    throw new RetriableSinkException("Redis sink '" + name + "': script cache was flushed", e);
                }
                if (RedisScript.isTransient(e)) {
                    throw new RetriableSinkException("Redis sink '" + name + "': the server is not ready (" + e.getMessage() + ")", e);
                }
                for (ChangeEvent e2 : calls.get(i)) {
                    rejected.add(new WriteResult.Rejection(e2, "Redis refused the write: " + e.getMessage()));
                }
                continue;
            }
            List<?> perRow = (List<?>) answer;
            for (int r = 0; r < perRow.size(); r++) {
                String text = RedisScript.refusal(perRow.get(r));
                if (text != null) {
                    if (RedisScript.isTransient(text)) {
                        // The rows this batch applied before are skipped by their versions when it is retried.
                        throw new RetriableSinkException("Redis sink '" + name + "': the server refuses writes for now (" + text + ")", null);
                    }
                    rejected.add(new WriteResult.Rejection(calls.get(i).get(r), "Redis refused the write: " + text));
                }
            }
        }
        return new WriteResult(rejected);
    }

    /**
     * A row's key, {@code <target>:{<id>}}.
     *
     * @throws IllegalArgumentException if the event does not fit the target or id template
     */
    private String key(ChangeEvent e) {
        return mapping.target().render(e) + ":{" + mapping.id().render(e) + "}";
    }

    /** Appends one row's script arguments; on an IllegalArgumentException some may have been appended. */
    private void addArguments(ChangeEvent e, List<String> args) {
        String version = RedisScript.paddedVersion(e.version());
        if (e.operation() == Operation.DELETE && mapping.deleteMode() == DeleteMode.DELETE) {
            script.addDelete(args, version);
            return;
        }
        Map<String, Object> doc = DocumentMapper.document(e.row(), mapping);
        if (e.operation() == Operation.DELETE) {
            doc.put(DocumentMapper.DELETED_FIELD, true);
        }
        script.addValue(args, version, doc);
    }

    @Override
    public TableMapping mapping() {
        return mapping;
    }

    /** With {@code redis.format=hash} a document is held as a flat map of texts: it is compared in that form. */
    @Override
    public String stored(Map<String, Object> document) {
        return config.hashFormat() ? DocumentMapper.json(new LinkedHashMap<>(RedisScript.hashFields(document))) : ReadableSink.super.stored(document);
    }

    /** JSON documents with one MGET; hashes with one HGETALL each, in a pipeline, as a JSON object of their texts. */
    @Override
    public List<String> readBack(List<ChangeEvent> rows) {
        if (rows.isEmpty()) {
            return List.of();
        }
        String[] keys = rows.stream().map(this::key).toArray(String[]::new);
        try {
            if (!config.hashFormat()) {
                return connection.get().mget(keys);
            }
            List<Response<Map<String, String>>> responses = new ArrayList<>(keys.length);
            Pipeline p = connection.get().pipelined();
            for (String key : keys) {
                responses.add(p.hgetAll(key));
            }
            p.sync();
            List<String> held = new ArrayList<>(keys.length);
            for (Response<Map<String, String>> r : responses) {
                Map<String, String> hash = r.get();
                held.add(hash == null || hash.isEmpty() ? null : DocumentMapper.json(new LinkedHashMap<>(hash)));
            }
            return held;
        } catch (JedisConnectionException e) {
            throw connection.lost(e);
        }
    }

    @Override
    public void scanIds(TableId table, Consumer<List<String>> batch) {
        String prefix = mapping.target().renderTable(table) + ":{";
        try {
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = connection.get().scan(cursor, new ScanParams().match(glob(prefix) + "*").count(SCAN_COUNT));
                List<String> ids = page.getResult().stream().filter(k -> k.endsWith("}"))
                        .map(k -> k.substring(prefix.length(), k.length() - 1)).toList();
                if (!ids.isEmpty()) {
                    batch.accept(ids);
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        } catch (JedisConnectionException e) {
            throw connection.lost(e);
        }
    }

    /**
     * Lists the tables' row keys with one SCAN (over the longest prefix the tables' key prefixes share: SCAN walks
     * the whole keyspace whatever it matches, so a pass per table would cost the keyspace once per table), reads
     * their version keys, and sends the rows below their table's snapshot version through the compare-and-set script
     * as deletes at that version minus one (under {@code delete.mode=mark}: their stored value, marked): a write that
     * lands in between is newer and the script leaves it alone. A key without a version key is not Sluice's and is
     * left alone.
     */
    @Override
    public Map<TableId, Long> sweep(Map<TableId, Long> snapshots) {
        Map<String, TableId> byPrefix = new HashMap<>();
        Map<TableId, Long> removed = new LinkedHashMap<>();
        for (TableId table : snapshots.keySet()) {
            byPrefix.put(mapping.target().renderTable(table) + ":{", table);
            removed.put(table, 0L);
        }
        if (byPrefix.isEmpty()) {
            return removed;
        }
        String common = byPrefix.keySet().stream().reduce(RedisSink::commonPrefix).orElseThrow();
        try {
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = connection.get().scan(cursor, new ScanParams().match(glob(common) + "*").count(SCAN_COUNT));
                List<String> rows = new ArrayList<>();
                List<TableId> tables = new ArrayList<>();
                for (String key : page.getResult()) {
                    int brace = key.indexOf(":{");
                    TableId table = brace < 0 || !key.endsWith("}") ? null : byPrefix.get(key.substring(0, brace + 2));
                    if (table != null) {
                        rows.add(key);
                        tables.add(table);
                    }
                }
                if (!rows.isEmpty()) {
                    List<String> versions = connection.get().mget(rows.stream().map(k -> k + ":v").toArray(String[]::new));
                    Map<TableId, List<String>> unseen = new LinkedHashMap<>();
                    for (int i = 0; i < rows.size(); i++) {
                        String below = RedisScript.paddedVersion(snapshots.get(tables.get(i)));
                        if (versions.get(i) != null && versions.get(i).compareTo(below) < 0) {
                            unseen.computeIfAbsent(tables.get(i), t -> new ArrayList<>()).add(rows.get(i));
                        }
                    }
                    unseen.forEach((table, keys) -> removed.merge(table, remove(keys, RedisScript.paddedVersion(snapshots.get(table) - 1)), Long::sum));
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            return removed;
        } catch (JedisConnectionException e) {
            throw connection.lost(e);
        } catch (JedisDataException e) {
            if (String.valueOf(e.getMessage()).startsWith("NOSCRIPT")) {
                connection.drop();
            }
            throw new RetriableSinkException("Redis sink '" + name + "' could not sweep " + common + "*: " + e.getMessage(), e);
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
        long changed = 0;
        for (int from = 0; from < keys.size(); from += RedisScript.ROWS_PER_CALL) {
            List<String> part = keys.subList(from, Math.min(keys.size(), from + RedisScript.ROWS_PER_CALL));
            List<String> scriptKeys = new ArrayList<>();
            List<String> args = new ArrayList<>();
            List<Map<String, Object>> marked = mapping.deleteMode() == DeleteMode.MARK ? marked(part) : null;
            for (int i = 0; i < part.size(); i++) {
                if (marked != null && marked.get(i) == null) {
                    continue; // gone meanwhile, or marked already
                }
                scriptKeys.add(part.get(i));
                scriptKeys.add(part.get(i) + ":v");
                if (marked == null) {
                    script.addDelete(args, version);
                } else {
                    script.addValue(args, version, marked.get(i));
                }
            }
            if (scriptKeys.isEmpty()) {
                continue;
            }
            for (Object outcome : (List<?>) connection.get().evalsha(connection.sha(), scriptKeys, args)) {
                String text = RedisScript.refusal(outcome);
                if (text == null) {
                    changed += (Long) outcome;
                } else if (RedisScript.isTransient(text)) {
                    throw new RetriableSinkException("Redis sink '" + name + "': the server refuses writes for now (" + text + ")", null);
                } else {
                    // Refused for good: the key stays as it is (retrying would hold the pipeline for ever); verify finds it.
                    LOG.warn("Redis sink '{}': a sweep delete was refused, the key stays ({}); verify with --repair removes it", name, text);
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
        List<Response<Map<String, String>>> hashes = new ArrayList<>();
        List<String> texts = null;
        if (config.hashFormat()) {
            Pipeline p = connection.get().pipelined();
            keys.forEach(k -> hashes.add(p.hgetAll(k)));
            p.sync();
        } else {
            texts = connection.get().mget(keys.toArray(String[]::new));
        }
        for (int i = 0; i < keys.size(); i++) {
            Map<String, Object> doc;
            if (config.hashFormat()) {
                Map<String, String> hash = hashes.get(i).get();
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

    /**
     * Redis applies each write before answering: nothing is buffered here, and durability is the server's (AOF). With
     * {@code redis.wait.replicas} a flush also waits until that many replicas hold every write of this connection
     * (Redis {@code WAIT}), so that a checkpoint counts only on what a failover to a replica keeps.
     *
     * @throws RetriableSinkException when fewer replicas had the writes within {@code redis.wait.timeout.ms}
     */
    @Override
    public void flush() {
        Jedis j = connection.get();
        int replicas = config.waitReplicas();
        if (replicas == 0) {
            return;
        }
        long acknowledged;
        try {
            acknowledged = j.waitReplicas(replicas, config.waitTimeoutMs());
        } catch (JedisConnectionException e) {
            throw connection.lost(e);
        }
        if (acknowledged < replicas) {
            throw new RetriableSinkException("Redis sink '" + name + "': " + acknowledged + " of the " + replicas + " replicas it waits for"
                    + " (redis.wait.replicas) had its writes within " + config.waitTimeoutMs() + " ms; the checkpoint waits until they"
                    + " do. Check the replicas' links (INFO replication), or lower redis.wait.replicas", null);
        }
    }

    /**
     * The string at {@code sluice:generation:<sink name>}, set to a random token when missing. A flushed database or
     * a server restarted without its data has none; under an {@code allkeys-*} eviction policy Redis may evict it
     * too, and the repair that follows brings back the rows it evicted with it.
     */
    @Override
    public String generation() {
        Jedis j = connection.get();
        String key = GENERATION_KEY + name;
        try {
            Pipeline p = j.pipelined();
            p.setnx(key, UUID.randomUUID().toString());
            Response<String> current = p.get(key);
            p.sync();
            if (current.get() == null) { // removed between the two commands (a flush): the next call sets it again
                throw new RetriableSinkException("Redis sink '" + name + "': its generation key " + key + " vanished while it was read", null);
            }
            return current.get();
        } catch (JedisConnectionException e) {
            throw connection.lost(e);
        } catch (JedisException e) {
            throw new RetriableSinkException("Redis sink '" + name + "' could not read its generation key " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}
