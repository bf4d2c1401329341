package io.sluice.sink.redis;

import io.sluice.sink.CaCertificates;
import io.sluice.sink.FatalSinkException;
import io.sluice.sink.RetriableSinkException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.ClientKillParams;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * A Redis sink's connections: to its one server, to the primary its sentinels name, or to each primary of a cluster
 * with the cluster's map of slots to primaries. Each connection is opened on first use with the sink's
 * {@link RedisScript#SCRIPT} loaded, and dropped when it fails, so that the next use connects again (and loads the
 * script again: a server restarted without persistence lost it). What a lost connection forgets follows the
 * topology: the slot map (a cluster may have failed over or moved slots) or the primary's address (the sentinels
 * may have promoted a replica).
 *
 * <p>Not thread-safe: the sink's one writing thread.
 */
final class RedisNodes implements AutoCloseable {
    /** A cluster's hash slots. */
    private static final Logger LOG = LoggerFactory.getLogger(RedisNodes.class);
    private static final int SLOTS = 16384;

    private final String sink;
    private final RedisSinkConfig config;
    private final RedisTopology topology;
    private final Map<HostAndPort, Jedis> open = new LinkedHashMap<>();
    private JedisClientConfig client;
    private String sha;
    /** Cluster: the primary that serves each slot, null until read (and after a redirection or a lost node). */
    private HostAndPort[] slotOwners;
    /** Sentinel: the primary the sentinels named, null until asked (and after a lost connection or READONLY). */
    private HostAndPort primary;
    /** Whether a connection was dropped since {@link #steady()}: writes it carried may not have reached any replica. */
    private boolean dropped;

    RedisNodes(String sink, RedisSinkConfig config) {
        this.sink = sink;
        this.config = config;
        this.topology = config.topology();
    }

    boolean clustered() {
        return topology instanceof RedisTopology.Cluster;
    }

    /** The slot of a key in a cluster; 0 for every key otherwise, so that one server's calls are not split. */
    int slot(String key) {
        return clustered() ? JedisClusterCRC16.getSlot(key) : 0;
    }

    /**
     * The primary that serves a slot (of {@link #slot}), asking the cluster or the sentinels when not known.
     *
     * @throws RetriableSinkException if no server answers, or the slot has no primary for now
     */
    HostAndPort owner(int slot) {
        if (topology instanceof RedisTopology.Standalone s) {
            return s.server();
        }
        if (topology instanceof RedisTopology.Sentinel s) {
            if (primary == null) {
                primary = askSentinels(s);
            }
            return primary;
        }
        if (slotOwners == null) {
            slotOwners = readSlots((RedisTopology.Cluster) topology);
        }
        HostAndPort owner = slotOwners[slot];
        if (owner == null) {
            slotOwners = null;
            throw new RetriableSinkException("Redis sink '" + sink + "': no primary of the cluster serves slot " + slot + " for now", null);
        }
        return owner;
    }

    /** Every primary: the one server, or each primary of the cluster (for SCAN and WAIT). */
    List<HostAndPort> primaries() {
        if (!clustered()) {
            return List.of(owner(0));
        }
        owner(0);
        return Arrays.stream(slotOwners).filter(Objects::nonNull).distinct().toList();
    }

    /**
     * The connection to a node, opened (with the script loaded) if needed.
     *
     * @throws RetriableSinkException if the node cannot be reached or is not ready yet
     * @throws FatalSinkException if it refused the credentials or the script
     */
    Jedis connection(HostAndPort node) {
        Jedis j = open.get(node);
        if (j != null) {
            return j;
        }
        try {
            j = new Jedis(node, client());
            fence(j, node);
            sha = j.scriptLoad(RedisScript.SCRIPT);
            open.put(node, j);
            return j;
        } catch (JedisException e) {
            if (j != null) {
                j.close();
            }
            throw refusal(node, e);
        }
    }

    /** The SHA of the script, the same on every node; valid once a connection was opened. */
    String sha() {
        return sha;
    }

    /** Forgets where keys live: the slot map or the sentinels' primary. Called on READONLY (the node written to is a replica now). */
    void relocated() {
        slotOwners = null;
        if (primary != null) {
            drop(primary);
            primary = null;
        }
    }

