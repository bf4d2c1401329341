package io.sluice.admin.runtime.embedded;

import io.sluice.admin.pipeline.PipelineSpec;
import io.sluice.admin.sink.SharedSinks;
import io.sluice.admin.source.SourceNotice;
import io.sluice.backfill.ChunkWindows;
import io.sluice.capture.CaptureWorker;
import io.sluice.capture.EventBatchConsumer;
import io.sluice.capture.RedoneSnapshot;
import io.sluice.capture.ServerChange;
import io.sluice.capture.SourceConfig;
import io.sluice.contract.ContractCheck;
import io.sluice.contract.RuleErrorException;
import io.sluice.event.ChangeEvent;
import io.sluice.event.SourceEvent;
import io.sluice.event.TableId;
import io.sluice.pipeline.Pipeline;
import io.sluice.review.SchemaGate;
import io.sluice.sink.SinkRunner;
import io.sluice.view.CompiledView;
import io.sluice.view.ViewEngine;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One source's capture in the embedded runtime: its worker, the pipeline that routes its batches to one runner per
 * sink (a sink in two pipelines of the source is written once per batch), the engine of its pipelines' views, whose
 * documents follow each batch to the pipelines' sinks, the check of its tables' data contracts (each batch passes it
 * before the sinks see it), and when it started.
 *
 * @param runners by sink name, in the pipelines' order
 */
record SourceWorker(CaptureWorker worker, Pipeline pipeline, ViewEngine views, ContractCheck contracts, List<String> pipelines,
        Map<String, SinkRunner> runners, Instant startedAt) implements AutoCloseable {

    /** What the worker tells the runtime; called on the capture thread, or the thread that starts an engine. */
    interface Listener {
        void delivered(SourceNotice.BatchDelivered batch);

        void snapshotTakenAgain(SourceNotice.SnapshotTakenAgain notice);

        void serverChanged(SourceNotice.ServerChanged notice);

        /** An {@code ERROR} rule holds the source on this change. */
        void held(ContractCheck.Held change);

        /** Whether a person sent this held change to the dead letters. */
        boolean released(ContractCheck.Held change);
    }

    /**
     * Builds the routes of a source's pipelines over the shared sinks, and starts its worker.
     *
     * @param viewsOf the views of each pipeline by name: their documents go to that pipeline's sinks
     */
    static SourceWorker start(SourceConfig config, List<PipelineSpec> specs, Map<String, Set<String>> viewsOf, ViewEngine views,
            ContractCheck.Rules rules, SharedSinks sinks, ChunkWindows windows, SchemaGate gate, Clock clock, Listener listener) {
        String source = config.name();
        Map<String, SinkRunner> runners = new LinkedHashMap<>();
        Map<SinkRunner, Predicate<TableId>> tables = new LinkedHashMap<>();
        for (PipelineSpec spec : specs) {
            for (String sinkName : spec.sinks()) {
                SinkRunner runner = runners.computeIfAbsent(sinkName, sinks::runner);
                // Routes to the same runner merge into one whose table filter is the union: each event is written once.
                Set<String> mine = viewsOf.getOrDefault(spec.name(), Set.of());
                Predicate<TableId> documents = t -> t.database().equals(CompiledView.DATABASE) && mine.contains(t.table());
                tables.merge(runner, spec.tableFilter().or(documents), Predicate::or);
            }
        }
        List<Pipeline.Route> routes = new ArrayList<>();
        tables.forEach((runner, filter) -> routes.add(new Pipeline.Route(runner, filter)));
        Pipeline pipeline = new Pipeline(source, routes);
        ContractCheck contracts = new ContractCheck(rules, t -> !t.database().equals(CompiledView.DATABASE), listener::released);
        EventBatchConsumer consumer = new EventBatchConsumer() {
            @Override
            public void accept(List<SourceEvent> captured) throws Exception {
                windows.observe(captured);
                ContractCheck.Checked checked;
                try {
                    checked = contracts.apply(captured);
                } catch (RuleErrorException e) {
                    e.held().ifPresent(listener::held);
                    throw e;
                }
                for (ContractCheck.Stopped stopped : checked.deadLetters()) {
                    String reason = stopped.reason();
                    tables.forEach((runner, filter) -> {
                        if (filter.test(stopped.event().table())) {
                            runner.deadLetter(stopped.event(), reason);
                        }
                    });
                }
                List<SourceEvent> batch = checked.events();
                // The sinks write the batch's rows while the views read the source for their documents; the documents
                // follow as a batch of their own, and the next checkpoint covers both.
                pipeline.accept(batch);
                List<ChangeEvent> documents = views.derive(batch);
                List<SourceEvent> all = batch;
                if (!documents.isEmpty()) {
                    pipeline.accept(List.copyOf(documents));
                    all = new ArrayList<>(batch.size() + documents.size());
                    all.addAll(batch);
                    all.addAll(documents);
                }
                listener.delivered(new SourceNotice.BatchDelivered(source, all));
            }

            @Override
            public void checkpoint() throws Exception {
                pipeline.checkpoint();
            }

            @Override
            public void reached(String file, long position) {
                windows.reached(file, position);
            }

            @Override
            public void snapshotCompleted(Map<TableId, Long> snapshots) throws Exception {
                pipeline.snapshotCompleted(snapshots);
            }

            @Override
            public void snapshotRedone(RedoneSnapshot why) {
                runners.values().forEach(SinkRunner::forgetSweeps); // the new snapshot sweeps its tables again
                listener.snapshotTakenAgain(new SourceNotice.SnapshotTakenAgain(source, why));
            }

            @Override
            public void serverChanged(ServerChange change) {
                runners.values().forEach(SinkRunner::forgetSweeps); // no earlier sweep covers what only the old server committed
                listener.serverChanged(new SourceNotice.ServerChanged(source, change));
            }
        };
        CaptureWorker worker = new CaptureWorker(config, consumer, gate, clock);
        worker.start();
        return new SourceWorker(worker, pipeline, views, contracts, specs.stream().map(PipelineSpec::name).toList(), runners, clock.instant());
    }

    /** Stops the worker, then the pipeline's sink threads and the views' connection; the shared sinks stay open. */
    @Override
    public void close() {
        worker.close();
        pipeline.close();
        views.close();
    }
}
