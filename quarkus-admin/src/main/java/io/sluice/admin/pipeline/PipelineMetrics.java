package io.sluice.admin.pipeline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.StartupEvent;
import io.sluice.admin.job.Schedulers;
import io.sluice.admin.runtime.PipelineRuntime;
import io.sluice.admin.sink.SharedSinks;
import io.sluice.admin.source.SourceMonitor;
import io.sluice.admin.source.SourceNotice;
import io.sluice.admin.source.SourceStatus;
import io.sluice.contract.ContractCheck;
import io.sluice.event.ChangeEvent;
import io.sluice.event.SourceEvent;
import io.sluice.sink.SinkRunner;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Prometheus metrics at {@code /q/metrics}, per source, table and sink. Gauges read the status monitor's snapshot
 * (refreshed every second), so a scrape costs no call into the pipelines; freshness stays true for idle sources
 * because heartbeats count as activity.
 */
@ApplicationScoped
public class PipelineMetrics {

    @Inject
    MeterRegistry registry;

    @Inject
    SourceMonitor monitor;

    @Inject
    SharedSinks sinks;

    @Inject
    PipelineRuntime runtime;

    private final Set<String> sourcesSeen = ConcurrentHashMap.newKeySet();
    private final Set<String> sinksSeen = ConcurrentHashMap.newKeySet();
    private final Set<String> rulesSeen = ConcurrentHashMap.newKeySet();
    private final Map<String, Counter> tableCounters = new ConcurrentHashMap<>();

    void register(@Observes @Priority(20) StartupEvent event) {
        // Sources and sinks appear while the server runs: a light poll registers their meters once.
        Schedulers.daemon("sluice-metrics", 1).scheduleWithFixedDelay(this::registerNew, 0, 2, TimeUnit.SECONDS);
    }

    private void registerNew() {
        for (SourceStatus st : monitor.snapshot().values()) {
            String source = st.source();
            registerRules(source);
            if (sourcesSeen.add(source)) {
                Tags tags = Tags.of("source", source);
                gauge("sluice.source.events.per.second", tags, source, s -> s.eventsPerSecond(), "Events per second over the last ten seconds");
                gauge("sluice.source.lag", tags, source, s -> s.lagMs() == null ? Double.NaN : s.lagMs(), "Lag behind the source's commit time, ms");
                gauge("sluice.source.freshness", tags, source, s -> s.freshnessMs() == null ? Double.NaN : s.freshnessMs(),
                        "Time since the source was last heard from (events or heartbeats), ms");
                gauge("sluice.source.streaming", tags, source, s -> s.state().flowing() ? 1 : 0,
                        "1 while the source streams or snapshots, 0 otherwise");
                gauge("sluice.source.failed", tags, source, s -> s.state().inTrouble() ? 1 : 0,
                        "1 while the source failed or a sink holds it");
                gauge("sluice.source.engine.restarts", tags, source, s -> s.restarts(), "Engine restarts after stalls since the worker started");
                FunctionCounter.builder("sluice.source.events", monitor, m -> value(m, source, s -> s.eventsTotal()))
                        .tags(tags).description("Events delivered to the sinks since the worker started").register(registry);
            }
            for (SinkRunner.Status sink : st.sinks()) {
                String key = source + "\u0000" + sink.sink();
                if (sinksSeen.add(key)) {
                    Tags tags = Tags.of("source", source, "sink", sink.sink());
                    Gauge.builder("sluice.sink.healthy", monitor, m -> sinkValue(m, source, sink.sink(), s -> s.healthy() ? 1 : 0))
                            .tags(tags).description("1 while the sink accepts writes, 0 while it is retrying").register(registry);
                    FunctionCounter.builder("sluice.sink.retries", monitor, m -> sinkValue(m, source, sink.sink(), s -> s.retries()))
                            .tags(tags).description("Retried writes and flushes").register(registry);
                    FunctionCounter.builder("sluice.sink.errors", monitor, m -> sinkValue(m, source, sink.sink(), s -> s.deadLetters()))
                            .tags(tags).description("Events the target refused (sent to the dead-letter queue)").register(registry);
                    FunctionCounter.builder("sluice.sink.events.written", monitor, m -> sinkValue(m, source, sink.sink(), s -> s.written()))
                            .tags(tags).description("Changes the target acknowledged").register(registry);
                    Gauge.builder("sluice.sink.freshness.p50", monitor, m -> sinkValue(m, source, sink.sink(), s -> millis(s.freshnessP50Ms())))
                            .tags(tags).description("Median time from the source's commit to the target's acknowledgement over the last"
                                    + " changes streamed, ms (the binlog's commit times are whole seconds: up to 1 s more than it was)")
                            .register(registry);
                    Gauge.builder("sluice.sink.freshness.p99", monitor, m -> sinkValue(m, source, sink.sink(), s -> millis(s.freshnessP99Ms())))
                            .tags(tags).description("99th percentile of the same, ms").register(registry);
                }
                if (sinksSeen.add(sink.sink())) {
                    String name = sink.sink();
                    Gauge.builder("sluice.sink.dead.letters", sinks, x -> x.deadLetters().size(name)).tags("sink", name)
                            .description("Entries waiting in the sink's dead-letter queue").register(registry);
                }
            }
        }
    }