    /**
     * Takes a cluster's MOVED answer: the slot is served by {@code node} now. Only that slot is changed (as the
     * answer says, which is never older than a node's CLUSTER SLOTS while the slot moves); the whole map is read
     * again after a lost connection or READONLY.
     */
    void moved(int slot, HostAndPort node) {
        if (slotOwners != null) {
            slotOwners[slot] = node;
        }
    }

    /** Drops a node's connection that failed (and what {@link #relocated()} forgets), and tells why, for the caller to throw. */
    RetriableSinkException lost(HostAndPort node, JedisConnectionException e) {
        drop(node);
        relocated();
        return new RetriableSinkException("Redis sink '" + sink + "' lost its connection to " + node + ": " + e.getMessage(), e);
    }

    /** Drops a node's connection; the next {@link #connection} opens it again (and loads the script). Never throws. */
    void drop(HostAndPort node) {
        Jedis j = open.remove(node);
        if (j != null) {
            dropped = true;
            try {
                j.close();
            } catch (RuntimeException e) {
                // the connection is gone anyway
            }
        }
    }

    /** Whether a connection was dropped since the last {@link #steady()}. */
    boolean dropped() {
        return dropped;
    }

    /** Marks the connections open now as the ones every write since went through. */
    void steady() {
        dropped = false;
    }

    /** The nodes connected now: those a flush waits on. */
    List<HostAndPort> connected() {
        return List.copyOf(open.keySet());
    }

    @Override
    public void close() {
        List.copyOf(open.keySet()).forEach(this::drop);
        relocated();
    }

    private JedisClientConfig client() {
        if (client == null) {
            DefaultJedisClientConfig.Builder b = clientBuilder();
            if (!config.password().isEmpty()) {
                b.password(config.password());
            }
            if (!config.user().isEmpty()) {
                b.user(config.user());
            }
            int database = topology instanceof RedisTopology.Standalone s ? s.database()
                    : topology instanceof RedisTopology.Sentinel s ? s.database() : 0;
            client = b.database(database).clientName(clientName(sink, config.fenceEpoch())).build();
        }
        return client;
    }

    /** The name of this sink's connections: {@code sluice-<sink>}, and {@code @e<epoch>} when fenced. */
    static String clientName(String sink, long epoch) {
        return "sluice-" + sink + (epoch > 0 ? "@e" + epoch : "");
    }

    /**
     * Fences a new connection to {@code node}: closes this sink's connections of leaders of older epochs (a deposed
     * leader, paused in the middle of a write, finds its connection gone when it resumes), and refuses to go on when
     * a leader of a newer epoch holds one (this server is the deposed one, reconnecting to finish a write).
     *
     * @throws FatalSinkException when a newer leader writes to this sink
     */
    private void fence(Jedis j, HostAndPort node) {
        long epoch = config.fenceEpoch();
        if (epoch == 0) {
            return;
        }
        String prefix = "sluice-" + sink + "@e";
        for (String line : j.clientList().split("\\n")) {
            String name = field(line, "name");
            if (name == null || !name.startsWith(prefix)) {
                continue;
            }
            long theirs;
            try {
                theirs = Long.parseLong(name.substring(prefix.length()));
            } catch (NumberFormatException e) {
                continue; // another sink whose name starts the same way
            }
            if (theirs > epoch) {
                j.close();
                throw new FatalSinkException("Redis sink '" + sink + "': the leader of epoch " + theirs + " writes to " + node + "; this server"
                        + " (epoch " + epoch + ") was deposed and writes nothing more", null);
            }
            if (theirs < epoch) {
                j.clientKill(new ClientKillParams().id(field(line, "id")));
                LOG.info("Redis sink '{}': closed the connection {} of a former leader ({}) on {}", sink, field(line, "addr"), name, node);
            }
        }
    }

    private static String field(String clientLine, String key) {
        for (String part : clientLine.trim().split(" ")) {
            if (part.startsWith(key + "=")) {
                return part.substring(key.length() + 1);
            }
        }
        return null;
    }

    /** Timeouts and TLS, shared by the data nodes and the sentinels. */
    private DefaultJedisClientConfig.Builder clientBuilder() {
        DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder().timeoutMillis(config.timeoutMs()).ssl(config.tls());
        if (config.tls()) {
            SSLParameters checkHost = new SSLParameters();
            checkHost.setEndpointIdentificationAlgorithm("HTTPS"); // Jedis checks the certificate's host names only if told
            b.sslParameters(checkHost);
            config.tlsCaFile().ifPresent(ca -> b.sslSocketFactory(CaCertificates.context(ca, RedisSinkConfig.TLS_CA_FILE).getSocketFactory()));
        }
        return b;
    }

