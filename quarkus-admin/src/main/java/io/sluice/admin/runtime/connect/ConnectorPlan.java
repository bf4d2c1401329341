package io.sluice.admin.runtime.connect;

import io.sluice.capture.CaptureWorker;
import io.sluice.capture.SourceConfig;
import io.sluice.connect.SluiceAvroConverter;
import io.sluice.sink.connect.SluiceSinkConnectors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The Kafka Connect connectors a source and its pipelines become in the {@code connect} runtime, as configurations
 * for {@code PUT /connectors/{name}/config}. Pure functions, no I/O.
 *
 * <p>Names: the source's Debezium connector is {@code sluice.<source>}, each sink it writes to gets
 * {@code sluice.<source>.<sink>} (source and sink names hold no dots, so neither can be mistaken for the other).
 * Topics: Debezium's {@code <source>.<database>.<table>}, so that registry subjects, documents, keys and versions
 * are the same in both runtimes.
 */
public final class ConnectorPlan {
    /** Prefix of every connector Sluice manages. */
    public static final String PREFIX = "sluice.";
    /** Prefix of the topics Debezium writes its notifications to, one per source. */
    public static final String NOTIFICATIONS_PREFIX = "sluice.notifications.";

    /** What every connector needs from the server's settings. */
    public record Settings(String bootstrapServers, String registryUrl, String registryToken, String registryUserInfo, short replicationFactor) {
    }

    /** Engine-only keys of the embedded mode: Connect keeps offsets and the schema history in Kafka. */
    private static final Set<String> EMBEDDED_ONLY = Set.of("name", "offset.storage", "offset.storage.file.filename", "offset.flush.interval.ms",
            "offset.flush.timeout.ms", "schema.history.internal.file.filename");

    private ConnectorPlan() {
    }

    public static String sourceConnector(String source) {
        return PREFIX + source;
    }

    public static String sinkConnector(String source, String sink) {
        return PREFIX + source + "." + sink;
    }

    /** The topic the source connector reads signals from (backfills), keyed by the source's name. */
    public static String signalTopic(String source) {
        return "sluice.signals." + source;
    }

    /** Whether a connector name belongs to a source: its Debezium connector or one of its sink connectors. */
    public static boolean belongsTo(String connector, String source) {
        return connector.equals(sourceConnector(source)) || connector.startsWith(sourceConnector(source) + ".");
    }

    /**
     * The Debezium connector of a source: the embedded engine's settings (same topic prefix, same type handling),
     * with the schema history in a Kafka topic (Debezium creates it with infinite retention), tombstones after
     * deletes for compacted topics, and Sluice's converter against the server's registry.
     */
    public static Map<String, String> source(SourceConfig config, Settings settings) {
        Properties engine = CaptureWorker.debeziumProperties(config);
        Map<String, String> c = new TreeMap<>();
        engine.stringPropertyNames().stream().filter(k -> !EMBEDDED_ONLY.contains(k)).forEach(k -> c.put(k, engine.getProperty(k)));
        c.put("tasks.max", "1");
        // Topics (and so registry subjects) named as in the embedded mode's events: <source>.<database>.<table>.
        c.put("topic.prefix", config.name());
        // A schema waiting for review makes the converter fail retriably: retry it for ever, so that the task
        // carries on by itself once the change is approved, and commits nothing past it meanwhile.
        c.put("errors.retry.timeout", "-1");
        c.put("errors.retry.delay.max.ms", "10000");
        c.put("schema.history.internal", "io.debezium.storage.kafka.history.KafkaSchemaHistory");
        c.put("schema.history.internal.kafka.bootstrap.servers", settings.bootstrapServers());
        c.put("schema.history.internal.kafka.topic", "sluice.schema-history." + config.name());
        c.put("include.schema.changes", "false");
        c.put("tombstones.on.delete", "true");
        // Backfills: Debezium's incremental snapshots, started by signals on a Kafka topic (and watermarked in the
        // source's signal table, debezium.signal.data.collection), reporting progress as notifications.
        c.put("signal.enabled.channels", "source,kafka");
        c.put("signal.kafka.topic", signalTopic(config.name()));
        c.put("signal.kafka.bootstrap.servers", settings.bootstrapServers());
        c.put("signal.kafka.groupId", "sluice-signals-" + config.name());
        c.put("notification.enabled.channels", "sink");
        c.put("notification.sink.topic.name", NOTIFICATIONS_PREFIX + config.name());
        c.put("topic.creation.default.replication.factor", Short.toString(settings.replicationFactor()));
        c.put("topic.creation.default.partitions", "1");
        c.putAll(converters(settings));
        return c;
    }

    /**
     * The connector of one sink of a source.
     *
     * @param connectorClass the sink's Connect class
     * @param sinkKeys the sink's own keys (templates, target addresses, credentials)
     * @param tables the table patterns ({@code db.table}, {@code *} as wildcard) of the pipelines writing to this
     *     sink; an empty pattern list in any of them means every table
     */
    public static Map<String, String> sink(SourceConfig source, String sink, String connectorClass, Map<String, String> sinkKeys,
            List<List<String>> tables, Settings settings) {
        Map<String, String> c = new TreeMap<>(sinkKeys);
        c.put("connector.class", connectorClass);
        c.put("tasks.max", "1");
        c.put("topics.regex", topicsRegex(source.name(), tables));
        c.put(SluiceSinkConnectors.SOURCE_NAME, source.name());
        c.put(SluiceSinkConnectors.VERSION_EPOCH, Integer.toString(source.versionEpoch()));
        c.put("errors.tolerance", "all");
        c.put("errors.deadletterqueue.topic.name", "sluice.dlq." + source.name() + "." + sink);
        c.put("errors.deadletterqueue.topic.replication.factor", Short.toString(settings.replicationFactor()));
        c.put("errors.deadletterqueue.context.headers.enable", "true");
        // A table created later is a new topic: look for new matches every 5 s, not Kafka's default 5 minutes.
        c.put("consumer.override.metadata.max.age.ms", "5000");
        c.putAll(converters(settings));
        return c;
    }

    /** The topics of a source's tables that any of the pipelines takes. */
    static String topicsRegex(String prefix, List<List<String>> tables) {
        String head = Pattern.quote(prefix) + "\\.";
        if (tables.isEmpty() || tables.stream().anyMatch(List::isEmpty)) {
            return head + "[^.]+\\.[^.]+";
        }
        List<String> alternatives = tables.stream().flatMap(List::stream).distinct()
                .map(t -> "(?:" + Pattern.quote(t).replace("*", "\\E[^.]*\\Q") + ")").toList();
        return head + "(?i:" + String.join("|", alternatives) + ")";
    }

    private static Map<String, String> converters(Settings settings) {
        Map<String, String> c = new LinkedHashMap<>();
        for (String side : List.of("key", "value")) {
            c.put(side + ".converter", SluiceAvroConverter.class.getName());
            c.put(side + ".converter." + SluiceAvroConverter.URL, settings.registryUrl());
            if (settings.registryToken() != null && !settings.registryToken().isBlank()) {
                c.put(side + ".converter." + SluiceAvroConverter.BEARER, settings.registryToken());
            } else if (settings.registryUserInfo() != null && !settings.registryUserInfo().isBlank()) {
                c.put(side + ".converter." + SluiceAvroConverter.USER_INFO, settings.registryUserInfo());
            }
        }
        return c;
    }
}
