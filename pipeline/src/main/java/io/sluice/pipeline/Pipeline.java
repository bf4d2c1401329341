package io.sluice.pipeline;

import io.sluice.capture.EventBatchConsumer;
import io.sluice.event.ChangeEvent;
import io.sluice.event.SourceEvent;
import io.sluice.event.TableId;
import io.sluice.sink.SinkRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Carries one source's events to its sinks in the embedded mode. It is the capture worker's consumer: a batch is
 * acknowledged (so the source offset may be committed past it) only after every sink wrote it and flushed. A
 * sink that is down holds its pipeline (its runner retries with backoff, nothing is buffered) while other
 * pipelines go on; events a target refuses go to the dead-letter queue and do not hold anything.
 *
 * <p>With several sinks, each batch is written to them at the same time: the first on the calling thread, the
 * others on one thread each, and {@link #accept} returns when all have flushed (the streaming profile showed one
 * sink's network waits and another's indexing adding up on one thread). Each runner still sees one batch at a
 * time, in order.
 *
 * <p>{@link #accept} is called by the capture thread only; {@link #close()} ends the sink threads.
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
    /** Threads for the routes after the first; null with one route. */
    private final ExecutorService others;

    public Pipeline(String name, List<Route> routes) {
        this.name = Objects.requireNonNull(name, "name");
        this.routes = List.copyOf(routes);
        AtomicInteger n = new AtomicInteger();
        this.others = this.routes.size() < 2 ? null : Executors.newFixedThreadPool(this.routes.size() - 1, r -> {
            Thread t = new Thread(r, "sluice-" + name + "-sink-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public String name() {
        return name;
    }

    /**
     * Writes the batch to every route's sink and flushes them.
     *
     * @throws InterruptedException if the capture thread is stopped meanwhile; the sinks' threads are interrupted
     *     too and have stopped when this returns
     * @throws io.sluice.sink.FatalSinkException if a sink cannot go on (the others finished their write first)
     */
    @Override
    public void accept(List<SourceEvent> batch) throws InterruptedException {
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
        if (others == null) {
            for (int i = 0; i < routes.size(); i++) {
                deliver(routes.get(i), parts.get(i));
            }
            return;
        }
        int helpers = routes.size() - 1;
        CountDownLatch finished = new CountDownLatch(helpers);
        Thread[] running = new Thread[helpers];
        Throwable[] failures = new Throwable[routes.size()];
        for (int i = 1; i < routes.size(); i++) {
            int route = i;
            // Tasks are never cancelled, so each one counts the latch down exactly once.
            others.execute(() -> {
                synchronized (running) {
                    running[route - 1] = Thread.currentThread();
                }
                try {
                    deliver(routes.get(route), parts.get(route));
                } catch (Throwable t) {
                    failures[route] = t;
                } finally {
                    synchronized (running) {
                        running[route - 1] = null;
                        Thread.interrupted(); // an interrupt meant for this batch must not reach the next
                    }
                    finished.countDown();
                }
            });
        }
        try {
            deliver(routes.get(0), parts.get(0));
        } catch (Throwable t) {
            failures[0] = t;
        }
        boolean interrupted = failures[0] instanceof InterruptedException;
        while (true) {
            if (interrupted) {
                synchronized (running) {
                    for (Thread t : running) {
                        if (t != null) {
                            t.interrupt();
                        }
                    }
                }
            }
            try {
                finished.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            throw new InterruptedException("pipeline " + name + " stopped while writing a batch");
        }
        for (Throwable t : failures) {
            if (t != null) {
                rethrow(t);
            }
        }
    }

    private static void deliver(Route route, List<ChangeEvent> events) throws InterruptedException {
        if (!events.isEmpty()) {
            route.runner().write(events);
            route.runner().flush();
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

    /** Ends the sink threads; call after the capture worker stopped calling {@link #accept}. */
    @Override
    public void close() {
        if (others != null) {
            others.shutdownNow();
        }
    }
}