    /** Each data contract rule's counters, once its source ran it ({@code <source>.<database>.<table>/<rule>}). */
    private void registerRules(String source) {
        for (String key : runtime.ruleCounts(source).keySet()) {
            if (!rulesSeen.add(key)) {
                continue;
            }
            int slash = key.lastIndexOf('/');
            Tags tags = Tags.of("source", source, "table", key.substring(source.length() + 1, slash), "rule", key.substring(slash + 1));
            FunctionCounter.builder("sluice.rule.evaluations", runtime, r -> ruleValue(r, source, key, ContractCheck.Counts::evaluated))
                    .tags(tags).description("Changes a data contract rule was run on since the source's worker started").register(registry);
            FunctionCounter.builder("sluice.rule.failures", runtime, r -> ruleValue(r, source, key, ContractCheck.Counts::failed))
                    .tags(tags).description("Changes that failed the rule (whatever its action) since the source's worker started")
                    .register(registry);
        }
    }

    private static double ruleValue(PipelineRuntime runtime, String source, String key, ToDoubleFunction<ContractCheck.Counts> f) {
        ContractCheck.Counts c = runtime.ruleCounts(source).get(key);
        return c == null ? 0 : f.applyAsDouble(c);
    }

    private void gauge(String name, Tags tags, String source, ToDoubleFunction<SourceStatus> f, String description) {
        Gauge.builder(name, monitor, m -> value(m, source, f)).tags(tags).description(description).register(registry);
    }

    private static double value(SourceMonitor monitor, String source, ToDoubleFunction<SourceStatus> f) {
        SourceStatus s = monitor.snapshot().get(source);
        return s == null ? Double.NaN : f.applyAsDouble(s);
    }

    private static double millis(Long ms) {
        return ms == null ? Double.NaN : ms;
    }

    private static double sinkValue(SourceMonitor monitor, String source, String sink, ToDoubleFunction<SinkRunner.Status> f) {
        SourceStatus s = monitor.snapshot().get(source);
        if (s == null) {
            return Double.NaN;
        }
        return s.sinks().stream().filter(x -> x.sink().equals(sink)).mapToDouble(f).findFirst().orElse(Double.NaN);
    }

    /** Counts the change events of each table in a batch the sinks took; on the capture thread, so cheap. */
    void count(@Observes SourceNotice.BatchDelivered delivered) {
        String source = delivered.source();
        for (SourceEvent e : delivered.batch()) {
            if (e instanceof ChangeEvent c) {
                String table = c.table().database() + "." + c.table().table();
                tableCounters.computeIfAbsent(source + "\u0000" + table, k -> Counter.builder("sluice.table.events")
                        .tags("source", source, "table", table).description("Change events of a table delivered to its sinks")
                        .register(registry)).increment();
            }
        }
    }
}