    private RuntimeException refusal(HostAndPort node, JedisException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SSLHandshakeException) {
                return new FatalSinkException("Redis sink '" + sink + "': " + node + " was refused over TLS (" + cause.getMessage() + "): its"
                        + " certificate must be signed by a CA in " + RedisSinkConfig.TLS_CA_FILE + " (or the JVM's trust store when that is"
                        + " empty) and name the host Sluice connects to", e);
            }
        }
        if (e instanceof JedisConnectionException) {
            return new RetriableSinkException("Redis sink '" + sink + "': " + node + " unreachable: " + e.getMessage(), e);
        }
        if (e instanceof JedisDataException d && RedisScript.isTransient(d)) {
            return new RetriableSinkException("Redis sink '" + sink + "': " + node + " is not ready yet (" + e.getMessage() + ")", e);
        }
        return new FatalSinkException("Redis sink '" + sink + "': " + node + " refused us (" + e.getMessage() + "); check "
                + RedisSinkConfig.USER + ", " + RedisSinkConfig.PASSWORD + " and that the user may run EVALSHA and SCRIPT LOAD"
                + " (docs/production.md lists the ACL)", e);
    }

    /** The cluster's slot map from the first node that answers CLUSTER SLOTS: a connected primary, else a seed. */
    private HostAndPort[] readSlots(RedisTopology.Cluster cluster) {
        List<HostAndPort> candidates = new ArrayList<>(open.keySet());
        candidates.addAll(cluster.seeds());
        JedisException last = null;
        for (HostAndPort node : candidates) {
            try (Jedis j = new Jedis(node, client())) {
                HostAndPort[] owners = new HostAndPort[SLOTS];
                for (Object range : j.clusterSlots()) {
                    List<?> r = (List<?>) range;
                    List<?> master = (List<?>) r.get(2);
                    String host = new String((byte[]) master.get(0), StandardCharsets.UTF_8);
                    HostAndPort owner = new HostAndPort(host.isEmpty() ? node.getHost() : host, ((Long) master.get(1)).intValue());
                    Arrays.fill(owners, ((Long) r.get(0)).intValue(), ((Long) r.get(1)).intValue() + 1, owner);
                }
                return owners;
            } catch (JedisException e) {
                if (String.valueOf(e.getMessage()).contains("cluster support disabled")) {
                    throw new FatalSinkException("Redis sink '" + sink + "': " + node + " is not a node of a Redis Cluster (" + e.getMessage()
                            + "); set " + RedisSinkConfig.MODE + "=standalone, or name the cluster's nodes in " + RedisSinkConfig.URI, e);
                }
                if (e instanceof JedisDataException && !RedisScript.isTransient((JedisDataException) e)) {
                    throw refusal(node, e);
                }
                last = e;
            }
        }
        throw new RetriableSinkException("Redis sink '" + sink + "': no node of the cluster answered CLUSTER SLOTS (" + config.uri() + "): "
                + (last == null ? "no address" : last.getMessage()), last);
    }

    /** The primary's address from the first sentinel that knows it. */
    private HostAndPort askSentinels(RedisTopology.Sentinel sentinel) {
        JedisClientConfig toSentinel = clientBuilder().clientName("sluice-" + sink).build();
        int answered = 0;
        JedisException last = null;
        for (HostAndPort node : sentinel.sentinels()) {
            try (Jedis j = new Jedis(node, toSentinel)) {
                List<String> address = j.sentinelGetMasterAddrByName(sentinel.master());
                answered++;
                if (address != null && address.size() == 2) {
                    return new HostAndPort(address.get(0), Integer.parseInt(address.get(1)));
                }
            } catch (JedisException e) {
                last = e;
            }
        }
        if (answered == sentinel.sentinels().size()) {
            throw new FatalSinkException("Redis sink '" + sink + "': no sentinel of " + config.uri() + " monitors a primary named '"
                    + sentinel.master() + "'; check " + RedisSinkConfig.SENTINEL_MASTER + " (SENTINEL MASTERS lists the names)", null);
        }
        throw new RetriableSinkException("Redis sink '" + sink + "': no sentinel of " + config.uri() + " named the primary '"
                + sentinel.master() + "': " + (last == null ? "" : last.getMessage()), last);
    }
}
