package io.sluice.backfill;

import io.sluice.event.ChangeEvent;
import io.sluice.event.Operation;
import io.sluice.event.SourcePosition;
import io.sluice.event.TableId;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * One backfill of one table, run on the caller's thread by {@link #run()}: the DBLog loop. For each chunk it opens
 * a window on the source's stream ({@link ChunkWindows}), reads the chunk ({@link ChunkReader}), notes the binlog's
 * end ({@link BinlogPoint}) and, once the stream has passed that point, writes the rows whose keys did not change
 * meanwhile to the {@link Target} as {@link Operation#READ} events with the window's snapshot version, so that any
 * later live change wins in every sink. Several windows may be open at once ({@link Options#parallelChunks}): a
 * busy stream passes each point a moment later, and the chunks that closed are written together once all are in
 * flight (one flush per round).
 *
 * <p>Chunks are written and checkpointed in key order; a run started again with the last checkpoint's
 * {@link Resume} goes on after the last written chunk. Memory holds at most {@code parallelChunks} chunks.
 *
 * <p>Lifecycle: construct, call {@link #run()} once on a thread of its own; {@link #pause()}, {@link #resume()},
 * {@link #cancel()} and {@link #progress()} may be called from any thread. Interrupting the running thread ends
 * the run without an outcome (a server shutting down): it resumes from its last checkpoint.
 */
public final class BackfillRun {

    /** Where the rows go: every sink the backfill targets. */
    @FunctionalInterface
    public interface Target {
        /**
         * Writes rows and makes them durable before returning.
         *
         * @throws InterruptedException if the run is being stopped
         */
        void write(List<ChangeEvent> rows) throws InterruptedException;

        /**
         * Every target at once: each call writes to each target on a thread of its own (the first on the caller's)
         * and returns when all are done, so that a backfill into a cache and an index takes as long as the slower,
         * not both. Each target is called by one thread at a time. After all have ended, the first failure in the
         * targets' order is thrown; if the caller is interrupted, the other threads are too, and waited for.
         */
        static Target all(List<Target> targets) {
            List<Target> copy = List.copyOf(targets);
            if (copy.size() == 1) {
                return copy.get(0);
            }
            return rows -> {
                Throwable[] failures = new Throwable[copy.size()];
                List<Thread> others = new ArrayList<>();
                for (int i = 1; i < copy.size(); i++) {
                    int index = i;
                    Thread t = new Thread(() -> {
                        try {
                            copy.get(index).write(rows);
                        } catch (Throwable e) {
                            failures[index] = e;
                        }
                    }, Thread.currentThread().getName() + "-target-" + i);
                    t.setDaemon(true);
                    t.start();
                    others.add(t);
                }
                try {
                    copy.get(0).write(rows);
                } catch (InterruptedException e) {
                    failures[0] = e;
                    others.forEach(Thread::interrupt);
                } catch (RuntimeException | Error e) {
                    failures[0] = e;
                }
                boolean interrupted = false;
                for (Thread t : others) {
                    while (true) {
                        try {
                            t.join();
                            break;
                        } catch (InterruptedException e) {
                            interrupted = true;
                            others.forEach(Thread::interrupt);
                        }
                    }
                }
                for (Throwable f : failures) {
                    if (f instanceof InterruptedException ie) {
                        throw ie;
                    }
                    if (f instanceof RuntimeException re) {
                        throw re;
                    }
                    if (f instanceof Error err) {
                        throw err;
                    }
                }
                if (interrupted) {
                    throw new InterruptedException("interrupted while the targets wrote");
                }
            };
        }
    }

    /**
     * Stores the progress after each written chunk, so that a crash resumes there; its {@code rowsRead} counts the
     * rows up to that chunk, not those of chunks still waiting for the stream.
     */
    @FunctionalInterface
    public interface Checkpoints {
        void chunkWritten(Progress progress);
    }

    /** The table's registered schemas, which rows are converted to. */
    public record Schemas(Schema value, Schema key) {
    }

    /**
     * What to backfill.
     *
     * @param filter a SQL condition on the table's columns, or null
     * @param rowsPerSecond a rate limit, 0 for none
     * @param parallelChunks how many chunks may wait for the stream at once, at least 1
     * @param epoch the source's version epoch
     */
    public record Options(TableId table, String filter, int chunkSize, int rowsPerSecond, int parallelChunks, int epoch) {
        public Options {
            Objects.requireNonNull(table, "table");
            if (parallelChunks < 1) {
                throw new IllegalArgumentException("parallelChunks must be at least 1");
            }
        }
    }

    /**
     * Where an earlier run stopped.
     *
     * @param after the last key written, or null to start at the beginning
     * @param upTo the last key the first run meant to read
     */
    public record Resume(List<Object> after, List<Object> upTo, long rowsRead, long rowsWritten, long chunksDone) {
    }

    /** Where the run stands. */
    public enum Phase { STARTING, READING, WAITING_FOR_STREAM, PAUSED, DONE }

    /**
     * A snapshot of the run's progress.
     *
     * @param rowsRead rows read from the table, including those a live change replaced
     * @param rowsWritten rows written to the targets
     * @param estimatedRows the server's estimate of the rows to read (whole table), or -1
     * @param lastKey the last key written, or null
     * @param upTo the last key to read, or null before the first read
     * @param rowsPerSecond rows read per second over the last seconds
     * @param waitingFor the binlog point the oldest chunk waits for, or null
     */
    public record Progress(Phase phase, long rowsRead, long rowsWritten, long chunksDone, long estimatedRows, List<Object> lastKey,
            List<Object> upTo, double rowsPerSecond, String waitingFor) {
    }

    /** Sleeps while a rate limit holds the run back; tests pass one that advances a clock. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private record InFlight(ChunkWindow window, List<Object> lastKey, int rows) {
    }

    private static final Duration POLL = Duration.ofMillis(200);

    private final Options options;
    private final ChunkWindows windows;
    private final Target target;
    private final Checkpoints checkpoints;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Object lock = new Object();
    private volatile boolean paused;
    private volatile boolean cancelled;
    private volatile Progress progress;
    private long rowsRead;
    /** Rows read up to the last written chunk: what a run resumed from the checkpoint has read. */
    private long rowsReadCheckpointed;
    private long rowsWritten;
    private long chunksDone;
    private long estimatedRows = -1;
    private List<Object> lastKey;
    private List<Object> upTo;
    private final Deque<long[]> rateSamples = new ArrayDeque<>();

    public BackfillRun(Options options, ChunkWindows windows, Target target, Checkpoints checkpoints, Clock clock, Sleeper sleeper,
            Resume resume) {
        this.options = Objects.requireNonNull(options, "options");
        this.windows = Objects.requireNonNull(windows, "windows");
        this.target = Objects.requireNonNull(target, "target");
        this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        if (resume != null) {
            lastKey = resume.after();
            upTo = resume.upTo();
            rowsRead = resume.rowsRead();
            rowsReadCheckpointed = resume.rowsRead();
            rowsWritten = resume.rowsWritten();
            chunksDone = resume.chunksDone();
        }
        publish(Phase.STARTING, null);
    }

    /** How a run ended. */
    public enum Outcome { SUCCEEDED, CANCELLED }

    /**
     * Runs the backfill to its end.
     *
     * @param connection a connection to the source that reads the table; the caller closes it
     * @param schemas the table's schemas
     * @throws BackfillException if the table, its filter or a row cannot be backfilled (the message says why)
     * @throws SQLException if the source fails
     * @throws InterruptedException if the thread was interrupted: the run stops, its checkpoint stays
     */
    public Outcome run(Connection connection, Schemas schemas) throws SQLException, InterruptedException {
        TableId table = options.table();
        ChunkReader reader = ChunkReader.open(connection, table.database(), table.table(), options.filter(), options.chunkSize(), lastKey,
                upTo);
        upTo = reader.upTo();
        estimatedRows = reader.estimatedRows();
        Deque<InFlight> inFlight = new ArrayDeque<>();
        long startedAt = clock.millis();
        long readSinceStart = 0;
        synchronized (lock) {
            rateSamples.add(new long[] {startedAt, rowsRead});
        }
        boolean readerDone = false;
        try {
            while (true) {
                if (cancelled) {
                    return Outcome.CANCELLED;
                }
                if (paused) {
                    writeClosed(inFlight, schemas); // what the stream already decided lands before the pause
                    awaitResume();
                }
                if (!readerDone && inFlight.size() < options.parallelChunks()) {
                    publish(Phase.READING, null);
                    ChunkWindow window = windows.open(table, reader.keyColumns());
                    ChunkReader.Chunk chunk = reader.next();
                    if (chunk.isEmpty()) {
                        windows.discard(window);
                        readerDone = true;
                        continue;
                    }
                    windows.chunkRead(window, chunk.rows(), BinlogPoint.current(connection));
                    inFlight.add(new InFlight(window, chunk.lastKey(), chunk.rows().size()));
                    synchronized (lock) {
                        rowsRead += chunk.rows().size();
                        sample();
                    }
                    readSinceStart += chunk.rows().size();
                    throttle(startedAt, readSinceStart);
                    continue;
                }
                // All chunks in flight (or the table read to its end): write those the stream closed, together, so
                // that a target that commits on flush (Lucene) commits once per round rather than per chunk.
                if (writeClosed(inFlight, schemas)) {
                    continue;
                }
                if (inFlight.isEmpty()) {
                    publish(Phase.DONE, null);
                    return Outcome.SUCCEEDED;
                }
                InFlight head = inFlight.peek();
                publish(Phase.WAITING_FOR_STREAM, head.window().high().toString());
                head.window().awaitClosed(POLL);
            }
        } finally {
            inFlight.forEach(f -> windows.discard(f.window()));
        }
    }

    /**
     * Writes the chunks whose windows closed, oldest first, in one call to the target, and checkpoints after the
     * last of them.
     *
     * @return true if anything was written
     */
    private boolean writeClosed(Deque<InFlight> inFlight, Schemas schemas) throws InterruptedException {
        List<ChangeEvent> events = new ArrayList<>();
        List<InFlight> done = new ArrayList<>();
        Instant now = clock.instant();
        while (!inFlight.isEmpty() && inFlight.peek().window().closed()) {
            InFlight f = inFlight.poll();
            done.add(f);
            ChunkWindow w = f.window();
            BinlogPoint high = w.high();
            SourcePosition position = new SourcePosition(high.file(), high.position(), 0, null, 0, true);
            long version = w.version(options.epoch());
            for (Map<String, Object> row : w.survivors()) {
                GenericRecord value = RowConverter.value(options.table(), row, schemas.value());
                GenericRecord key = schemas.key() == null ? null : RowConverter.key(value, schemas.key());
                events.add(new ChangeEvent(options.table(), Operation.READ, key, null, value, position, now, version));
            }
        }
        if (done.isEmpty()) {
            return false;
        }
        if (!events.isEmpty()) {
            target.write(events);
        }
        Progress checkpoint;
        synchronized (lock) {
            rowsWritten += events.size();
            for (InFlight f : done) {
                rowsReadCheckpointed += f.rows();
                chunksDone++;
            }
            lastKey = done.get(done.size() - 1).lastKey();
            Progress current = publish(Phase.READING, null);
            checkpoint = new Progress(current.phase(), rowsReadCheckpointed, rowsWritten, chunksDone, estimatedRows, lastKey, upTo,
                    current.rowsPerSecond(), null);
        }
        checkpoints.chunkWritten(checkpoint);
        return true;
    }

    private void throttle(long startedAt, long readSinceStart) throws InterruptedException {
        if (options.rowsPerSecond() <= 0) {
            return;
        }
        long due = startedAt + readSinceStart * 1000L / options.rowsPerSecond();
        long wait = due - clock.millis();
        if (wait > 0) {
            sleeper.sleep(Duration.ofMillis(wait));
        }
    }

    private void awaitResume() throws InterruptedException {
        if (!paused) {
            return;
        }
        publish(Phase.PAUSED, null);
        synchronized (lock) {
            while (paused && !cancelled) {
                lock.wait(POLL.toMillis());
            }
        }
    }

    /** Holds the run before its next chunk; chunks in flight still land. */
    public void pause() {
        paused = true;
    }

    public void resume() {
        synchronized (lock) {
            paused = false;
            lock.notifyAll();
        }
    }

    /** Ends the run before its next chunk; what was written stays. */
    public void cancel() {
        synchronized (lock) {
            cancelled = true;
            lock.notifyAll();
        }
    }

    public boolean paused() {
        return paused;
    }

    /** The latest progress; never null. */
    public Progress progress() {
        return progress;
    }

    private Progress publish(Phase phase, String waitingFor) {
        synchronized (lock) {
            Phase shown = paused && phase != Phase.DONE ? Phase.PAUSED : phase;
            progress = new Progress(shown, rowsRead, rowsWritten, chunksDone, estimatedRows, lastKey, upTo, rate(), waitingFor);
            return progress;
        }
    }

    /** Rows read per second over the last ten seconds of samples. */
    private double rate() {
        if (rateSamples.size() < 2) {
            return 0;
        }
        long[] first = rateSamples.peekFirst();
        long[] last = rateSamples.peekLast();
        long ms = last[0] - first[0];
        return ms <= 0 ? 0 : (last[1] - first[1]) * 1000.0 / ms;
    }

    private void sample() {
        long now = clock.millis();
        rateSamples.add(new long[] {now, rowsRead});
        while (rateSamples.size() > 2 && now - rateSamples.peekFirst()[0] > 10_000) {
            rateSamples.pollFirst();
        }
    }
}
