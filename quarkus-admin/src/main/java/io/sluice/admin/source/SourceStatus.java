package io.sluice.admin.source;

import io.sluice.sink.SinkRunner;
import java.time.Instant;
import java.util.List;

/**
 * What a source is doing, for the API, the UI and metrics.
 *
 * @param source the source's name
 * @param desired what a person last asked
 * @param state what it is doing
 * @param reason why it is paused, held or failed, in words; null when all is well
 * @param fix what a person should do, when known; null otherwise
 * @param lagMs how far behind the source's commit time the last event was, or null
 * @param freshnessMs how long since the source was last heard from (events or heartbeats), or null
 * @param eventsPerSecond over the last ten seconds
 * @param eventsTotal since the worker started
 * @param lastPosition the binlog position of the last event, or null
 * @param restarts engine restarts after stalls since the worker started
 * @param startedAt when the worker started, or null
 * @param pipelines the pipelines reading the source
 * @param sinks each sink the source writes to, with its health; an unhealthy one holds the source
 */
public record SourceStatus(String source, DesiredState desired, SourceState state, String reason, String fix, Long lagMs, Long freshnessMs,
        double eventsPerSecond, long eventsTotal, String lastPosition, int restarts, Instant startedAt, List<String> pipelines,
        List<SinkRunner.Status> sinks) {

    /**
     * The status of a source with no capture of its own in this server to report on: stopped, idle, or as a
     * runtime elsewhere reports it.
     */
    public static SourceStatus without(String source, DesiredState desired, SourceState state, String reason, String fix,
            List<String> pipelines) {
        return new SourceStatus(source, desired, state, reason, fix, null, null, 0, 0, null, 0, null, pipelines, List.of());
    }
}
