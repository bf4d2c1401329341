package io.sluice.sink.lucene;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The one thread that touches a Lucene sink's files for writing. Lucene writes through NIO channels, and an interrupt
 * of the thread using a channel closes it for good: the writer's lock then reports "invalidated by an external
 * force" on every later commit, and segment files half written are lost. Callers (sink runners, backfills, rebuilds)
 * are interrupted when they stop, so the work runs here, where nobody interrupts, and the caller waits for it
 * without giving up: the work is local and short, and the caller's interrupt is kept for it to see afterwards.
 *
 * <p>Thread safety: any thread may call {@link #run}; calls run one at a time in the order they arrive.
 */
final class WriterThread implements AutoCloseable {
    private final ExecutorService thread;

    WriterThread(String sink) {
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sluice-lucene-" + sink);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs the work on the writer thread and returns its result; a caller interrupted meanwhile still waits for the
     * end, and returns with its interrupt flag set.
     *
     * @throws RuntimeException or {@link Error} the work threw, as thrown
     */
    <T> T run(Supplier<T> work) {
        Future<T> result = thread.submit(work::get);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return result.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    void run(Runnable work) {
        run(() -> {
            work.run();
            return null;
        });
    }

    /** Ends the thread once the work already given is done. */
    @Override
    public void close() {
        thread.shutdown();
    }
}
