package io.sluice.bench;

import java.util.concurrent.TimeUnit;

/** Open-loop pacing for the load writers: each write is due at a fixed time, however late the previous one was. */
final class Pacing {

    private Pacing() {
    }

    /** Sleeps until {@code nanoTime} (a {@link System#nanoTime()} value); returns at once when it has passed or on interrupt, keeping the flag. */
    static void sleepUntil(long nanoTime) {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
