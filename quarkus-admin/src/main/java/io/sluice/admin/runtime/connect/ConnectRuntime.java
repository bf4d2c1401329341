package io.sluice.admin.runtime.connect;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.sluice.admin.SluiceConfig;
import io.sluice.admin.activity.ActivityLog;
import io.sluice.admin.error.ConflictException;
import io.sluice.admin.error.UnavailableException;
import io.sluice.admin.pipeline.PipelineSpec;
import io.sluice.admin.pipeline.PipelineStore;
import io.sluice.admin.runtime.PipelineRuntime;
import io.sluice.admin.sink.SinkStore;
import io.sluice.admin.source.DesiredState;
import io.sluice.admin.source.SourceState;
import io.sluice.admin.source.SourceStatus;
import io.sluice.admin.source.SourceStore;
import io.sluice.capture.CaptureFailure;
import io.sluice.capture.SourceConfig;
import io.sluice.review.Proposal;
import io.sluice.review.SchemaReviews;
import io.sluice.view.ViewStatus;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Runs pipelines on a Kafka Connect cluster ({@code sluice.runtime=connect}): a source becomes Debezium's
 * connector, each sink a pipeline of the source writes to becomes a Sluice sink connector
 * ({@link ConnectorPlan}); start, stop, pause, resume, delete and status go through Connect's REST API, and backfills
 * are Debezium's incremental snapshots ({@link ConnectBackfills}). Connect holds the offsets and keeps connectors
 * running across restarts of this server. Connect's own errors (worker unreachable, a connector or task failed with
 * its trace) reach the API and the UI with the connector's name and the reason. What only the embedded runtime can
 * do is refused in {@link #refusal}.
 *
 * <p>Thread-safe: it holds no state but the client; Connect serializes changes itself.
 */
@Dependent
@Typed(ConnectRuntime.class)
public class ConnectRuntime implements PipelineRuntime {
    @Inject
    SluiceConfig config;

    @Inject
    SourceStore sources;

    @Inject
    SinkStore sinks;

    @Inject
    PipelineStore pipelines;

    @Inject
    SchemaReviews reviews;

    @Inject
    ActivityLog activity;

    @Inject
    ConnectBackfills backfills;

    private ConnectClient client;
    private ConnectorPlan.Settings settings;

    /**
     * Checks the whole {@code sluice.connect} configuration and reports every missing key at once.
     *
     * @throws IllegalStateException naming each missing key and what it should hold
     */
    @Override
    public void start() {
        SluiceConfig.Connect c = config.connect();
        List<String> problems = new ArrayList<>();
        if (c.url().isEmpty()) {
            problems.add("sluice.connect.url is missing: give the Kafka Connect REST URL, for example http://connect:8083");
        }
        if (c.bootstrapServers().isEmpty()) {
            problems.add("sluice.connect.bootstrap-servers is missing: give the Kafka bootstrap servers, for example kafka:9092");
        }
        if (c.registryUrl().isEmpty()) {
            problems.add("sluice.connect.registry-url is missing: give this server's registry as the workers reach it, for example"
                    + " http://sluice:8080/registry");
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException("Sluice cannot start: sluice.runtime=connect needs: " + String.join("; ", problems));
        }
        client = new ConnectClient(c.url().get(), c.requestTimeout());
        settings = new ConnectorPlan.Settings(c.bootstrapServers().get(), c.registryUrl().get(), c.registryToken().orElse(null),
                c.registryUserInfo().orElse(null), c.replicationFactor());
        backfills.start(c, this);
    }

    @Override
    public void close() {
        backfills.close();
    }

    @Override
    public void start(String source, String actor) {
        apply(source);
        activity.record("source:" + source, actor, "started", "connectors on Kafka Connect");
    }

    @Override
    public void stop(String source, String actor) {
        call(() -> names(source).forEach(client::stop));
        activity.record("source:" + source, actor, "stopped", "connectors stopped on Kafka Connect");
    }

    /** Pauses the source's Debezium connector; its sinks drain what is in Kafka. */
    @Override
    public void pause(String source, String actor) {
        call(() -> client.pause(ConnectorPlan.sourceConnector(source)));
    }

    @Override
    public void resume(String source, String actor) {
        call(() -> client.resume(ConnectorPlan.sourceConnector(source)));
    }

    /** Updates the connectors of each source touched; a source gone, or read by no pipeline, loses them. */
    @Override
    public void reconfigure(Set<String> touched, Set<String> changedSinks, String actor, String why) {
        for (String source : touched) {
            if (sources.find(source).isEmpty() || pipelines.ofSource(source).isEmpty()) {
                delete(source);
            } else if (sources.desiredState(source) != DesiredState.STOPPED) {
                apply(source);
            }
        }
    }

    /** Deletes every connector of the source (its offsets stay in Connect's topics). */
    @Override
    public void forget(String source) {
        delete(source);
    }

    /**
     * The source as Connect reports its connectors (see {@link ConnectStatus#derive}); while a schema change of the
     * source awaits review, paused (the converter retries its registration and writes nothing past it). Connect
     * unreachable is failed too, naming the URL.
     */
    @Override
    public SourceStatus status(String source, DesiredState desired, List<String> pipelineNames) {
        JsonNode all;
        try {
            all = client.statuses();
        } catch (ConnectClient.Unavailable | ConnectClient.Refused e) {
            return SourceStatus.without(source, desired, SourceState.FAILED, e.getMessage(), "Make Kafka Connect at " + client.url()
                    + " reachable; its connectors keep their offsets.", pipelineNames);
        }
        ConnectStatus d = ConnectStatus.derive(all, source, !pipelineNames.isEmpty());
        if (d.state() == SourceState.STREAMING) {
            for (Proposal p : reviews.list(Proposal.Status.PENDING)) {
                if (p.subject().startsWith(source + ".")) {
                    return SourceStatus.without(source, desired, SourceState.PAUSED, "Schema change of " + p.subject() + " awaits review as"
                            + " proposal " + p.id() + "; connector " + ConnectorPlan.sourceConnector(source) + " retries it and writes nothing"
                            + " past it.", "Approve or reject proposal " + p.id() + " (Schemas page, or sluice schemas approve " + p.id()
                            + ").", pipelineNames);
                }
            }
        }
        return SourceStatus.without(source, desired, d.state(), d.reason(), d.fix(), pipelineNames);
    }

    /** Connect keeps a failed task's reason in its status; there is no capture failure of this server's own. */
    @Override
    public Optional<CaptureFailure> failure(String source) {
        return Optional.empty();
    }

    /** A task that sees the loss reads its partitions again from their start by itself. */
    @Override
    public void targetLost(String sink) {
    }

    @Override
    public Backfilling backfills() {
        return backfills;
    }

    @Override
    public Verifying verifying(String source) {
        throw refusal(Ability.VERIFY, source);
    }

    @Override
    public Recovering recovering(String source) {
        throw refusal(Ability.RECOVERY, source);
    }

    @Override
    public List<ViewStatus> views(String source) {
        throw refusal(Ability.VIEWS, source);
    }

    /** Everything the embedded runtime can do and this one cannot, with the reason and what to do instead. */
    @Override
    public ConflictException refusal(Ability ability, String subject) {
        String message = switch (ability) {
            case IN_PROCESS_SINK -> "Sink '" + subject + "' is of a type that runs inside the server only (lucene), and in the"
                    + " connect runtime the sinks run in Kafka Connect's tasks: use a redis or opensearch sink, or remove it from the"
                    + " pipelines that write to it.";
            case BACKFILL_ONE_SINK -> "In the connect runtime a backfill's rows go to the table's topic, which every sink of the"
                    + " pipeline reads: leave out 'sink' and 'reindex'.";
            case VERIFY -> "Verify and repair read source '" + subject + "' against its change stream, which this server reads only in"
                    + " the embedded runtime (sluice.runtime=embedded); on Kafka Connect the stream runs in the connectors. To bring a"
                    + " target back in step, start a backfill of the table (POST /api/v1/backfills): its rows go through the"
                    + " connectors with versions that a live change beats.";
            case VIEWS -> "Views build their documents by reading source '" + subject + "' as its change stream goes, which this"
                    + " server does only in the embedded runtime (sluice.runtime=embedded); on Kafka Connect the stream runs in the"
                    + " connectors. Run the pipeline in the embedded runtime to use views, or sync the tables one by one here.";
            case RECOVERY -> "Source '" + subject + "' runs on Kafka Connect (sluice.runtime=connect), where connector 'sluice."
                    + subject + "' keeps its offsets and schema history; the one-command recovery needs the embedded runtime, which"
                    + " keeps them in this server and repairs the sinks through its own writers. Recover it with Debezium's means"
                    + " there: update the source with snapshot.mode=when_needed (PUT /api/v1/sources/" + subject + "), or stop it,"
                    + " reset the connector's offsets in Kafka Connect (DELETE /connectors/sluice." + subject + "/offsets) and start"
                    + " it again; rows deleted while its binlog was lost then stay in the targets until deleted there.";
        };
        return new ConflictException("not_in_connect_runtime", message);
    }

    /**
     * Creates or updates every connector of a source so that they match its pipelines, deletes the sink connectors
     * no pipeline needs any more, resumes them and restarts failed tasks.
     *
     * @throws ConflictException if a sink cannot run on Connect or Connect refused a configuration
     * @throws UnavailableException if Connect is unreachable
     */
    private void apply(String source) {
        Map<String, Map<String, String>> wanted = connectors(source);
        call(() -> {
            List<String> existing = names(source);
            for (Map.Entry<String, Map<String, String>> e : wanted.entrySet()) {
                client.put(e.getKey(), e.getValue());
                client.resume(e.getKey());
                client.restartFailed(e.getKey());
            }
            for (String name : existing) {
                if (!wanted.containsKey(name)) {
                    client.delete(name);
                }
            }
        });
    }

    private void delete(String source) {
        call(() -> names(source).forEach(client::delete));
    }

    /** Names of the connectors of a source that exist in Connect now. */
    private List<String> names(String source) {
        JsonNode all = client.statuses();
        List<String> out = new ArrayList<>();
        if (all != null) {
            all.fieldNames().forEachRemaining(n -> {
                if (ConnectorPlan.belongsTo(n, source)) {
                    out.add(n);
                }
            });
        }
        return out;
    }

    /** The connectors a source and its pipelines need now. */
    private Map<String, Map<String, String>> connectors(String source) {
        SourceConfig sourceConfig = sources.runtimeConfig(source);
        Map<String, Map<String, String>> wanted = new LinkedHashMap<>();
        wanted.put(ConnectorPlan.sourceConnector(source), ConnectorPlan.source(sourceConfig, settings));
        Map<String, List<List<String>>> tablesBySink = new LinkedHashMap<>();
        for (PipelineSpec p : pipelines.ofSource(source)) {
            for (String sink : p.sinks()) {
                tablesBySink.computeIfAbsent(sink, s -> new ArrayList<>()).add(p.tables() == null ? List.of() : p.tables());
            }
        }
        for (Map.Entry<String, List<List<String>>> e : tablesBySink.entrySet()) {
            SinkStore.Stored sink = sinks.get(e.getKey());
            String connectorClass = sink.type().connectorClass();
            if (connectorClass == null) {
                throw refusal(Ability.IN_PROCESS_SINK, e.getKey());
            }
            wanted.put(ConnectorPlan.sinkConnector(source, e.getKey()), ConnectorPlan.sink(sourceConfig, e.getKey(), connectorClass,
                    sinks.runtimeKeys(e.getKey()), e.getValue(), settings));
        }
        return wanted;
    }

    private void call(Runnable work) {
        try {
            work.run();
        } catch (ConnectClient.Unavailable e) {
            throw new UnavailableException("connect_unavailable", e.getMessage() + ". Nothing was changed there; try again once it"
                    + " answers.");
        } catch (ConnectClient.Refused e) {
            throw new ConflictException("connect_refused", "Kafka Connect at " + client.url() + " refused the change: " + e.getMessage());
        }
    }
}
