package io.sluice.admin.job;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The long jobs running in this server (backfills, reindexes, verifications, recoveries), each on a daemon thread
 * of its own: started here, found by type and id while they run, cancelled by a flag their thread polls, and stopped
 * at shutdown. A job's entry lives exactly as long as its thread runs it. What each job stored (its state in the
 * metadata database) is its service's business, as is what a job a stopped server left running becomes at boot,
 * and whether a shutdown interrupts it ({@link #interruptAll}).
 *
 * <p>Thread-safe.
 */
@ApplicationScoped
public class JobRegistry {
    private static final Logger LOG = Logger.getLogger(JobRegistry.class);

    /** The kinds of job. */
    public enum Type {
        /** Rows of tables written to sinks, checkpointed per chunk: interrupted at shutdown, resumed at boot. */
        BACKFILL,
        /** A backfill into a new index, swapped in behind the table's alias at the end: started over at boot. */
        REINDEX,
        /** A table compared with a sink, and repaired: stopped by its flag only (an interrupt would close files in use). */
        VERIFICATION,
        /** A source snapshotted again and its sinks repaired: stopped by its flag only. */
        RECOVERY
    }

    /** A job while its thread runs it. */
    public static final class Job {
        private final Type type;
        private final long id;
        private final Thread thread;
        private volatile String cancelledBy;
        private volatile Runnable onCancel = () -> { };

        private Job(Type type, long id, Consumer<Job> body, String threadName) {
            this.type = type;
            this.id = id;
            this.thread = new Thread(() -> body.accept(this), threadName);
            this.thread.setDaemon(true);
        }

        public Type type() {
            return type;
        }

        public long id() {
            return id;
        }

        /** Who cancelled the job, or empty while nobody did. */
        public Optional<String> cancelledBy() {
            return Optional.ofNullable(cancelledBy);
        }

        /**
         * What a cancellation does besides setting the flag, for example stopping a verifier at its next step; replaced
         * as the job moves from one step to the next. Called on the cancelling thread.
         */
        public void onCancel(Runnable action) {
            this.onCancel = action;
        }

        /** Whether the calling thread is this job's own. */
        public boolean isCurrentThread() {
            return Thread.currentThread() == thread;
        }
    }

    private record Key(Type type, long id) {
    }

    private final Map<Key, Job> running = new ConcurrentHashMap<>();

    /**
     * Registers a job and starts its thread, which runs {@code body} and then removes the entry.
     *
     * @throws IllegalStateException if a job of that type and id runs already
     */
    public Job start(Type type, long id, String threadName, Consumer<Job> body) {
        Key key = new Key(type, id);
        Job job = new Job(type, id, j -> {
            try {
                body.accept(j);
            } finally {
                running.remove(key, j);
            }
        }, threadName);
        if (running.putIfAbsent(key, job) != null) {
            throw new IllegalStateException(type + " " + id + " runs already");
        }
        job.thread.start();
        return job;
    }

    /** The job of that type and id, while its thread runs. */
    public Optional<Job> find(Type type, long id) {
        return Optional.ofNullable(running.get(new Key(type, id)));
    }

    /**
     * Asks a running job to stop: sets its flag, runs its cancel action, and waits until its thread ended or
     * {@code wait} passed.
     *
     * @param actor who cancels it
     * @return false if no such job runs here
     */
    public boolean cancel(Type type, long id, String actor, Duration wait) {
        Job job = running.get(new Key(type, id));
        if (job == null) {
            return false;
        }
        job.cancelledBy = actor;
        job.onCancel.run();
        if (!job.isCurrentThread()) {
            try {
                job.thread.join(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return true;
    }

    /**
     * Interrupts every running job of a type and waits for each, {@code wait} at most: how a server shutting down
     * stops the jobs that resume from a checkpoint at the next boot.
     */
    public void interruptAll(Type type, Duration wait) {
        List<Job> jobs = running.values().stream().filter(j -> j.type == type).toList();
        jobs.forEach(j -> j.thread.interrupt());
        for (Job job : jobs) {
            try {
                job.thread.join(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (job.thread.isAlive()) {
                LOG.warnf("%s %d did not stop within %d s", type, job.id, wait.toSeconds());
            }
        }
    }
}
