package io.sluice.pipeline;

import io.sluice.capture.EventBatchConsumer;
import io.sluice.event.ChangeEvent;
import io.sluice.event.SourceEvent;
import io.sluice.event.TableId;
import io.sluice.sink.SinkRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Carries one source's events to its sinks in the embedded mode. It is the capture worker's consumer: a batch is
 * acknowledged (so the source offset may be committed past it) only after every sink wrote it and flushed. A
 * sink that is down holds its pipeline (its runner retries with backoff, nothing is buffered) while other
 * pipelines go on; events a target refuses go to the dead-letter queue and do not hold anything.
 *
 * <p>Used by the capture thread only.
 */
public final class Pipeline implements EventBatchConsumer {

    /**
     * One sink of a pipeline with the tables it takes.
     *
     * @param runner the sink's runner (retries, dead letters)
     * @param tables which tables go to it
     */
    public record Route(SinkRunner runner, Predicate<TableId> tables) {
        public Route {
            Objects.requireNonNull(runner, "runner");
            Objects.requireNonNull(tables, "tables");
        }
    }

    private final String name;
    private final List<Route> routes;

    public Pipeline(String name, List<Route> routes) {
        this.name = Objects.requireNonNull(name, "name");
        this.routes = List.copyOf(routes);
    }

    public String name() {
        return name;
    }

    @Override
    public void accept(List<SourceEvent> batch) throws InterruptedException {
        for (Route route : routes) {
            List<ChangeEvent> mine = new ArrayList<>(batch.size());
            for (SourceEvent e : batch) {
                if (e instanceof ChangeEvent change && route.tables().test(change.table())) {
                    mine.add(change);
                }
            }
            if (!mine.isEmpty()) {
                route.runner().write(mine);
            }
        }
        for (Route route : routes) {
            route.runner().flush();
        }
    }

    /** The status of each sink, in route order. */
    public List<SinkRunner.Status> sinks() {
        return routes.stream().map(r -> r.runner().status()).toList();
    }
}
