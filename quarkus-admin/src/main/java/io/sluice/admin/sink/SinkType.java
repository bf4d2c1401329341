package io.sluice.admin.sink;

import io.sluice.admin.error.InvalidRequestException;
import io.sluice.event.TableId;
import io.sluice.sink.MappingConfig;
import io.sluice.sink.Sink;
import io.sluice.sink.TableMapping;
import io.sluice.sink.connect.OpenSearchSinkConnector;
import io.sluice.sink.connect.RedisSinkConnector;
import io.sluice.sink.lucene.LuceneSink;
import io.sluice.sink.lucene.LuceneSinkConfig;
import io.sluice.sink.opensearch.OpenSearchSink;
import io.sluice.sink.opensearch.OpenSearchSinkConfig;
import io.sluice.sink.redis.RedisSink;
import io.sluice.sink.redis.RedisSinkConfig;
import java.time.Clock;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

/** The kinds of sink the embedded server runs, each with its configuration definition. */
public enum SinkType {
    /** Its connections' fencing epoch is set by the server, never by the request. */
    REDIS(RedisSinkConfig.DEFINITION) {
        @Override
        public Sink create(String name, Map<String, String> keys, Clock clock) {
            return new RedisSink(name, RedisSinkConfig.parse(name, keys));
        }

        @Override
        public Set<String> serverKeys() {
            return Set.of(RedisSinkConfig.FENCE_EPOCH);
        }
    },
    OPENSEARCH(OpenSearchSinkConfig.DEFINITION) {
        @Override
        public Sink create(String name, Map<String, String> keys, Clock clock) {
            return new OpenSearchSink(name, OpenSearchSinkConfig.parse(name, keys));
        }
    },
    /** An index in the server's data directory; its directory is set by the server, never by the request. */
    LUCENE(LuceneSinkConfig.DEFINITION) {
        @Override
        public Sink create(String name, Map<String, String> keys, Clock clock) {
            return new LuceneSink(name, LuceneSinkConfig.parse(name, keys), clock);
        }

        @Override
        public Set<String> serverKeys() {
            return Set.of(LuceneSinkConfig.DIR);
        }
    };

    private final ConfigDef definition;

    SinkType(ConfigDef definition) {
        this.definition = definition;
    }

    /**
     * Builds a sink from a whole configuration.
     *
     * @throws io.sluice.config.InvalidConfigException listing every problem
     */
    public abstract Sink create(String name, Map<String, String> keys, Clock clock);

    /**
     * Where a table's rows land in this kind of sink, in words: which index or which keys a schema change of
     * the table touches.
     *
     * @param keys the sink's whole, valid configuration
     */
    public String target(Map<String, String> keys, TableId table) {
        TableMapping mapping = MappingConfig.mapping(new AbstractConfig(definition, keys,
                false));
        String target = mapping.target().renderIndex(table);
        return switch (this) {
            case REDIS -> "keys " + target + ":{" + mapping.id() + "} (new fields appear in new writes; older values keep their shape"
                    + " until rewritten)";
            case OPENSEARCH -> "index " + target + " (its mapping gains added fields; a changed type needs a reindex)";
            case LUCENE -> "embedded index " + target;
        };
    }

    /**
     * The Kafka Connect sink connector that runs this kind of sink in the {@code connect} runtime, or null when it
     * runs embedded only (a Lucene index lives in the server's data directory).
     */
    public String connectorClass() {
        return switch (this) {
            case REDIS -> RedisSinkConnector.class.getName();
            case OPENSEARCH -> OpenSearchSinkConnector.class.getName();
            case LUCENE -> null;
        };
    }

    /** Keys the server sets itself; a request that sets them is refused. */
    public Set<String> serverKeys() {
        return Set.of();
    }

    public ConfigDef definition() {
        return definition;
    }

    /** Keys whose values are secrets: stored encrypted, never returned. */
    public Set<String> secretKeys() {
        return definition.configKeys().values().stream().filter(k -> k.type == ConfigDef.Type.PASSWORD).map(k -> k.name)
                .collect(Collectors.toSet());
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws InvalidRequestException naming the allowed types */
    public static SinkType parse(String field, String text) {
        for (SinkType t : values()) {
            if (t.label().equals(text)) {
                return t;
            }
        }
        throw InvalidRequestException.of(field, "must be one of " + Arrays.stream(values()).map(SinkType::label).toList()
                + (text == null ? " (it is missing)" : ", not '" + text + "'"));
    }
}
