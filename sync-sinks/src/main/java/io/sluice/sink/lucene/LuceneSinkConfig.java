package io.sluice.sink.lucene;

import io.sluice.config.ConfigProblem;
import io.sluice.config.ConfigValidation;
import io.sluice.sink.MappingConfig;
import io.sluice.sink.TableMapping;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** The configuration of a {@link LuceneSink}; every key declared once. */
public final class LuceneSinkConfig {
    public static final String DIR = "lucene.dir";
    public static final String TOMBSTONE_TTL_MS = "tombstone.ttl.ms";
    public static final String REFRESH_INTERVAL_MS = "lucene.refresh.interval.ms";

    public static final ConfigDef DEFINITION = MappingConfig.define(new ConfigDef(), "{source}.{database}.{table}")
            .define(DIR, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Directory under which each target gets its own index directory; it must survive restarts.")
            .define(TOMBSTONE_TTL_MS, Type.LONG, 86_400_000L, ConfigDef.Range.atLeast(1000), Importance.LOW,
                    "How long a deleted document's versioned tombstone is kept, in ms.")
            .define(REFRESH_INTERVAL_MS, Type.LONG, 0L, ConfigDef.Range.between(0, 60_000), Importance.LOW,
                    "How often, at most, writes reopen the index for search, in ms. 0 reopens after every batch: a document is"
                            + " searchable as soon as it is written. More writes fewer, larger segments (less CPU at high rates,"
                            + " like OpenSearch's refresh_interval): a document becomes searchable at the next batch written past"
                            + " the interval, or at the next checkpoint (sink.flush.interval.ms; an idle source's next heartbeat) if none comes.");

    private final AbstractConfig config;

    private LuceneSinkConfig(AbstractConfig config) {
        this.config = config;
    }

    /**
     * Validates a whole configuration.
     *
     * @throws io.sluice.config.InvalidConfigException listing every problem
     */
    public static LuceneSinkConfig parse(String sinkName, Map<String, String> raw) {
        List<ConfigProblem> problems = new ArrayList<>(ConfigValidation.problems(DEFINITION, raw, Set.of()));
        problems.addAll(MappingConfig.problems(raw));
        ConfigValidation.requireNone(DEFINITION, "Lucene sink '" + sinkName + "'", problems);
        return new LuceneSinkConfig(new AbstractConfig(DEFINITION, raw, false));
    }

    public Path dir() {
        return Path.of(config.getString(DIR));
    }

    public long tombstoneTtlMs() {
        return config.getLong(TOMBSTONE_TTL_MS);
    }

    public long refreshIntervalMs() {
        return config.getLong(REFRESH_INTERVAL_MS);
    }

    public TableMapping mapping() {
        return MappingConfig.mapping(config);
    }
}
