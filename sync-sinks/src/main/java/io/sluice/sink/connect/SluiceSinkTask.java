package io.sluice.sink.connect;

import io.sluice.capture.DebeziumRecords;
import io.sluice.contract.ContractCheck;
import io.sluice.contract.RuleErrorException;
import io.sluice.event.ChangeEvent;
import io.sluice.event.SourceEvent;
import io.sluice.event.TableId;
import io.sluice.registry.RegistryException;
import io.sluice.serde.HttpRegistryClient;
import io.sluice.serde.RegistryUnavailableException;
import io.sluice.sink.FatalSinkException;
import io.sluice.sink.GenerationWatch;
import io.sluice.sink.RetriableSinkException;
import io.sluice.sink.Sink;
import io.sluice.sink.Sweepable;
import io.sluice.sink.WriteResult;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a Sluice {@link Sink} as a Kafka Connect sink task. Records are Debezium change-event envelopes (as
 * Sluice's Avro converter reads them back); they become the same {@link ChangeEvent}s, with the same versions,
 * as in the embedded mode. Tombstones that follow deletes are skipped: the delete event already carried the
 * version. Retriable sink failures become Connect's {@link RetriableException} (Connect retries the batch);
 * events the target refuses go to Connect's dead-letter queue through the errant-record reporter.
 * {@link #flush} makes the writes durable, so Connect commits offsets only past durable writes. When the last row of
 * a table's snapshot has been written, the task sweeps the table's documents the snapshot did not see
 * ({@link Sweepable}; {@code sluice.snapshot.sweep}), if its sink can.
 *
 * <p>Each table's data contract runs before the sink sees a batch ({@link ContractCheck}, {@code sluice.rules.enabled}),
 * with the same results as in the embedded pipeline: transforms change what is written, a change that fails a
 * {@code DLQ} rule goes to Connect's dead-letter queue with the rule named, a failed {@code ERROR} rule fails the task
 * before anything of its batch is written (its offsets are not committed: a restart reads it again).
 */
public abstract class SluiceSinkTask extends SinkTask {
    private static final Logger LOG = LoggerFactory.getLogger(SluiceSinkTask.class);
    /** Where the rules are: the registry of the connector's value converter. */
    private static final String REGISTRY_URL = "value.converter.schema.registry.url";
    /** Builds a sink from its name and validated keys. */
    @FunctionalInterface
    protected interface SinkFactory {
        Sink create(String name, Map<String, String> keys);
    }

    private final ConfigDef definition;
    private final SinkFactory factory;
    private final String defaultName;
    private Sink sink;
    /** The sink's sweep, or null when it cannot sweep. */
    private Sweepable sweepable;
    private Map<String, DebeziumRecords> mappers;
    private String sourceName;
    private int epoch;
    private boolean sweep;
    private ErrantRecordReporter reporter;
    private GenerationWatch generations;
    /** Null when no rules run. */
    private ContractCheck contracts;
    private RegistryContracts rules;

    /**
     * @param definition the sink's own keys; the task passes only those (and the connector's name) to the sink
     * @param factory builds the sink
     * @param defaultName the sink's name when the connector has none
     */
    protected SluiceSinkTask(ConfigDef definition, SinkFactory factory, String defaultName) {
        this.definition = definition;
        this.factory = factory;
        this.defaultName = defaultName;
    }

    @Override
    public String version() {
        return SluiceSinkConnectors.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        Map<String, String> sinkProps = new HashMap<>(props);
        Map<String, String> own = new HashMap<>();
        for (String key : SluiceSinkConnectors.CONNECTOR_KEYS.names()) {
            String value = sinkProps.remove(key);
            if (value != null) {
                own.put(key, value);
            }
        }
        Map<String, Object> connectorKeys = SluiceSinkConnectors.CONNECTOR_KEYS.parse(own);
        sourceName = (String) connectorKeys.get(SluiceSinkConnectors.SOURCE_NAME);
        epoch = (Integer) connectorKeys.get(SluiceSinkConnectors.VERSION_EPOCH);
        sweep = (Boolean) connectorKeys.get(SluiceSinkConnectors.SNAPSHOT_SWEEP);
        String name = sinkProps.getOrDefault("name", defaultName);
        rules((Boolean) connectorKeys.get(SluiceSinkConnectors.RULES_ENABLED), (Long) connectorKeys.get(SluiceSinkConnectors.RULES_REFRESH_MS),
                name, sinkProps);
        sinkProps.keySet().removeIf(k -> !definition.configKeys().containsKey(k));
        sink = factory.create(name, sinkProps);
        sink.open();
        sweepable = sink.sweepable().orElse(null);
        generations = new GenerationWatch(sink, new Remembered(), Clock.systemUTC(), this::targetLost);
        mappers = new HashMap<>();
        try {
            reporter = context == null ? null : context.errantRecordReporter();
        } catch (NoSuchMethodError | NoClassDefFoundError e) {
            reporter = null; // a worker older than Kafka 2.6
        }
    }

    /** Reads the rules from the registry the connector's value converter writes to, if it names one. */
    private void rules(boolean enabled, long refreshMs, String name, Map<String, String> props) {
        String url = props.get(REGISTRY_URL);
        if (!enabled) {
            return;
        }
        if (url == null || url.isBlank()) {
            LOG.warn("sink '{}': no data contract rules run: the connector has no {} to read them from. Set the value converter (and its"
                    + " registry) on the connector, or set {}=false to say that no rules should run", name, REGISTRY_URL,
                    SluiceSinkConnectors.RULES_ENABLED);
            return;
        }
        HttpRegistryClient registry = new HttpRegistryClient(new HttpRegistryClient.Settings(url.split(",")[0].trim(),
                props.get("value.converter.basic.auth.user.info"), props.get("value.converter.bearer.auth.token"), Duration.ofSeconds(10), 3));
        rules = new RegistryContracts(registry, Clock.systemUTC(), Duration.ofMillis(refreshMs));
        contracts = new ContractCheck(rules, table -> true);
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        List<ChangeEvent> batch = new ArrayList<>(records.size());
        Map<ChangeEvent, SinkRecord> origin = new IdentityHashMap<>();
        Map<TableId, Long> snapshotEnds = new LinkedHashMap<>();
        for (SinkRecord r : records) {
            if (r.value() == null) {
                continue;
            }
            DebeziumRecords mapper = mappers.computeIfAbsent(r.topic(), t -> new DebeziumRecords(source(t), null, epoch));
            DebeziumRecords.Kind kind = mapper.kind(r);
            if (kind != DebeziumRecords.Kind.DATA) {
                continue;
            }
            SourceEvent event;
            try {
                event = mapper.map(r, kind);
            } catch (RuntimeException e) {
                report(r, "not a Debezium change event Sluice can read: " + e.getMessage());
                continue;
            }
            ChangeEvent change = (ChangeEvent) event;
            if (rules != null) {
                rules.topic(change.table(), r.topic());
            }
            batch.add(change);
            origin.put(change, r);
            if (sweep && DebeziumRecords.endsTableSnapshot(r)) {
                snapshotEnds.put(change.table(), change.version());
            }
        }
        if (contracts != null && !batch.isEmpty()) {
            batch = checked(batch, origin);
        }
        if (batch.isEmpty()) {
            return;
        }
        WriteResult result;
        try {
            result = sink.write(batch);
        } catch (RetriableSinkException e) {
            throw new RetriableException(e.getMessage(), e);
        } catch (FatalSinkException e) {
            throw new ConnectException(e.getMessage(), e);
        }
        for (WriteResult.Rejection rejection : result.rejected()) {
            report(origin.get(rejection.event()), rejection.reason());
        }
        if (!snapshotEnds.isEmpty()) {
            sweep(snapshotEnds);
        }
    }

    /**
     * Runs the tables' rules on a batch: what passed, as the transforms left it (each mapped to its record in
     * {@code origin}); what a {@code DLQ} rule stopped is reported to the dead-letter queue.
     *
     * @throws ConnectException when an {@code ERROR} rule failed or a table's rules no longer fit its schema
     * @throws RetriableException when the registry cannot be reached
     */
    private List<ChangeEvent> checked(List<ChangeEvent> batch, Map<ChangeEvent, SinkRecord> origin) {
        ContractCheck.Checked checked;
        try {
            checked = contracts.apply(new ArrayList<SourceEvent>(batch));
        } catch (RuleErrorException e) {
            throw new ConnectException("sink '" + sink.name() + "': " + e.getMessage() + ". Nothing of this batch was written; restart the task"
                    + " (POST /connectors/" + sink.name() + "/tasks/<task>/restart) once the rule or the row is fixed: it reads the batch again");
        } catch (RegistryUnavailableException e) {
            throw new RetriableException("sink '" + sink.name() + "': cannot read the tables' rules: " + e.getMessage(), e);
        } catch (RegistryException e) {
            throw new ConnectException("sink '" + sink.name() + "': the registry refused to give the tables' rules: " + e.getMessage()
                    + " (check value.converter.schema.registry.url and its credentials, or set " + SluiceSinkConnectors.RULES_ENABLED
                    + "=false)");
        }
        Set<ChangeEvent> stopped = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ContractCheck.Stopped s : checked.deadLetters()) {
            stopped.add(s.original());
            report(origin.get(s.original()), s.reason());
        }
        List<ChangeEvent> out = new ArrayList<>(checked.events().size());
        int next = 0;
        for (ChangeEvent change : batch) {
            if (stopped.contains(change)) {
                continue;
            }
            ChangeEvent now = (ChangeEvent) checked.events().get(next++);
            origin.put(now, origin.get(change));
            out.add(now);
        }
        return out;
    }

    /**
     * Removes the documents of tables that their completed snapshots did not see (see {@link Sweepable}). It runs
     * before put returns, so before Connect commits the offset past the snapshots' last rows: a task that dies first
     * gets the records again and sweeps again, which changes nothing more.
     */
    private void sweep(Map<TableId, Long> snapshots) {
        if (sweepable == null) {
            LOG.warn("sink '{}': the snapshot of {} completed, but this sink cannot remove the rows it did not see: sink '{}' cannot remove"
                    + " rows a snapshot did not see", sink.name(), snapshots.keySet(), sink.name());
            return;
        }
        try {
            sweepable.sweep(snapshots).forEach((table, removed) -> LOG.info("sink '{}': the snapshot of {} completed; removed {} documents it"
                    + " did not see", sink.name(), table, removed));
        } catch (RetriableSinkException e) {
            throw new RetriableException(e.getMessage(), e);
        } catch (FatalSinkException e) {
            throw new ConnectException(e.getMessage(), e);
        }
    }

    private void report(SinkRecord record, String reason) {
        if (reporter == null) {
            throw new ConnectException("sink '" + sink.name() + "' refused a record of " + record.topic() + "/" + record.kafkaPartition()
                    + "@" + record.kafkaOffset() + ": " + reason + " (configure errors.tolerance=all and errors.deadletterqueue.topic.name to keep going)");
        }
        try {
            reporter.report(record, new DataException(reason)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetriableException("interrupted while reporting a refused record", e);
        } catch (ExecutionException e) {
            throw new RetriableException("could not report a refused record to the dead-letter queue: " + e.getCause(), e.getCause());
        }
    }

    private String source(String topic) {
        if (sourceName != null && !sourceName.isEmpty()) {
            return sourceName;
        }
        int dot = topic.indexOf('.');
        return dot < 0 ? topic : topic.substring(0, dot);
    }

    @Override
    public void flush(Map<TopicPartition, OffsetAndMetadata> offsets) {
        try {
            sink.flush();
            generations.check();
        } catch (RetriableSinkException e) {
            throw new RetriableException(e.getMessage(), e);
        }
    }

    /**
     * The target lost its data (see {@link GenerationWatch}): the task reads its partitions again from
     * their start, so that every row the topics still hold is written again (versions keep that safe). A worker has
     * no place to keep the generation across task restarts, so a loss while the task is not running is not seen.
     */
    private void targetLost(GenerationWatch.Loss loss) {
        Set<TopicPartition> assigned = context == null ? Set.of() : context.assignment();
        Map<TopicPartition, Long> start = new HashMap<>();
        assigned.forEach(tp -> start.put(tp, 0L));
        LOG.error("sink '{}': its target lost its data (generation {}, now {}); reading partitions {} again from their start to write"
                + " again every row the topics still hold. Rows older than the topics' retention are not in them: give the table"
                + " topics cleanup.policy=compact, or backfill the connector's tables", loss.sink(), loss.was(), loss.now(),
                new TreeSet<>(assigned.stream().map(TopicPartition::toString).toList()));
        if (!start.isEmpty()) {
            context.offset(start);
        }
    }

    /** The generation last seen, in this task's memory. */
    private static final class Remembered implements GenerationWatch.Record {
        private String last;

        @Override
        public Optional<String> last() {
            return Optional.ofNullable(last);
        }

        @Override
        public void seen(String generation) {
            last = generation;
        }
    }

    @Override
    public void stop() {
        if (sink != null) {
            sink.close();
        }
    }
}
