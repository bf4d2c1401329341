package io.sluice.sink.redis;

import io.sluice.sink.FatalSinkException;
import io.sluice.sink.RetriableSinkException;
import java.net.URI;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A Redis sink's connection, opened on first use with the sink's {@link RedisScript#SCRIPT} loaded, and dropped when
 * it fails so that the next use connects again (and loads the script again: a server restarted without persistence
 * lost it).
 *
 * <p>Not thread-safe: the sink's one writing thread.
 */
final class RedisConnection implements AutoCloseable {
    private final String sink;
    private final RedisSinkConfig config;
    private Jedis jedis;
    private String sha;

    RedisConnection(String sink, RedisSinkConfig config) {
        this.sink = sink;
        this.config = config;
    }

    /**
     * The connection, opened if needed.
     *
     * @throws RetriableSinkException if the server cannot be reached or is not ready yet
     * @throws FatalSinkException if it refused the credentials or the script
     */
    Jedis get() {
        if (jedis != null) {
            return jedis;
        }
        URI uri = config.uri();
        int database = uri.getPath() == null || uri.getPath().length() <= 1 ? 0 : Integer.parseInt(uri.getPath().substring(1));
        DefaultJedisClientConfig.Builder client = DefaultJedisClientConfig.builder().timeoutMillis(config.timeoutMs())
                .database(database).ssl(config.tls()).clientName("sluice-" + sink);
        if (!config.password().isEmpty()) {
            client.password(config.password());
        }
        Jedis j = null;
        try {
            j = new Jedis(new HostAndPort(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort()), client.build());
            sha = j.scriptLoad(RedisScript.SCRIPT);
            jedis = j;
            return j;
        } catch (JedisConnectionException e) {
            if (j != null) {
                j.close();
            }
            throw new RetriableSinkException("Redis sink '" + sink + "': " + uri.getHost() + ":" + uri.getPort() + " unreachable: " + e.getMessage(), e);
        } catch (JedisDataException e) {
            if (j != null) {
                j.close();
            }
            if (RedisScript.isTransient(e)) {
                throw new RetriableSinkException("Redis sink '" + sink + "': " + uri.getHost() + ":" + uri.getPort() + " is not ready yet ("
                        + e.getMessage() + ")", e);
            }
            throw new FatalSinkException("Redis sink '" + sink + "': the server refused us (" + e.getMessage()
                    + "); check redis.password and that EVAL/SCRIPT are allowed", e);
        }
    }

    /** The SHA of the script loaded on the current connection; call {@link #get()} first. */
    String sha() {
        return sha;
    }

    /** Drops a connection that failed, and tells why, for the caller to throw. */
    RetriableSinkException lost(JedisConnectionException e) {
        drop();
        return new RetriableSinkException("Redis sink '" + sink + "' lost its connection: " + e.getMessage(), e);
    }

    /** Drops the connection; the next {@link #get()} connects again. Never throws. */
    void drop() {
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
