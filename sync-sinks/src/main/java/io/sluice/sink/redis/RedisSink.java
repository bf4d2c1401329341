package io.sluice.sink.redis;

import io.sluice.event.ChangeEvent;
import io.sluice.event.Operation;
import io.sluice.event.TableId;
import io.sluice.sink.DeleteMode;
import io.sluice.sink.DocumentMapper;
import io.sluice.sink.FatalSinkException;
import io.sluice.sink.ReadableSink;
import io.sluice.sink.RetriableSinkException;
import io.sluice.sink.Sink;
import io.sluice.sink.TableMapping;
import io.sluice.sink.WriteResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Keeps Redis keys in step with the source: a compare-and-set script, loaded once and called by SHA in a pipeline
 * for up to {@value #ROWS_PER_CALL} rows at a time, applies an event only if its version is newer than the key's.
 *
 * <h2>Key layout</h2>
 * A row lives at {@code <prefix>:{<id>}} and its version at {@code <prefix>:{<id>}:v}; the braces are a Redis
 * Cluster hash tag, so both keys of a row sit in one slot and the script may touch them together. With the
 * default templates a customer row is at {@code shop:inventory:customers:{42}}.
 *
 * <p>Versions are stored as 19-digit zero-padded decimal strings and compared as strings inside the script:
 * Lua numbers are doubles and would lose the low bits of a 64-bit version. A delete removes the row and keeps
 * the version key for {@code tombstone.ttl.ms} as a tombstone.
 *
 * <p>Not thread-safe: one thread, as the {@link Sink} contract says.
 */
public final class RedisSink implements ReadableSink {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RedisSink.class);
    /**
     * Applies several rows in one call, in order. KEYS hold each row's key and version key; ARGV per row its
     * version (19 digits), kind (DEL, JSON or HASH), ttl ms, tombstone ttl ms, a value count n and then the n
     * values. Answers one entry per row: 1 applied, 0 not newer than the stored version, or the error text Redis
     * gave for that row (the other rows still apply, as they did when each row was a call of its own).
     */
    static final String SCRIPT = """
            local function apply(key, vkey, version, kind, ttl, tomb, first, n)
              local cur = redis.call('GET', vkey)
              if cur and cur >= version then return 0 end
              if kind == 'DEL' then
                redis.call('DEL', key)
                redis.call('SET', vkey, version, 'PX', tomb)
                return 1
              end
              if kind == 'JSON' then
                if ttl > 0 then
                  redis.call('SET', key, ARGV[first], 'PX', ttl)
                  redis.call('SET', vkey, version, 'PX', ttl)
                else
                  redis.call('MSET', key, ARGV[first], vkey, version)
                end
                return 1
              else
                redis.call('DEL', key)
                redis.call('HSET', key, unpack(ARGV, first, first + n - 1))
                if ttl > 0 then redis.call('PEXPIRE', key, ttl) end
              end
              if ttl > 0 then redis.call('SET', vkey, version, 'PX', ttl) else redis.call('SET', vkey, version) end
              return 1
            end
            local out = {}
            local a = 1
            for i = 1, #KEYS, 2 do
              local n = tonumber(ARGV[a + 4])
              local ok, res = pcall(apply, KEYS[i], KEYS[i + 1], ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2]), ARGV[a + 3], a + 5, n)
              if ok then out[#out + 1] = res else out[#out + 1] = tostring(type(res) == 'table' and res.err or res) end
              a = a + 5 + n
            end
            return out
            """;

    /**
     * Rows per script call. One call per row cost the server about as much CPU as the rest of the pipeline's
     * Redis path (the streaming benchmark's profile); a call holds the server for its rows, so not too many.
     */
    static final int ROWS_PER_CALL = 100;

    /** The prefix of the key that holds the target's {@linkplain #generation() generation}; the sink's name follows. */
    public static final String GENERATION_KEY = "sluice:generation:";

    private final String name;
    private final RedisSinkConfig config;
    private final TableMapping mapping;
    private final String ttl;
    private final String tombstoneTtl;
    private Jedis jedis;
    private String sha;

    public RedisSink(String name, RedisSinkConfig config) {
        this.name = name;
        this.config = config;
        this.mapping = config.mapping();
        this.ttl = Long.toString(config.ttlMs());
        this.tombstoneTtl = Long.toString(config.tombstoneTtlMs());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void open() {
        connection();
    }

    private Jedis connection() {
        if (jedis != null) {
            return jedis;
        }
        var uri = config.uri();
        int database = uri.getPath() == null || uri.getPath().length() <= 1 ? 0 : Integer.parseInt(uri.getPath().substring(1));
        DefaultJedisClientConfig.Builder client = DefaultJedisClientConfig.builder().timeoutMillis(config.timeoutMs())
                .database(database).ssl(config.tls()).clientName("sluice-" + name);
        if (!config.password().isEmpty()) {
            client.password(config.password());
        }
        Jedis j = null;
        try {
            j = new Jedis(new HostAndPort(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort()), client.build());
            sha = j.scriptLoad(SCRIPT);
            jedis = j;
            return j;
        } catch (JedisConnectionException e) {
            if (j != null) {
                j.close();
            }
            throw new RetriableSinkException("Redis sink '" + name + "': " + uri.getHost() + ":" + uri.getPort() + " unreachable: " + e.getMessage(), e);
        } catch (JedisDataException e) {
            if (j != null) {
                j.close();
            }
            if (isTransient(e)) {
                throw new RetriableSinkException("Redis sink '" + name + "': " + uri.getHost() + ":" + uri.getPort() + " is not ready yet ("
                        + e.getMessage() + ")", e);
            }
            throw new FatalSinkException("Redis sink '" + name + "': the server refused us (" + e.getMessage()
                    + "); check redis.password and that EVAL/SCRIPT are allowed", e);
        }
    }

    private static final java.util.regex.Pattern SCRIPT_ERROR = java.util.regex.Pattern.compile("@user_script: ?\\d+: -?(.*)", java.util.regex.Pattern.DOTALL);

    /**
     * A Redis error caught in the script without the script's location: {@code @user_script: 10: -OOM ...} becomes
     * {@code OOM ...}, so that its code can be told.
     */
    static String scriptError(String text) {
        var m = SCRIPT_ERROR.matcher(text);
        return m.matches() ? m.group(1) : text;
    }

    static boolean isTransient(JedisDataException e) {
        return isTransient(e.getMessage());
    }

    /**
     * Whether a refusal is the server's state rather than the row's, so that the write is retried (the pipeline
     * waits) instead of its rows going to the dead-letter queue: a server that restarts answers LOADING while it
     * reads its dataset back; BUSY, TRYAGAIN, MASTERDOWN and CLUSTERDOWN pass by themselves; OOM (at maxmemory
     * with no eviction), READONLY (a replica after a failover), MISCONF (persistence failing) and NOREPLICAS
     * refuse every write until an operator or the server itself makes room.
     */
    static boolean isTransient(String message) {
        String m = message == null ? "" : message;
        return m.startsWith("LOADING") || m.startsWith("BUSY") || m.startsWith("TRYAGAIN") || m.startsWith("MASTERDOWN")
                || m.startsWith("CLUSTERDOWN") || m.startsWith("OOM") || m.startsWith("READONLY") || m.startsWith("MISCONF")
                || m.startsWith("NOREPLICAS");
    }

    @Override
    public WriteResult write(List<ChangeEvent> batch) {
        Jedis j = connection();
        List<WriteResult.Rejection> rejected = new ArrayList<>();
        List<Response<Object>> responses = new ArrayList<>(batch.size() / ROWS_PER_CALL + 1);
        List<List<ChangeEvent>> calls = new ArrayList<>(batch.size() / ROWS_PER_CALL + 1);
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
                if (rows.size() == ROWS_PER_CALL) {
                    responses.add(p.evalsha(sha, keys, args));
                    calls.add(rows);
                    keys = new ArrayList<>();
                    args = new ArrayList<>();
                    rows = new ArrayList<>();
                }
            }
            if (!rows.isEmpty()) {
                responses.add(p.evalsha(sha, keys, args));
                calls.add(rows);
            }
            p.sync();
        } catch (JedisConnectionException e) {
            drop();
            throw new RetriableSinkException("Redis sink '" + name + "' lost its connection: " + e.getMessage(), e);
        } catch (JedisException e) {
            if (String.valueOf(e.getMessage()).startsWith("NOSCRIPT")) {
                drop(); // the server restarted without persistence: reconnect and load the script again
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
                    drop();
                    throw new RetriableSinkException("Redis sink '" + name + "': script cache was flushed", e);
                }
                if (isTransient(e)) {
                    throw new RetriableSinkException("Redis sink '" + name + "': the server is not ready (" + e.getMessage() + ")", e);
                }
                for (ChangeEvent e2 : calls.get(i)) {
                    rejected.add(new WriteResult.Rejection(e2, "Redis refused the write: " + e.getMessage()));
                }
                continue;
            }
            List<?> perRow = (List<?>) answer;
            for (int r = 0; r < perRow.size(); r++) {
                String text = refusal(perRow.get(r));
                if (text != null) {
                    if (isTransient(text)) {
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
     * The version as 19 digits, so that the script compares versions as strings; String.format showed in the
     * streaming profile at this rate.
     */
    static String paddedVersion(long version) {
        if (version < 0) {
            throw new IllegalArgumentException("version " + version + " is negative");
        }
        String digits = Long.toString(version);
        return "0".repeat(19 - digits.length()) + digits;
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
        String version = paddedVersion(e.version());
        if (e.operation() == Operation.DELETE && mapping.deleteMode() == DeleteMode.DELETE) {
            addDelete(args, version);
            return;
        }
        Map<String, Object> doc = DocumentMapper.document(e.row(), mapping);
        if (e.operation() == Operation.DELETE) {
            doc.put(DocumentMapper.DELETED_FIELD, true);
        }
        addValue(args, version, doc);
    }

    /** Appends the script arguments of a row's delete at a version (19 digits): it leaves a tombstone. */
    private void addDelete(List<String> args, String version) {
        args.add(version);
        args.add("DEL");
        args.add("0");
        args.add(tombstoneTtl);
        args.add("0");
    }

    /** Appends the script arguments of a row's document at a version (19 digits): JSON text, or hash fields. */
    private void addValue(List<String> args, String version, Map<String, Object> doc) {
        args.add(version);
        args.add(config.hashFormat() ? "HASH" : "JSON");
        args.add(ttl);
        args.add(tombstoneTtl);
        if (config.hashFormat()) {
            Map<String, String> fields = hashFields(doc);
            args.add(Integer.toString(fields.size() * 2));
            fields.forEach((k, v) -> {
                args.add(k);
                args.add(v);
            });
        } else {
            args.add("1");
            args.add(DocumentMapper.json(doc));
        }
    }

    /** The error text of the script's answer for one row, or null when it applied the row or found it not newer. */
    private static String refusal(Object outcome) {
        if (outcome instanceof Long) {
            return null;
        }
        return scriptError(outcome instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : String.valueOf(outcome));
    }

    @Override
    public TableMapping mapping() {
        return mapping;
    }

    /**
     * A hash's fields: strings as they are, null as the empty string, every other value as its JSON text (so
     * {@code 42}, {@code true}, {@code {"a":1}}).
     */
    private static Map<String, String> hashFields(Map<String, Object> doc) {
        Map<String, String> fields = new LinkedHashMap<>();
        doc.forEach((k, v) -> fields.put(k, v == null ? "" : v instanceof String s ? s
                : DocumentMapper.jsonValue(v)));
        return fields;
    }

    /** With {@code redis.format=hash} a document is held as a flat map of texts: it is compared in that form. */
    @Override
    public String stored(Map<String, Object> document) {
        return config.hashFormat() ? DocumentMapper.json(new LinkedHashMap<>(hashFields(document))) : ReadableSink.super.stored(document);
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
                return connection().mget(keys);
            }
            List<Response<Map<String, String>>> responses = new ArrayList<>(keys.length);
            Pipeline p = connection().pipelined();
            for (String key : keys) {
                responses.add(p.hgetAll(key));
            }
            p.sync();
            List<String> held = new ArrayList<>(keys.length);
            for (var r : responses) {
                Map<String, String> hash = r.get();
                held.add(hash == null || hash.isEmpty() ? null : DocumentMapper.json(new LinkedHashMap<>(hash)));
            }
            return held;
        } catch (JedisConnectionException e) {
            drop();
            throw new RetriableSinkException("Redis sink '" + name + "' lost its connection: " + e.getMessage(), e);
        }
    }

    @Override
    public void scanIds(TableId table, java.util.function.Consumer<List<String>> batch) {
        String prefix = mapping.target().renderTable(table) + ":{";
        try {
            String cursor = redis.clients.jedis.params.ScanParams.SCAN_POINTER_START;
            do {
                var page = connection().scan(cursor, new redis.clients.jedis.params.ScanParams().match(glob(prefix) + "*").count(5000));
                List<String> ids = page.getResult().stream().filter(k -> k.endsWith("}"))
                        .map(k -> k.substring(prefix.length(), k.length() - 1)).toList();
                if (!ids.isEmpty()) {
                    batch.accept(ids);
                }
                cursor = page.getCursor();
            } while (!cursor.equals(redis.clients.jedis.params.ScanParams.SCAN_POINTER_START));
        } catch (JedisConnectionException e) {
            drop();
            throw new RetriableSinkException("Redis sink '" + name + "' lost its connection: " + e.getMessage(), e);
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
            String cursor = redis.clients.jedis.params.ScanParams.SCAN_POINTER_START;
            do {
                var page = connection().scan(cursor, new redis.clients.jedis.params.ScanParams().match(glob(common) + "*").count(5000));
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
                    List<String> versions = connection().mget(rows.stream().map(k -> k + ":v").toArray(String[]::new));
                    Map<TableId, List<String>> unseen = new LinkedHashMap<>();
                    for (int i = 0; i < rows.size(); i++) {
                        String below = paddedVersion(snapshots.get(tables.get(i)));
                        if (versions.get(i) != null && versions.get(i).compareTo(below) < 0) {
                            unseen.computeIfAbsent(tables.get(i), t -> new ArrayList<>()).add(rows.get(i));
                        }
                    }
                    unseen.forEach((table, keys) -> removed.merge(table, remove(keys, paddedVersion(snapshots.get(table) - 1)), Long::sum));
                }
                cursor = page.getCursor();
            } while (!cursor.equals(redis.clients.jedis.params.ScanParams.SCAN_POINTER_START));
            return removed;
        } catch (JedisConnectionException e) {
            drop();
            throw new RetriableSinkException("Redis sink '" + name + "' lost its connection: " + e.getMessage(), e);
        } catch (JedisDataException e) {
            if (String.valueOf(e.getMessage()).startsWith("NOSCRIPT")) {
                drop();
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
        for (int from = 0; from < keys.size(); from += ROWS_PER_CALL) {
            List<String> part = keys.subList(from, Math.min(keys.size(), from + ROWS_PER_CALL));
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
                    addDelete(args, version);
                } else {
                    addValue(args, version, marked.get(i));
                }
            }
            if (scriptKeys.isEmpty()) {
                continue;
            }
            for (Object outcome : (List<?>) connection().evalsha(sha, scriptKeys, args)) {
                String text = refusal(outcome);
                if (text == null) {
                    changed += (Long) outcome;
                } else if (isTransient(text)) {
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
            Pipeline p = connection().pipelined();
            keys.forEach(k -> hashes.add(p.hgetAll(k)));
            p.sync();
        } else {
            texts = connection().mget(keys.toArray(String[]::new));
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

    /** Redis applies each write before answering: nothing is buffered here. Durability is the server's (AOF, replicas). */
    @Override
    public void flush() {
        connection();
    }

    /**
     * The string at {@code sluice:generation:<sink name>}, set to a random token when missing. A flushed database or
     * a server restarted without its data has none; under an {@code allkeys-*} eviction policy Redis may evict it
     * too, and the repair that follows brings back the rows it evicted with it.
     */
    @Override
    public java.util.Optional<String> generation() {
        Jedis j = connection();
        String key = GENERATION_KEY + name;
        try {
            Pipeline p = j.pipelined();
            p.setnx(key, java.util.UUID.randomUUID().toString());
            Response<String> current = p.get(key);
            p.sync();
            return java.util.Optional.ofNullable(current.get());
        } catch (JedisConnectionException e) {
            drop();
            throw new RetriableSinkException("Redis sink '" + name + "' lost its connection: " + e.getMessage(), e);
        } catch (JedisException e) {
            throw new RetriableSinkException("Redis sink '" + name + "' could not read its generation key " + key + ": " + e.getMessage(), e);
        }
    }

    private void drop() {
        if (jedis != null) {
            try {
                jedis.close();
            } catch (RuntimeException e) {
                // the connection is gone anyway
            }
            jedis = null;
        }
    }

    @Override
    public void close() {
        drop();
    }
}
