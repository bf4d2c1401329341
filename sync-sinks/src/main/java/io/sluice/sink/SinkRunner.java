package io.sluice.sink;

import io.sluice.event.ChangeEvent;
import io.sluice.event.Operation;
import io.sluice.event.TableId;
import io.sluice.sink.dlq.DeadLetter;
import io.sluice.sink.dlq.DeadLetterQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link Sink} for a pipeline: retries retriable failures with backoff and jitter for as long as it takes
 * (the calling capture thread waits: a sink that stays down pauses its pipeline, and nothing is buffered),
 * sends rejected events to the dead-letter queue while the rest of the batch lands, and replays dead letters.
 *
 * <p>Used by one thread at a time; {@link #status()} may be read from any thread.
 */
public final class SinkRunner {
    private static final Logger LOG = LoggerFactory.getLogger(SinkRunner.class);

    /** Waits between attempts; tests give a sleeper that advances a clock instead. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    /**
     * A runner's status.
     *
     * @param sink the sink's name
     * @param healthy false while retrying
     * @param failingSince when the current run of failures began, or null
     * @param lastError the last failure's message, or null
     * @param retries retries since the runner was created
     * @param deadLetters events sent to the dead-letter queue since the runner was created
     * @param written changes the target acknowledged since the runner was created (dead letters not counted)
     * @param freshnessP50Ms median time from the source's commit to the target's acknowledgement over the changes
     *     streamed in the last minute (snapshot and backfill reads not counted), or null when none; see {@link Freshness}
     * @param freshnessP99Ms the same, 99th percentile
     * @param lastPosition the source position of the last change written, or null
     */
    public record Status(String sink, boolean healthy, Instant failingSince, String lastError, long retries, long deadLetters,
            long written, Long freshnessP50Ms, Long freshnessP99Ms, String lastPosition) {
    }

    /** The retry state the write path changes; the counts and percentiles are read live by {@link #status()}. */
    private record Health(boolean healthy, Instant failingSince, String lastError, long retries, long deadLetters) {
    }

    private final Sink sink;
    /** The sink's sweep, or null when it cannot sweep. */
    private final Sweepable sweepable;
    private final DeadLetterQueue dlq;
    private final RetryPolicy policy;
    private final Clock clock;
    private final Sleeper sleeper;
    private final RandomGenerator random = RandomGenerator.getDefault();
    private volatile Health health;
    private final Freshness freshness;
    private final AtomicLong written = new AtomicLong();
    private volatile String lastPosition;
    private boolean opened;
    /** Tables swept since this runner was created or last told to forget, with how many documents each removed. */
    private final Map<TableId, Long> swept = new ConcurrentHashMap<>();

    public SinkRunner(Sink sink, DeadLetterQueue dlq, RetryPolicy policy, Clock clock, Sleeper sleeper) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.sweepable = sink.sweepable().orElse(null);
        this.dlq = Objects.requireNonNull(dlq, "dlq");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.freshness = new Freshness(clock);
        this.health = new Health(true, null, null, 0, 0);
    }

    /** A runner that really sleeps. */
    public static SinkRunner of(Sink sink, DeadLetterQueue dlq) {
        return new SinkRunner(sink, dlq, RetryPolicy.defaults(), Clock.systemUTC(), d -> Thread.sleep(d.toMillis()));
    }

    /**
     * Writes a batch, retrying until it lands; rejected events go to the dead-letter queue.
     *
     * @throws FatalSinkException if the sink cannot go on
     * @throws InterruptedException if the pipeline is stopped while waiting
     */
    public void write(List<ChangeEvent> batch) throws InterruptedException {
        WriteResult result = retrying("write", () -> {
            openOnce();
            return sink.write(batch);
        });
        long now = clock.millis();
        for (ChangeEvent e : batch) {
            if (e.operation() != Operation.READ && e.commitTime() != null) {
                freshness.record(now - e.commitTime().toEpochMilli());
            }
        }
        written.addAndGet(batch.size() - result.rejected().size());
        if (!batch.isEmpty() && batch.get(batch.size() - 1).position() != null) {
            lastPosition = batch.get(batch.size() - 1).position().toString();
        }
        for (WriteResult.Rejection r : result.rejected()) {
            dlq.add(sink.name(), r.event(), r.reason());
            countDeadLetter();
            LOG.warn("sink={} table={} rejected version {}: {}", sink.name(), r.event().table(), r.event().version(), r.reason());
        }
    }

    /**
     * Sends a change that is not to be written (a data contract's rule stopped it) to this sink's dead letters, where
     * it can be looked at and replayed like a rejected one.
     *
     * @param reason why, naming the rule
     */
    public void deadLetter(ChangeEvent event, String reason) {
        dlq.add(sink.name(), event, reason);
        countDeadLetter();
    }

    /** The sink's thread and the capture thread both count dead letters. */
    private synchronized void countDeadLetter() {
        Health h = health;
        health = new Health(h.healthy(), h.failingSince(), h.lastError(), h.retries(), h.deadLetters() + 1);
    }

    /**
     * Removes the tables' documents that their completed snapshots did not see ({@link Sweepable#sweep}), retrying
     * until the target answers. A sink that cannot sweep is logged and skipped: its target may keep such rows until
     * verified.
     *
     * @param snapshots the tables whose snapshot completed, each with the version of its rows
     * @throws FatalSinkException if the sink cannot go on
     * @throws InterruptedException if the pipeline is stopped while waiting
     */
    public void sweep(Map<TableId, Long> snapshots) throws InterruptedException {
        if (snapshots.isEmpty()) {
            return;
        }
        if (sweepable == null) {
            LOG.warn("sink={} tables={} snapshot completed, but sink '{}' cannot remove rows a snapshot did not see; run verify with"
                    + " --repair to remove rows deleted before it", sink.name(), snapshots.keySet(), sink.name());
            return;
        }
        Map<TableId, Long> removed = retrying("sweep", () -> {
            openOnce();
            return sweepable.sweep(snapshots);
        });
        removed.forEach((table, n) -> LOG.info("sink={} table={} snapshot completed; removed {} documents it did not see", sink.name(),
                table, n));
        swept.putAll(removed);
    }

    /**
     * How many documents the sweep of a table removed, if a snapshot of it completed and was swept since this runner
     * was created or last {@linkplain #forgetSweeps() told to forget}: such a table needs no verification for rows
     * deleted before that snapshot. Safe from any thread.
     */
    public OptionalLong swept(TableId table) {
        Long removed = swept.get(table);
        return removed == null ? OptionalLong.empty() : OptionalLong.of(removed);
    }

    /** Forgets every sweep: called when the source's snapshot is taken again, whose tables are swept anew. */
    public void forgetSweeps() {
        swept.clear();
    }

    /** Makes everything written durable, retrying until it is. */
    public void flush() throws InterruptedException {
        retrying("flush", () -> {
            openOnce();
            sink.flush();
            return null;
        });
    }

    /**
     * Replays dead letters: those that land are removed, those refused again stay with the new reason.
     *
     * @param dryRun report what would be replayed without writing
     * @return the ids that landed (or would be replayed, on a dry run)
     */
    public List<Long> replay(List<Long> ids, boolean dryRun) throws InterruptedException {
        return replay(ids, dryRun, Admission.ALL);
    }

    /** What a replay writes of a dead letter's event, or why it keeps it (a rule that still fails on it, say). */
    @FunctionalInterface
    public interface Admission {
        Admission ALL = e -> new Admitted(e, null);

        Admitted admit(ChangeEvent event);
    }

    /**
     * An admission's answer.
     *
     * @param event what to write; null to keep the dead letter
     * @param reason why it is kept, when it is
     */
    public record Admitted(ChangeEvent event, String reason) {
    }

    /**
     * Replays dead letters that an admission lets through, as it changes them: those that land are removed, those
     * refused again (by the admission or the target) stay with the new reason.
     *
     * @param dryRun report what would be replayed without writing
     * @return the ids that landed (or would be replayed, on a dry run)
     */
    public List<Long> replay(List<Long> ids, boolean dryRun, Admission admission) throws InterruptedException {
        List<DeadLetter> letters = dlq.get(ids).stream().filter(d -> d.sink().equals(sink.name())).toList();
        List<Long> landed = new ArrayList<>();
        for (DeadLetter d : letters) {
            Admitted admitted = admission.admit(d.event());
            if (admitted.event() == null) {
                if (!dryRun) {
                    dlq.retried(d.id(), admitted.reason());
                }
                continue;
            }
            if (dryRun) {
                landed.add(d.id());
                continue;
            }
            WriteResult r = retrying("replay", () -> {
                openOnce();
                return sink.write(List.of(admitted.event()));
            });
            if (r.rejected().isEmpty()) {
                landed.add(d.id());
            } else {
                dlq.retried(d.id(), r.rejected().get(0).reason());
            }
        }
        if (dryRun) {
            return landed;
        }
        flush();
        dlq.remove(landed);
        return landed;
    }

    public Status status() {
        Health h = health;
        return new Status(sink.name(), h.healthy(), h.failingSince(), h.lastError(), h.retries(), h.deadLetters(), written.get(),
                freshness.percentile(50), freshness.percentile(99), lastPosition);
    }

    private void openOnce() {
        if (!opened) {
            sink.open();
            opened = true;
        }
    }

    @FunctionalInterface
    private interface Call<T> {
        T run();
    }

    private <T> T retrying(String what, Call<T> call) throws InterruptedException {
        int attempt = 1;
        while (true) {
            try {
                T result = call.run();
                if (!health.healthy()) {
                    LOG.info("sink={} recovered after {} attempts", sink.name(), attempt);
                }
                synchronized (this) {
                    health = new Health(true, null, null, health.retries(), health.deadLetters());
                }
                return result;
            } catch (RetriableSinkException e) {
                Instant since = health.failingSince() == null ? clock.instant() : health.failingSince();
                synchronized (this) {
                    health = new Health(false, since, e.getMessage(), health.retries() + 1, health.deadLetters());
                }
                attempt++;
                Duration wait = policy.backoff(attempt, random);
                if (attempt == 2 || attempt % 10 == 0) {
                    LOG.warn("sink={} {} failed (attempt {}), retrying in {} ms: {}", sink.name(), what, attempt - 1, wait.toMillis(),
                            e.getMessage());
                }
                sleeper.sleep(wait);
            }
        }
    }
}
