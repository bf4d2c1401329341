package io.sluice.testkit;

import io.sluice.embedded.MariaDbServer;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Random single-row changes to a test table, one transaction each, on a thread of its own until closed: six in ten
 * update a row ({@code qty = qty + 1} and a new {@code name}), two delete one, two insert a new one. The load that
 * backfill, verify and reindex tests run against; the table needs {@code id}, {@code name} and {@code qty}.
 *
 * <p>Thread-safe; {@link #close()} waits for the thread and rethrows its failure.
 */
public final class RowChanges implements AutoCloseable {
    private final Thread thread;
    private final AtomicInteger changes = new AtomicInteger();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private volatile boolean running = true;

    /**
     * @param table {@code database.table}
     * @param firstId the lowest id it updates or deletes (rows below are left alone)
     * @param lastId the highest id it updates or deletes
     * @param insertValues the values after the id of an inserted row, for example {@code 'new', 0}
     * @param pauseMs the pause between changes
     */
    private RowChanges(MariaDbServer db, String table, int firstId, int lastId, String insertValues, long pauseMs, long seed) {
        thread = new Thread(() -> {
            Random random = new Random(seed);
            int dot = table.indexOf('.');
            try (Connection c = db.connect(table.substring(0, dot)); Statement s = c.createStatement()) {
                String name = table.substring(dot + 1);
                int next = lastId + 1;
                while (running) {
                    int op = random.nextInt(10);
                    int id = firstId + random.nextInt(lastId - firstId + 1);
                    if (op < 6) {
                        s.execute("UPDATE " + name + " SET qty = qty + 1, name = 'changed " + random.nextInt(1000) + "' WHERE id = " + id);
                    } else if (op < 8) {
                        s.execute("DELETE FROM " + name + " WHERE id = " + id);
                    } else {
                        s.execute("INSERT INTO " + name + " VALUES (" + next++ + ", " + insertValues + ")");
                    }
                    changes.incrementAndGet();
                    Thread.sleep(pauseMs);
                }
            } catch (Exception e) {
                failure.set(e);
            }
        }, "row-changes-" + table);
        thread.setDaemon(true);
    }

    /** Starts changing rows {@code firstId..lastId} of a table; inserts take ids above {@code lastId}. */
    public static RowChanges start(MariaDbServer db, String table, int firstId, int lastId, String insertValues, long pauseMs, long seed) {
        RowChanges changes = new RowChanges(db, table, firstId, lastId, insertValues, pauseMs, seed);
        changes.thread.start();
        return changes;
    }

    /** How many changes were made so far. */
    public int count() {
        return changes.get();
    }

    /**
     * Stops and waits for the last change.
     *
     * @throws IllegalStateException if a change failed
     */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join();
        if (failure.get() != null) {
            throw new IllegalStateException("a row change failed: " + failure.get(), failure.get());
        }
    }
}
