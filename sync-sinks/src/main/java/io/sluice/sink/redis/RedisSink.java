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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Keeps Redis keys in step with the source: a compare-and-set script ({@link RedisScript}), loaded once per server and
 * called by SHA in a pipeline for up to {@value RedisScript#ROWS_PER_CALL} rows at a time (rows of one slot at a time in
 * a Redis Cluster, see {@link RedisCommands}), applies an event only if its version is newer than the key's. One
 * server, a Sentinel's primary or a cluster ({@code redis.mode}): {@link RedisNodes}.
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
    /** Most changes kept for {@link #unconfirmed}: Kafka Connect flushes only every {@code offset.flush.interval.ms}. */
    private static final int MOST_UNCONFIRMED = 50_000;

    private final String name;
    private final RedisSinkConfig config;
    private final TableMapping mapping;
    private final RedisScript script;
    private final RedisNodes nodes;
    private final RedisCommands commands;
    private final RedisSweep sweep;
    /**
     * With {@code redis.wait.replicas}: what was written since the last flush that replicas confirmed, written again
     * if a connection was lost meanwhile (a failover drops what the old primary had not passed on). Bounded by what
     * arrives between flushes, and by {@value #MOST_UNCONFIRMED}: a write that brings more waits for the replicas itself.
     */
    private final List<ChangeEvent> unconfirmed = new ArrayList<>();

    public RedisSink(String name, RedisSinkConfig config) {
        this.name = name;
        this.config = config;
        this.mapping = config.mapping();
        this.script = new RedisScript(config);
        this.nodes = new RedisNodes(name, config);
        this.commands = new RedisCommands(name, nodes);
        this.sweep = new RedisSweep(name, config, script, nodes, commands);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void open() {
        nodes.connection(nodes.owner(0));
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
        WriteResult result = apply(batch);
        if (config.waitReplicas() > 0) {
            unconfirmed.addAll(batch);
            if (unconfirmed.size() >= MOST_UNCONFIRMED) {
                flush(); // a failure here fails the write, which is retried whole: its rows apply again or change nothing
            }
        }
        return result;
    }

    private WriteResult apply(List<ChangeEvent> batch) {
        List<WriteResult.Rejection> rejected = new ArrayList<>();
        RedisCommands.Calls<ChangeEvent> calls = commands.calls();
        for (ChangeEvent e : batch) {
            try {
                calls.add(key(e), e, args -> addArguments(e, args));
            } catch (IllegalArgumentException ex) {
                rejected.add(new WriteResult.Rejection(e, ex.getMessage()));
            }
        }
        List<Object> answers;
        try {
            answers = commands.run(calls.calls());
        } catch (JedisException e) {
            throw new RetriableSinkException("Redis sink '" + name + "' failed: " + e.getMessage(), e);
        }
        for (int i = 0; i < answers.size(); i++) {
            List<ChangeEvent> rows = calls.calls().get(i).rows();
            if (answers.get(i) instanceof JedisDataException e) {
                if (RedisScript.isTransient(e)) {
                    throw refusingForNow(e.getMessage(), e);
                }
                for (ChangeEvent row : rows) {
                    rejected.add(new WriteResult.Rejection(row, "Redis refused the write: " + e.getMessage()));
                }
                continue;
            }
            List<?> perRow = (List<?>) answers.get(i);
            for (int r = 0; r < perRow.size(); r++) {
                String text = RedisScript.refusal(perRow.get(r));
                if (text != null) {
                    if (RedisScript.isTransient(text)) {
                        // The rows this batch applied before are skipped by their versions when it is retried.
                        throw refusingForNow(text, null);
                    }
                    rejected.add(new WriteResult.Rejection(rows.get(r), "Redis refused the write: " + text));
                }
            }
        }
        return new WriteResult(rejected);
    }

    /**
     * A refusal that passes (see {@link RedisScript#isTransient}); READONLY and MASTERDOWN mean the node is a replica
     * now, so where writes go is asked again.
     */
    private RetriableSinkException refusingForNow(String text, Throwable cause) {
        if (text.startsWith("READONLY") || text.startsWith("MASTERDOWN")) {
            nodes.relocated();
        }
        return new RetriableSinkException("Redis sink '" + name + "': the server refuses writes for now (" + text + ")", cause);
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

    /** JSON documents with one MGET (a GET each on a cluster); hashes with one HGETALL each, as a JSON object of their texts. */
    @Override
    public List<String> readBack(List<ChangeEvent> rows) {
        if (rows.isEmpty()) {
            return List.of();
        }
        List<String> keys = rows.stream().map(this::key).toList();
        if (!config.hashFormat()) {
            return commands.strings(keys);
        }
        List<String> held = new ArrayList<>(keys.size());
        for (Map<String, String> hash : commands.hashes(keys)) {
            held.add(hash == null || hash.isEmpty() ? null : DocumentMapper.json(new LinkedHashMap<>(hash)));
        }
        return held;
    }

    @Override
    public void scanIds(TableId table, Consumer<List<String>> batch) {
        sweep.scanIds(table, batch);
    }

    /** See {@link RedisSweep#sweep}. */
    @Override
    public Map<TableId, Long> sweep(Map<TableId, Long> snapshots) {
        return sweep.sweep(snapshots);
    }

    /**
     * Redis applies each write before answering: nothing is buffered here, and durability is the server's (AOF). With
     * {@code redis.wait.replicas} a flush also waits until that many replicas hold every write of each connection,
     * one per primary (Redis {@code WAIT}), so that a checkpoint counts only on what a failover to a replica keeps.
     *
     * @throws RetriableSinkException when fewer replicas had the writes within {@code redis.wait.timeout.ms}
     */
    @Override
    public void flush() {
        int replicas = config.waitReplicas();
        if (replicas == 0) {
            return;
        }
        if (nodes.dropped()) {
            // WAIT counts a connection's own writes: those of a lost connection are written again on the new ones
            // (an older version than the stored one changes nothing).
            nodes.steady();
            LOG.info("Redis sink '{}': a connection was lost since the last flush; writing its {} unconfirmed changes again", name, unconfirmed.size());
            apply(unconfirmed); // what it refuses went to the dead letters the first time
        }
        for (HostAndPort node : nodes.connected()) {
            long acknowledged;
            try {
                Jedis j = nodes.connection(node);
                // WAIT answers after up to redis.wait.timeout.ms: the read must not time out before it does.
                j.getConnection().setSoTimeout(config.waitTimeoutMs() + config.timeoutMs());
                acknowledged = j.waitReplicas(replicas, config.waitTimeoutMs());
                j.getConnection().setSoTimeout(config.timeoutMs());
            } catch (JedisConnectionException e) {
                throw nodes.lost(node, e);
            }
            if (acknowledged < replicas) {
                throw new RetriableSinkException("Redis sink '" + name + "': " + acknowledged + " of the " + replicas + " replicas of " + node
                        + " it waits for (redis.wait.replicas) had its writes within " + config.waitTimeoutMs() + " ms; the checkpoint"
                        + " waits until they do. Check the replicas' links (INFO replication), or lower redis.wait.replicas", null);
            }
        }
        unconfirmed.clear();
    }

    /**
     * The string at {@code sluice:generation:<sink name>}, set to a random token when missing. A flushed database or
     * a server restarted without its data has none; under an {@code allkeys-*} eviction policy Redis may evict it
     * too, and the repair that follows brings back the rows it evicted with it.
     */
    @Override
    public String generation() {
        String key = GENERATION_KEY + name;
        HostAndPort node = nodes.owner(nodes.slot(key));
        try {
            Pipeline p = nodes.connection(node).pipelined();
            p.setnx(key, UUID.randomUUID().toString());
            Response<String> current = p.get(key);
            p.sync();
            if (current.get() == null) { // removed between the two commands (a flush): the next call sets it again
                throw new RetriableSinkException("Redis sink '" + name + "': its generation key " + key + " vanished while it was read", null);
            }
            return current.get();
        } catch (JedisConnectionException e) {
            throw nodes.lost(node, e);
        } catch (JedisException e) {
            nodes.relocated(); // MOVED, or a replica now: ask again where it lives
            throw new RetriableSinkException("Redis sink '" + name + "' could not read its generation key " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        nodes.close();
    }
}
