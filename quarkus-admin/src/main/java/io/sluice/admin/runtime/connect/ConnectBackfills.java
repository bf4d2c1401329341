package io.sluice.admin.runtime.connect;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.admin.SluiceConfig;
import io.sluice.admin.activity.ActivityLog;
import io.sluice.admin.backfill.BackfillRequest;
import io.sluice.admin.backfill.BackfillState;
import io.sluice.admin.backfill.BackfillStore;
import io.sluice.admin.error.ConflictException;
import io.sluice.admin.error.UnavailableException;
import io.sluice.admin.pipeline.PipelineSpec;
import io.sluice.admin.runtime.PipelineRuntime;
import io.sluice.admin.source.SourceStore;
import io.sluice.backfill.BackfillRun;
import io.sluice.registry.SchemaRegistry;
import io.sluice.serde.AvroSerde;
import io.sluice.serde.CachingRegistryClient;
import io.sluice.serde.LocalRegistryClient;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Backfills in the {@code connect} runtime: Debezium's incremental snapshots, started, paused, resumed and stopped
 * with signals on the source connector's Kafka signal topic ({@code sluice.signals.<source>}, keyed by the topic
 * prefix), their progress read from its notification topic ({@code sluice.notifications.<source>}, Avro through
 * the registry like every record of the connector). Debezium's incremental snapshot writes its watermarks into the
 * source's signal table ({@code debezium.signal.data.collection} of the source), and its rows go to the table's
 * topic, so every sink reading the table receives them, with versions that a later live change beats.
 *
 * <p>One backfill per source at a time: Debezium runs one incremental snapshot per connector. Thread-safe.
 */
