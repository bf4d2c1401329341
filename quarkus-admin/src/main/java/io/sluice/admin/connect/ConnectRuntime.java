package io.sluice.admin.connect;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.StartupEvent;
import io.sluice.admin.SluiceConfig;
import io.sluice.admin.error.ConflictException;
import io.sluice.admin.error.UnavailableException;
import io.sluice.admin.pipeline.PipelineSpec;
import io.sluice.admin.pipeline.PipelineStore;
import io.sluice.admin.pipeline.SourceStatus;
import io.sluice.admin.sink.SinkStore;
import io.sluice.admin.source.SourceStore;
import io.sluice.capture.SourceConfig;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs pipelines on a Kafka Connect cluster ({@code sluice.runtime=connect}): a source becomes Debezium's
 * connector, each sink a pipeline of the source writes to becomes a Sluice sink connector
 * ({@link ConnectorPlan}); start, stop, pause, resume, delete and status go through Connect's REST API. Connect's
 * own errors (worker unreachable, a connector or task failed with its trace) reach the API and the UI with the
 * connector's name and the reason.
 *
 * <p>Thread-safe: it holds no state but the client; Connect serializes changes itself.
 */
@ApplicationScoped
public class ConnectRuntime {
    @Inject
    SluiceConfig config;

    @Inject
    SourceStore sources;

    @Inject
    SinkStore sinks;

    @Inject
    PipelineStore pipelines;

    @Inject
    io.sluice.review.SchemaReviews reviews;

    private ConnectClient client;
    private ConnectorPlan.Settings settings;

