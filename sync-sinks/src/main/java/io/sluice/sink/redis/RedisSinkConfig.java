package io.sluice.sink.redis;

import io.sluice.config.ConfigProblem;
import io.sluice.config.ConfigValidation;
import io.sluice.sink.MappingConfig;
import io.sluice.sink.TableMapping;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

    public static final ConfigDef DEFINITION = MappingConfig.define(new ConfigDef(), "{source}:{database}:{table}")
            .define(URI, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "redis://host:port or redis://host:port/database.")
            .define(PASSWORD, Type.PASSWORD, "", Importance.HIGH, "Password (AUTH), if the server needs one.")
            .define(TLS, Type.BOOLEAN, false, Importance.MEDIUM, "Connect with TLS.")
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
                    + " checkpoint waits.");

    private final AbstractConfig config;

    private RedisSinkConfig(AbstractConfig config) {
        this.config = config;
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
        if (uri != null && !uri.isBlank()) {
            try {
                URI u = new URI(uri);
                if (!"redis".equals(u.getScheme()) || u.getHost() == null) {
                    problems.add(new ConfigProblem(URI, uri, "expected redis://host:port[/database]"));
                }
            } catch (URISyntaxException e) {
                problems.add(new ConfigProblem(URI, uri, "expected redis://host:port[/database]: " + e.getReason()));
            }
        }
        ConfigValidation.requireNone(DEFINITION, "Redis sink '" + sinkName + "'", problems);
        return new RedisSinkConfig(new AbstractConfig(DEFINITION, raw, false));
    }

    public URI uri() {
        try {
            return new URI(config.getString(URI));
        } catch (URISyntaxException e) {
            throw new IllegalStateException("redis.uri was validated, yet: " + e.getMessage(), e);
        }
    }

    public String password() {
        return config.getPassword(PASSWORD).value();
    }

    public boolean tls() {
        return config.getBoolean(TLS);
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
