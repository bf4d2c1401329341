package io.sluice.pipeline;

import io.sluice.capture.EventBatchConsumer;
import io.sluice.event.ChangeEvent;
import io.sluice.event.SourceEvent;
import io.sluice.event.TableId;
import io.sluice.sink.SinkRunner;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * Carries one source's events to its sinks in the embedded mode. It is the capture worker's consumer:
 * {@link #accept} hands a batch to every sink, {@link #checkpoint()} waits until they wrote it and flushes the
 * sinks written since the last checkpoint, and the worker commits the source offset only after that (checkpoints
 * follow every batch unless the source's {@code sink.flush.interval.ms} spaces them out). A sink that is down
 * holds its pipeline (its runner retries with backoff) while other pipelines go on; events a target refuses go to
 * the dead-letter queue and do not hold anything.
 *
 * <p>Each sink writes on a thread of its own, one batch at a time and in order; {@link #accept} returns as soon
 * as every sink has started on the batch, so the capture thread reads and converts the next batch meanwhile
 * unless a checkpoint follows at once (the streaming profile showed capture, the Redis round trips and Lucene's
 * indexing adding up when done one after the other). At most one batch is in flight: the next {@link #accept}
 * first waits for the previous one, so memory holds one batch more than before, no matter how slow a sink is.
 *
 * <p>A failure of a sink's write is thrown by the next {@link #accept} or {@link #checkpoint()}, after every
 * sink finished its part; nothing past the previous checkpoint was committed, so a restart replays it.
 *
 * <p>{@link #accept} and {@link #checkpoint()} are called by the capture thread only; {@link #close()} ends the
 * sink threads.
 */
public final class Pipeline implements EventBatchConsumer, AutoCloseable {

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
    /** Per route, its own thread: a sink is always written from the same one. */
    private final List<ExecutorService> threads;
    /** Per route: written since its last flush. Each slot is touched by its route's thread, one step at a time. */
    private final boolean[] written;
    /** The step in flight, or null; capture thread only. */
    private Step inFlight;

    public Pipeline(String name, List<Route> routes) {
        this.name = Objects.requireNonNull(name, "name");
        this.routes = List.copyOf(routes);
        this.written = new boolean[this.routes.size()];
        List<ExecutorService> own = new ArrayList<>(this.routes.size());
        for (int i = 1; i <= this.routes.size(); i++) {
            String thread = "sluice-" + name + "-sink-" + i;
            own.add(Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, thread);
                t.setDaemon(true);
                return t;
            }));
        }
        this.threads = List.copyOf(own);
    }

    public String name() {
        return name;
    }

    /**
     * Hands the batch to every route's sink, after the previous batch was written.
     *
     * @throws InterruptedException if the capture thread is stopped meanwhile; the sinks' threads are interrupted
     *     too and have stopped when this returns
     * @throws io.sluice.sink.FatalSinkException if a sink could not write the previous batch
     */
    @Override
    public void accept(List<SourceEvent> batch) throws InterruptedException {
        finish();
        List<List<ChangeEvent>> parts = new ArrayList<>(routes.size());
        for (Route route : routes) {
            List<ChangeEvent> mine = new ArrayList<>(batch.size());
            for (SourceEvent e : batch) {
                if (e instanceof ChangeEvent change && route.tables().test(change.table())) {
                    mine.add(change);
                }
            }
            parts.add(mine);
        }
        start("writing a batch", i -> {
            List<ChangeEvent> events = parts.get(i);
            if (!events.isEmpty()) {
                routes.get(i).runner().write(events);
                written[i] = true;
            }
        });
    }

    /**
     * Once every sink wrote the batch that ended the snapshot, has each sink remove the documents of the tables it
     * takes that the snapshot did not see ({@link io.sluice.sink.Sweepable#sweep}), each on its own thread; like a write,
     * it is waited for by the next {@link #accept} or {@link #checkpoint()}.
     */
    @Override
    public void snapshotCompleted(Map<TableId, Long> snapshots) throws InterruptedException {
        finish();
        start("removing the rows the snapshot did not see", i -> {
            Map<TableId, Long> mine = new LinkedHashMap<>();
            snapshots.forEach((table, version) -> {
                if (routes.get(i).tables().test(table)) {
                    mine.put(table, version);
                }
            });
            if (!mine.isEmpty()) {
                routes.get(i).runner().sweep(mine);
                written[i] = true;
            }
        });
    }

    /**
     * Waits until every sink wrote what it was handed, then flushes every sink written since the last checkpoint
     * (a Lucene commit; Redis and OpenSearch hold writes durably already), at the same time.
     *
     * @throws InterruptedException as {@link #accept}
     * @throws io.sluice.sink.FatalSinkException if a sink cannot go on
     */
    @Override
    public void checkpoint() throws InterruptedException {
        finish();
        start("flushing its sinks", i -> {
            if (written[i]) {
                routes.get(i).runner().flush();
                written[i] = false;
            }
        });
        finish();
    }

    /** One route's part of a step; runs on the route's thread. */
    @FunctionalInterface
    private interface Work {
        void run(int route) throws InterruptedException;
    }

    /** A step under way on every route's thread. */
    private static final class Step {
        final String what;
        final CountDownLatch finished;
        final Thread[] running;
        final Throwable[] failures;

        Step(String what, int routes) {
            this.what = what;
            this.finished = new CountDownLatch(routes);
            this.running = new Thread[routes];
            this.failures = new Throwable[routes];
        }
    }

    private void start(String what, Work work) {
        Step step = new Step(what, routes.size());
        for (int i = 0; i < routes.size(); i++) {
            int route = i;
            // Tasks are never cancelled before close(), so each one counts the latch down exactly once.
            threads.get(route).execute(() -> {
                synchronized (step.running) {
                    step.running[route] = Thread.currentThread();
                }
                try {
                    work.run(route);
                } catch (Throwable t) {
                    step.failures[route] = t;
                } finally {
                    synchronized (step.running) {
                        step.running[route] = null;
                        Thread.interrupted(); // an interrupt meant for this step must not reach the next
                    }
                    step.finished.countDown();
                }
            });
        }
        inFlight = step;
    }

    /**
     * Waits for the step in flight, if any.
     *
     * @throws InterruptedException if interrupted while waiting: the routes' threads are interrupted and waited for
     */
    private void finish() throws InterruptedException {
        Step step = inFlight;
        if (step == null) {
            return;
        }
        inFlight = null;
        boolean interrupted = false;
        while (true) {
            if (interrupted) {
                synchronized (step.running) {
                    for (Thread t : step.running) {
                        if (t != null) {
                            t.interrupt();
                        }
                    }
                }
            }
            try {
                step.finished.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            throw new InterruptedException("pipeline " + name + " stopped while " + step.what);
        }
        for (Throwable t : step.failures) {
            if (t != null) {
                rethrow(t);
            }
        }
    }

    private static void rethrow(Throwable t) throws InterruptedException {
        if (t instanceof InterruptedException e) {
            throw e;
        }
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }

    /** The status of each sink, in route order. */
    public List<SinkRunner.Status> sinks() {
        return routes.stream().map(r -> r.runner().status()).toList();
    }

    /**
     * Ends the sink threads, interrupting a step in flight (what it did not write is replayed after the last
     * checkpoint); call after the capture worker stopped calling {@link #accept}.
     */
    @Override
    public void close() {
        threads.forEach(ExecutorService::shutdownNow);
    }
}