    /**
     * Checks the whole {@code sluice.connect} configuration at boot and reports every missing key at once.
     *
     * @throws IllegalStateException naming each missing key and what it should hold
     */
    void boot(@Observes @Priority(5) StartupEvent event) {
        if (!enabled()) {
            return;
        }
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
            throw new IllegalStateException("sluice.runtime=connect needs: " + String.join("; ", problems));
        }
        client = new ConnectClient(c.url().get(), c.requestTimeout());
        settings = new ConnectorPlan.Settings(c.bootstrapServers().get(), c.registryUrl().get(), c.registryToken().orElse(null),
                c.registryUserInfo().orElse(null), c.replicationFactor());
    }

    /** Whether pipelines run on Kafka Connect rather than in this server. */
    public boolean enabled() {
        return config.runtime() == SluiceConfig.Runtime.CONNECT;
    }

    /**
     * Creates or updates every connector of a source so that they match its pipelines, deletes the sink connectors
     * no pipeline needs any more, resumes them and restarts failed tasks.
     *
     * @throws ConflictException if a sink cannot run on Connect or Connect refused a configuration; UnavailableException if Connect is
     *     unreachable
     */
    public void apply(String source) {
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

    /** Pauses the source's Debezium connector (its sinks drain what is in Kafka). */
    public void pause(String source) {
        call(() -> client.pause(ConnectorPlan.sourceConnector(source)));
    }

    public void resume(String source) {
        call(() -> client.resume(ConnectorPlan.sourceConnector(source)));
    }

    /** Stops every connector of the source; configurations and offsets stay in Connect. */
    public void stop(String source) {
        call(() -> names(source).forEach(client::stop));
    }

    /** Deletes every connector of the source (its offsets stay in Connect's topics). */
    public void delete(String source) {
        call(() -> names(source).forEach(client::delete));
    }

    /**
     * The source's state as Connect reports it: {@code failed} with the connector, the task and the first line of
     * its trace when any failed; {@code paused} or {@code stopped} as the Debezium connector is; {@code starting}
     * while tasks are unassigned; {@code streaming} when all run. Connect unreachable is {@code failed} too, naming
     * the URL.
     */
    public SourceStatus status(String source, String desired, List<String> pipelineNames) {
        JsonNode all;
        try {
            all = client.statuses();
        } catch (ConnectClient.Unavailable | ConnectClient.Refused e) {
            return status(source, desired, "failed", e.getMessage(), "Make Kafka Connect at " + client.url()
                    + " reachable; its connectors keep their offsets.", pipelineNames);
        }
        Derived d = derive(all, source, !pipelineNames.isEmpty());
        String state = d.state();
        String reason = d.reason();
        String fix = d.fix();
        if ("streaming".equals(state)) {
            // The converter's registration waits on review: the task retries it and writes nothing past it.
            for (io.sluice.review.Proposal p : reviews.list(io.sluice.review.Proposal.Status.PENDING)) {
                if (p.subject().startsWith(source + ".")) {
                    return status(source, desired, "paused", "Schema change of " + p.subject() + " awaits review as proposal " + p.id()
                            + "; connector " + ConnectorPlan.sourceConnector(source) + " retries it and writes nothing past it.",
                            "Approve or reject proposal " + p.id() + " (Schemas page, or sluice schemas approve " + p.id() + ").", pipelineNames);
                }
            }
        }
        return status(source, desired, state, reason, fix, pipelineNames);
    }

    /** A source's state, reason and fix as Connect's statuses of its connectors tell them. */
    record Derived(String state, String reason, String fix) {
    }

    /**
     * Derives a source's state from {@code GET /connectors?expand=status}: the first failed connector or task wins
     * (with its worker and the first line of its trace), then a paused or stopped Debezium connector, then tasks not
     * running yet; all running is {@code streaming}.
     */
    static Derived derive(JsonNode all, String source, boolean hasPipelines) {
        JsonNode own = all == null ? null : all.get(ConnectorPlan.sourceConnector(source));
        if (own == null) {
            return new Derived("stopped", hasPipelines ? "connector " + ConnectorPlan.sourceConnector(source) + " does not exist in Kafka"
                    + " Connect" : "no pipeline reads this source", null);
        }
        String state = "streaming";
        String reason = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = all.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!ConnectorPlan.belongsTo(e.getKey(), source)) {
                continue;
            }
            JsonNode s = e.getValue().path("status");
            String connectorState = s.path("connector").path("state").asText();
            if ("FAILED".equals(connectorState)) {
                return new Derived("failed", "connector " + e.getKey() + " failed on " + s.path("connector").path("worker_id").asText()
                        + ": " + firstLine(s.path("connector").path("trace").asText()), fixFor(source));
            }
            for (JsonNode task : s.path("tasks")) {
                if ("FAILED".equals(task.path("state").asText())) {
                    return new Derived("failed", "task " + task.path("id").asText() + " of connector " + e.getKey() + " failed on "
                            + task.path("worker_id").asText() + ": " + firstLine(task.path("trace").asText()), fixFor(source));
                }
                if (!"RUNNING".equals(task.path("state").asText()) && "streaming".equals(state)) {
                    state = "starting";
                    reason = "task " + task.path("id").asText() + " of connector " + e.getKey() + " is " + task.path("state").asText();
                }
            }
            if (e.getKey().equals(ConnectorPlan.sourceConnector(source)) && ("PAUSED".equals(connectorState) || "STOPPED".equals(connectorState))) {
                state = connectorState.equals("PAUSED") ? "paused" : "stopped";
                reason = "connector " + e.getKey() + " is " + connectorState.toLowerCase(java.util.Locale.ROOT) + " in Kafka Connect";
            } else if (s.path("tasks").isEmpty() && "streaming".equals(state) && "RUNNING".equals(connectorState)) {
                state = "starting";
                reason = "connector " + e.getKey() + " has no task yet";
            }
        }
        return new Derived(state, reason, null);
    }

    private static String fixFor(String source) {
        return "Fix the cause named in the trace (the worker's log has it whole), then POST /api/v1/sources/" + source
                + "/start: it restarts the failed tasks from their offsets.";
    }

    private static SourceStatus status(String source, String desired, String state, String reason, String fix, List<String> pipelines) {
        return new SourceStatus(source, desired, state, reason, fix, null, null, 0, 0, null, 0, null, pipelines, List.of());
    }

    private static String firstLine(String trace) {
        int nl = trace.indexOf('\n');
        return nl < 0 ? trace : trace.substring(0, nl);
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
                throw new ConflictException("not_in_connect_runtime", "Sink '" + e.getKey() + "' is of type "
                        + sink.type().name().toLowerCase(java.util.Locale.ROOT) + ", which runs inside the server only; in the connect runtime"
                        + " use a redis or opensearch sink, or remove it from the pipelines of source '" + source + "'.");
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
            throw new UnavailableException("connect_unavailable", e.getMessage() + ". Nothing was changed there; try again once"
                    + " it answers.");
        } catch (ConnectClient.Refused e) {
            throw new ConflictException("connect_refused", "Kafka Connect at " + client.url() + " refused the change: "
                    + e.getMessage());
        }
    }
}
