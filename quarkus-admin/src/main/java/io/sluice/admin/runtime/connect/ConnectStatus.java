package io.sluice.admin.runtime.connect;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.admin.source.SourceState;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * A source's state, reason and fix as Connect's statuses of its connectors tell them.
 *
 * @param reason null when all is well
 * @param fix null when there is nothing for a person to do
 */
record ConnectStatus(SourceState state, String reason, String fix) {

    /**
     * Derives a source's state from {@code GET /connectors?expand=status}: the first failed connector or task wins
     * (with its worker and the first line of its trace), then a paused or stopped Debezium connector, then tasks not
     * running yet; all running is streaming.
     *
     * @param all the statuses of every connector, or null
     * @param hasPipelines whether a pipeline reads the source
     */
    static ConnectStatus derive(JsonNode all, String source, boolean hasPipelines) {
        String sourceConnector = ConnectorPlan.sourceConnector(source);
        JsonNode own = all == null ? null : all.get(sourceConnector);
        if (own == null) {
            return new ConnectStatus(SourceState.STOPPED, hasPipelines ? "connector " + sourceConnector + " does not exist in Kafka Connect"
                    : "no pipeline reads this source", null);
        }
        SourceState state = SourceState.STREAMING;
        String reason = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = all.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!ConnectorPlan.belongsTo(e.getKey(), source)) {
                continue;
            }
            JsonNode s = e.getValue().path("status");
            ConnectorState connector = ConnectorState.of(s.path("connector").path("state").asText());
            if (connector == ConnectorState.FAILED) {
                return new ConnectStatus(SourceState.FAILED, "connector " + e.getKey() + " failed on " + s.path("connector").path("worker_id")
                        .asText() + ": " + firstLine(s.path("connector").path("trace").asText()), fixFor(source));
            }
            for (JsonNode task : s.path("tasks")) {
                ConnectorState taskState = ConnectorState.of(task.path("state").asText());
                if (taskState == ConnectorState.FAILED) {
                    return new ConnectStatus(SourceState.FAILED, "task " + task.path("id").asText() + " of connector " + e.getKey()
                            + " failed on " + task.path("worker_id").asText() + ": " + firstLine(task.path("trace").asText()), fixFor(source));
                }
                if (taskState != ConnectorState.RUNNING && state == SourceState.STREAMING) {
                    state = SourceState.STARTING;
                    reason = "task " + task.path("id").asText() + " of connector " + e.getKey() + " is " + task.path("state").asText();
                }
            }
            if (e.getKey().equals(sourceConnector) && (connector == ConnectorState.PAUSED || connector == ConnectorState.STOPPED)) {
                state = connector == ConnectorState.PAUSED ? SourceState.PAUSED : SourceState.STOPPED;
                reason = "connector " + e.getKey() + " is " + connector.name().toLowerCase(Locale.ROOT) + " in Kafka Connect";
            } else if (s.path("tasks").isEmpty() && state == SourceState.STREAMING && connector == ConnectorState.RUNNING) {
                state = SourceState.STARTING;
                reason = "connector " + e.getKey() + " has no task yet";
            }
        }
        return new ConnectStatus(state, reason, null);
    }

    /** The states Kafka Connect reports for connectors and tasks. */
    enum ConnectorState {
        UNASSIGNED, RUNNING, PAUSED, STOPPED, FAILED, RESTARTING, UNKNOWN;

        static ConnectorState of(String text) {
            for (ConnectorState s : values()) {
                if (s.name().equals(text)) {
                    return s;
                }
            }
            return UNKNOWN;
        }
    }

    private static String fixFor(String source) {
        return "Fix the cause named in the trace (the worker's log has it whole), then POST /api/v1/sources/" + source
                + "/start: it restarts the failed tasks from their offsets.";
    }

    private static String firstLine(String trace) {
        int nl = trace.indexOf('\n');
        return nl < 0 ? trace : trace.substring(0, nl);
    }
}
