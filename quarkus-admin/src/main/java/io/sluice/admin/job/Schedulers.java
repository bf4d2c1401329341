package io.sluice.admin.job;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** Schedulers for the server's periodic work (sampling, checks, metrics), on daemon threads that never hold up a shutdown. */
public final class Schedulers {
    private Schedulers() {
    }

    /**
     * A scheduler of {@code threads} daemon threads named {@code name}; its owner shuts it down.
     *
     * @param name the threads' name, {@code sluice-<what>}, as thread dumps show it
     */
    public static ScheduledExecutorService daemon(String name, int threads) {
        return Executors.newScheduledThreadPool(threads, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }
}