@Dependent
class ConnectBackfills implements PipelineRuntime.Backfilling {
    private static final Logger LOG = Logger.getLogger(ConnectBackfills.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String SIGNAL_TABLE_KEY = "debezium.signal.data.collection";

    @Inject
    SluiceConfig config;

    @Inject
    SourceStore sources;

    @Inject
    BackfillStore store;

    @Inject
    SchemaRegistry registry;

    @Inject
    ActivityLog activity;

    private KafkaProducer<String, String> producer;
    /** Signal topics known to exist: an admin client is opened for a source's first signal only. */
    private final Set<String> signalTopics = ConcurrentHashMap.newKeySet();
    private Thread listener;
    private volatile boolean stopping;
    private ConnectRuntime runtime;

    /** Opens the producer of signals and starts reading notifications; called once by the runtime at boot. */
    void start(SluiceConfig.Connect connect, ConnectRuntime runtime) {
        this.runtime = runtime;
        Properties p = new Properties();
        p.put("bootstrap.servers", connect.bootstrapServers().orElseThrow());
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        p.put("acks", "all");
        p.put("max.block.ms", "10000");
        producer = new KafkaProducer<>(p);
        listener = new Thread(this::listen, "sluice-snapshot-notifications");
        listener.setDaemon(true);
        listener.start();
    }

    void close() {
        stopping = true;
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * A backfill here is Debezium's incremental snapshot of the source connector: into every sink of the pipeline,
     * with a signal table where it writes its watermarks.
     */
    @Override
    public void check(PipelineSpec pipeline, BackfillRequest request) {
        if (request.sink() != null || request.reindexOrDefault()) {
            throw runtime.refusal(PipelineRuntime.Ability.BACKFILL_ONE_SINK, pipeline.name());
        }
        String signalTable = sources.runtimeConfig(pipeline.source()).engineOverrides().get("signal.data.collection");
        if (signalTable == null || signalTable.isBlank()) {
            throw new ConflictException("no_signal_table", "Source '" + pipeline.source() + "' has no signal table, where Debezium's"
                    + " incremental snapshot writes its watermarks. Create one in a captured database (CREATE TABLE db.debezium_signal"
                    + " (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)), grant the source's user"
                    + " INSERT on it, and set \"" + SIGNAL_TABLE_KEY + "\": \"db.debezium_signal\" on the source.");
        }
    }

    /** Sends the signal that starts Debezium's incremental snapshot of the backfill's tables. */
    @Override
    public void launch(BackfillStore.Stored b) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("data-collections", b.tables());
        data.put("type", "incremental");
        if (b.filter() != null) {
            data.put("additional-conditions", b.tables().stream().map(t -> Map.of("data-collection", t, "filter", b.filter())).toList());
        }
        signal(b.source(), "execute-snapshot", data);
    }

    @Override
    public void pause(BackfillStore.Stored b) {
        signal(b.source(), "pause-snapshot", Map.of());
    }

    /** A paused snapshot resumes; a failed backfill is started again. */
    @Override
    public void resume(BackfillStore.Stored b) {
        if (b.state() == BackfillState.PAUSED) {
            signal(b.source(), "resume-snapshot", Map.of());
        } else {
            launch(b);
        }
    }

    @Override
    public void cancel(BackfillStore.Stored b) {
        signal(b.source(), "stop-snapshot", Map.of("data-collections", b.tables(), "type", "incremental"));
    }

    /** Debezium reports progress in its notifications, which move the stored backfill along. */
    @Override
    public Optional<BackfillRun.Progress> progress(long id) {
        return Optional.empty();
    }

    /** Debezium carries on with its snapshot by itself; its notifications move it along. */
    @Override
    public void resumeAtBoot(List<BackfillStore.Stored> active) {
    }

    private void signal(String source, String type, Map<String, Object> data) {
        String topic = ConnectorPlan.signalTopic(source);
        try {
            ensureTopic(topic);
            String value = JSON.writeValueAsString(Map.of("id", UUID.randomUUID().toString(), "type", type, "data", data));
            producer.send(new ProducerRecord<>(topic, source, value)).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(topic, e);
        } catch (ExecutionException | TimeoutException | KafkaException | IOException e) {
            signalTopics.remove(topic); // it may have been deleted: the next signal creates it again
            throw unavailable(topic, e);
        }
    }

    private UnavailableException unavailable(String topic, Exception e) {
        return new UnavailableException("kafka_unavailable", "Could not send the signal to topic " + topic + " on Kafka at "
                + config.connect().bootstrapServers().orElse("?") + ": " + (e.getCause() == null ? e : e.getCause())
                + ". Nothing was started; try again once Kafka answers.");
    }

    private void ensureTopic(String topic) throws InterruptedException, ExecutionException, TimeoutException {
        if (signalTopics.contains(topic)) {
            return;
        }
        Properties p = new Properties();
        p.put("bootstrap.servers", config.connect().bootstrapServers().orElseThrow());
        try (Admin admin = Admin.create(p)) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, 1, config.connect().replicationFactor()))).all().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        signalTopics.add(topic);
    }

    /** Reads every source's notifications and moves the matching backfill along. */
    private void listen() {
        Properties p = new Properties();
        p.put("bootstrap.servers", config.connect().bootstrapServers().orElseThrow());
        p.put("group.id", "sluice-server-notifications");
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        p.put("auto.offset.reset", "earliest");
        p.put("metadata.max.age.ms", "5000");
        AvroSerde serde = new AvroSerde(new CachingRegistryClient(new LocalRegistryClient(registry)), false);
        while (!stopping) {
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
                consumer.subscribe(Pattern.compile(Pattern.quote(ConnectorPlan.NOTIFICATIONS_PREFIX) + ".+"));
                while (!stopping) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
                        if (r.value() != null) {
                            handle(r.topic().substring(ConnectorPlan.NOTIFICATIONS_PREFIX.length()), serde.deserialize(r.value()));
                        }
                    }
                }
            } catch (RuntimeException e) {
                if (!stopping) {
                    LOG.warnf("reading snapshot notifications failed, again in 5 s: %s", e.toString());
                    try {
                        Thread.sleep(5000);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }
    }

    /** One of Debezium's incremental snapshot notifications for a source. */
    void handle(String source, Object datum) {
        if (!(datum instanceof GenericRecord n) || !"Incremental Snapshot".equals(String.valueOf(n.get("aggregate_type")))) {
            return;
        }
        String type = String.valueOf(n.get("type"));
        Map<String, String> extra = new HashMap<>();
        if (n.get("additional_data") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> extra.put(String.valueOf(k), String.valueOf(v)));
        }
        BackfillStore.Stored b = store.active().stream().filter(s -> s.source().equals(source)).findFirst().orElse(null);
        if (b == null) {
            return;
        }
        switch (type) {
            case "IN_PROGRESS" -> store.checkpoint(b.id(), b.tableIndex(), List.<Object>of(extra.getOrDefault("last_processed_key", "")),
                    List.<Object>of(extra.getOrDefault("maximum_key", "")), b.rowsRead(), b.rowsWritten(), b.chunksDone() + 1);
            case "TABLE_SCAN_COMPLETED" -> {
                long rows = parse(extra.get("total_rows_scanned"));
                store.checkpoint(b.id(), b.tableIndex() + 1, b.lastKey(), b.upTo(), b.rowsRead() + rows, b.rowsWritten() + rows, b.chunksDone());
            }
            case "COMPLETED" -> {
                store.setState(b.id(), BackfillState.SUCCEEDED, null);
                activity.record("backfill:" + b.id(), ActivityLog.SYSTEM, "succeeded", "Debezium's incremental snapshot completed");
            }
            case "ABORTED" -> {
                if (b.state() != BackfillState.CANCELLED) {
                    store.setState(b.id(), BackfillState.CANCELLED, "Debezium's incremental snapshot was stopped");
                }
            }
            case "PAUSED", "RESUMED", "STARTED" -> activity.record("backfill:" + b.id(), ActivityLog.SYSTEM, type.toLowerCase(Locale.ROOT),
                    "Debezium's incremental snapshot");
            default -> LOG.debugf("snapshot notification %s for source %s", type, source);
        }
    }

    private static long parse(String text) {
        try {
            return text == null ? 0 : Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
