package io.sluice.sink.connect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** What Sluice's sink connectors share: their own keys and version. */
public final class SluiceSinkConnectors {
    public static final String VERSION = "0.1.0";
    public static final String SOURCE_NAME = "sluice.source";
    public static final String VERSION_EPOCH = "sluice.version.epoch";
    public static final String SNAPSHOT_SWEEP = "sluice.snapshot.sweep";
    public static final String RULES_ENABLED = "sluice.rules.enabled";
    public static final String RULES_REFRESH_MS = "sluice.rules.refresh.ms";
    /** The connector keys alone, to read them from a task's configuration. */
    static final ConfigDef CONNECTOR_KEYS = withConnectorKeys(new ConfigDef());

    private SluiceSinkConnectors() {
    }

    /** A sink's definition plus the connector keys. */
    public static ConfigDef withConnectorKeys(ConfigDef sinkDefinition) {
        return new ConfigDef(sinkDefinition)
                .define(SOURCE_NAME, Type.STRING, "", Importance.MEDIUM,
                        "The Sluice source name used in templates ({source}); empty takes the topic's first segment (Debezium's topic.prefix).")
                .define(VERSION_EPOCH, Type.INT, 0, ConfigDef.Range.between(0, 15), Importance.LOW,
                        "The source's version epoch; raise it with the source's after the binlog went backwards.")
                .define(SNAPSHOT_SWEEP, Type.BOOLEAN, true, Importance.MEDIUM,
                        "After the last row of a table's snapshot, remove the table's documents that the snapshot did not see: rows "
                        + "deleted while nothing captured the source (a snapshot taken again, a connector registered anew over old "
                        + "targets). Turn it off only when writers other than Sluice share the target's keys or indexes.")
                .define(RULES_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
                        "Run each table's data contract before writing, as the embedded pipeline does: the rules of the latest version "
                        + "of the topic's value subject, read from the registry of the connector's value.converter.schema.registry.url "
                        + "(with its credentials). Without that key on the connector, no rules run and the task says so at start.")
                .define(RULES_REFRESH_MS, Type.LONG, 10_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                        "How long a table's rules are used before the registry is asked again; a rule registered takes effect within "
                        + "this time. 0 asks at every batch.");
    }

    /** Task configurations: every task gets the connector's. */
    static List<Map<String, String>> copies(Map<String, String> props, int maxTasks) {
        List<Map<String, String>> out = new ArrayList<>();
        for (int i = 0; i < maxTasks; i++) {
            out.add(Map.copyOf(props));
        }
        return out;
    }

}
