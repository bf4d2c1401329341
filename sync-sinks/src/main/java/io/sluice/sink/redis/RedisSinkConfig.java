package io.sluice.sink.redis;

import io.sluice.config.ConfigProblem;
import io.sluice.config.ConfigValidation;
import io.sluice.sink.MappingConfig;
import io.sluice.sink.TableMapping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** The configuration of a {@link RedisSink}; every key declared once in {@link #DEFINITION}. Immutable. */
public final class RedisSinkConfig {
    public static final String URI = "redis.uri";
    public static final String PASSWORD = "redis.password";
    public static final String FORMAT = "redis.format";
    public static final String TTL_MS = "redis.ttl.ms";
    public static final String TOMBSTONE_TTL_MS = "tombstone.ttl.ms";
    public static final String TIMEOUT_MS = "redis.timeout.ms";
    public static final String WAIT_REPLICAS = "redis.wait.replicas";
    public static final String WAIT_TIMEOUT_MS = "redis.wait.timeout.ms";
    public static final String TLS = "redis.tls";
    public static final String TLS_CA_FILE = "redis.tls.ca.file";
    public static final String MODE = "redis.mode";
    public static final String USER = "redis.user";
    public static final String FENCE_EPOCH = "redis.fence.epoch";
    public static final String SENTINEL_MASTER = "redis.sentinel.master";

    public static final ConfigDef DEFINITION = MappingConfig.define(new ConfigDef(), "{source}:{database}:{table}")
            .define(URI, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "redis://host:port or redis://host:port/database (rediss:// for TLS). With redis.mode=cluster, one or more of"
                    + " the cluster's nodes; with redis.mode=sentinel, the sentinels; several separated by commas.")
            .define(MODE, Type.STRING, "standalone", ConfigDef.CaseInsensitiveValidString.in("standalone", "cluster", "sentinel"),
                    Importance.HIGH, "standalone: one server; cluster: a Redis Cluster (each call's keys grouped by slot, MOVED and ASK"
                    + " followed); sentinel: the primary the sentinels name, asked again after each lost connection.")
            .define(SENTINEL_MASTER, Type.STRING, "", Importance.HIGH, "With redis.mode=sentinel: the name the sentinels monitor the primary by.")
            .define(USER, Type.STRING, "", Importance.HIGH, "ACL user name (AUTH user password); empty authenticates as the default user.")
            .define(PASSWORD, Type.PASSWORD, "", Importance.HIGH, "Password (AUTH), if the server needs one.")
            .define(TLS, Type.BOOLEAN, false, Importance.MEDIUM, "Connect with TLS (also on when redis.uri is rediss://).")
            .define(TLS_CA_FILE, Type.STRING, "", Importance.MEDIUM,
                    "PEM file of the certificate authorities to trust for TLS; empty trusts the JVM's trust store.")
            .define(FORMAT, Type.STRING, "json", ConfigDef.CaseInsensitiveValidString.in("json", "hash"), Importance.MEDIUM,
                    "json: each row as a JSON string; hash: each row as a Redis hash of its fields.")
            .define(TTL_MS, Type.LONG, 0L, ConfigDef.Range.atLeast(0), Importance.LOW, "Expiry of written keys in ms; 0 keeps them.")
            .define(TOMBSTONE_TTL_MS, Type.LONG, 86_400_000L, ConfigDef.Range.atLeast(1000), Importance.LOW,
                    "How long the versioned tombstone of a deleted key is kept, in ms; an event older than the delete arriving later than that could bring the key back.")
            .define(TIMEOUT_MS, Type.INT, 5000, ConfigDef.Range.between(100, 600_000), Importance.LOW, "Connect and read timeout in ms.")
            .define(WAIT_REPLICAS, Type.INT, 0, ConfigDef.Range.between(0, 100), Importance.MEDIUM,
                    "Replicas that must have every write before a checkpoint counts on it (Redis WAIT at each flush): with it, a"
                    + " failover to a replica loses nothing a checkpoint counted on. 0 does not wait.")
            .define(WAIT_TIMEOUT_MS, Type.INT, 5000, ConfigDef.Range.between(10, 600_000), Importance.LOW,
                    "How long a flush waits for redis.wait.replicas replicas; fewer by then is a retriable failure, and the"
                    + " checkpoint waits.")
            .define(FENCE_EPOCH, Type.LONG, 0L, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "Set by a Sluice server with high availability to its lease's epoch: the sink's connections carry it in"
                    + " their name, and each new connection closes this sink's connections of older epochs (CLIENT KILL), so"
                    + " that writes a deposed leader still had in flight cannot land. 0 fences nothing.");

    private final AbstractConfig config;
    private final RedisTopology topology;

    private RedisSinkConfig(AbstractConfig config, RedisTopology topology) {
        this.config = config;
        this.topology = topology;
    }

    /**
     * Validates a whole configuration.
     *
     * @throws io.sluice.config.InvalidConfigException listing every problem
     */
    public static RedisSinkConfig parse(String sinkName, Map<String, String> raw) {
        List<ConfigProblem> problems = new ArrayList<>(ConfigValidation.problems(DEFINITION, raw, Set.of()));
        problems.addAll(MappingConfig.problems(raw));
        String uri = raw.get(URI);
        RedisTopology topology = null;
        if (uri != null && !uri.isBlank() && problems.stream().noneMatch(p -> p.key().equals(MODE))) {
            topology = RedisTopology.parse(RedisTopology.Mode.of(raw.getOrDefault(MODE, "standalone")), uri, raw.getOrDefault(SENTINEL_MASTER, ""), problems);
        }
        String ca = raw.getOrDefault(TLS_CA_FILE, "");
        if (!ca.isBlank() && !Files.isReadable(Path.of(ca))) {
            problems.add(new ConfigProblem(TLS_CA_FILE, ca, "a readable PEM file of CA certificates on this machine"));
        }
        ConfigValidation.requireNone(DEFINITION, "Redis sink '" + sinkName + "'", problems);
        return new RedisSinkConfig(new AbstractConfig(DEFINITION, raw, false), topology);
    }

    /** The servers to write to. */
    RedisTopology topology() {
        return topology;
    }

    /** The addresses as configured, for messages. */
    public String uri() {
        return config.getString(URI);
    }

    public String user() {
        return config.getString(USER);
    }

    /** The CA file to trust, if one is set. */
    public Optional<Path> tlsCaFile() {
        String file = config.getString(TLS_CA_FILE);
        return file.isBlank() ? Optional.empty() : Optional.of(Path.of(file));
    }

    public String password() {
        return config.getPassword(PASSWORD).value();
    }

    public boolean tls() {
        return config.getBoolean(TLS) || RedisTopology.tlsScheme(config.getString(URI));
    }

    public boolean hashFormat() {
        return "hash".equals(config.getString(FORMAT).toLowerCase(Locale.ROOT));
    }

    public long ttlMs() {
        return config.getLong(TTL_MS);
    }

    public long tombstoneTtlMs() {
        return config.getLong(TOMBSTONE_TTL_MS);
    }

    public int timeoutMs() {
        return config.getInt(TIMEOUT_MS);
    }

    /** The epoch of the leader this sink writes for; 0 without high availability. */
    public long fenceEpoch() {
        return config.getLong(FENCE_EPOCH);
    }

    public int waitReplicas() {
        return config.getInt(WAIT_REPLICAS);
    }

    public int waitTimeoutMs() {
        return config.getInt(WAIT_TIMEOUT_MS);
    }

    public TableMapping mapping() {
        return MappingConfig.mapping(config);
    }
}
