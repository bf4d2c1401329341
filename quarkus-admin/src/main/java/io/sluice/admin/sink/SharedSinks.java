package io.sluice.admin.sink;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sluice.admin.error.ConflictException;
import io.sluice.admin.error.NotFoundException;
import io.sluice.admin.error.UnavailableException;
import io.sluice.admin.leadership.Leadership;
import io.sluice.backfill.BackfillRun;
import io.sluice.event.ChangeEvent;
import io.sluice.sink.GenerationWatch;
import io.sluice.sink.ReadableSink;
import io.sluice.sink.RetryPolicy;
import io.sluice.sink.Sink;
import io.sluice.sink.SinkRunner;
import io.sluice.sink.WriteResult;
import io.sluice.sink.dlq.DeadLetterQueue;
import io.sluice.sink.dlq.JdbcDeadLetterQueue;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The sink instances this server runs, one per sink, opened on first use and shared by every source writing to it,
 * by backfills and repairs, by replays of dead letters and by searches: each is a {@link SharedSink} that serializes
 * their calls. Once a second, on a thread of its own, it checks the generation of every open sink (see
 * {@link GenerationWatch}) and hands a loss to {@link TargetLosses}.
 *
 * <p>Thread-safe.
 */
@ApplicationScoped
public class SharedSinks {
    private static final Logger LOG = Logger.getLogger(SharedSinks.class);
    private static final Duration REPLAY_TIMEOUT = Duration.ofSeconds(30);

    @Inject
    SinkStore sinks;

    @Inject
    TargetLosses losses;

    @Inject
    DataSource dataSource;

    @Inject
    Clock clock;

    @Inject
    Leadership leadership;

    private final Map<String, SharedSink> open = new HashMap<>();
    private DeadLetterQueue dlq;
    private ScheduledExecutorService generations;

    void boot(@Observes @Priority(5) StartupEvent event) {
        dlq = new JdbcDeadLetterQueue(dataSource, clock);
        // A thread of its own: a check waits for its sink's writes, and for a target that does not answer.
        generations = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "sluice-generations"));
        generations.scheduleWithFixedDelay(this::checkGenerations, GenerationWatch.EVERY.toMillis(), GenerationWatch.EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * Closes the sinks a standby opened (for reads), before the runtime starts: they open again with the new leader's
     * keys (a Redis sink's fencing epoch).
     */
    void elected(@Observes @Priority(5) Leadership.Elected event) {
        synchronized (this) {
            open.values().forEach(SharedSink::dispose);
            open.clear();
        }
    }

    /** Closes every sink; runs after the runtime stopped its sources. */
    void shutdown(@Observes @Priority(20) ShutdownEvent event) {
        if (generations != null) {
            generations.shutdownNow();
        }
        synchronized (this) {
            open.values().forEach(SharedSink::dispose);
            open.clear();
        }
    }

    /** The dead-letter queue of the sinks this server runs. */
    public DeadLetterQueue deadLetters() {
        return dlq;
    }

    /**
     * A sink, opened on first use, shared with every writer.
     *
     * @throws NotFoundException if the sink does not exist
     */
    public synchronized SharedSink shared(String name) {
        SharedSink s = open.get(name);
        if (s == null) {
            SinkStore.Stored stored = sinks.get(name);
            s = new SharedSink(stored.type().create(name, sinks.runtimeKeys(name), clock), sinks.generations(name), clock, losses::lost,
                    leadership::checkLease);
            open.put(name, s);
        }
        return s;
    }

    /** The sink instance itself, for searches. @throws NotFoundException if the sink does not exist */
    public Sink sink(String name) {
        return shared(name).delegate();
    }

    /** Closes the named sinks, if open: their next use opens them with their stored keys. */
    public synchronized void close(Set<String> names) {
        for (String name : names) {
            SharedSink s = open.remove(name);
            if (s != null) {
                s.dispose();
            }
        }
    }

    /** A runner (retries, dead letters) over a shared sink, for a source's live writes. */
    public SinkRunner runner(String name) {
        return new SinkRunner(shared(name), dlq, RetryPolicy.defaults(), clock, d -> Thread.sleep(d.toMillis()));
    }

    /**
     * A runner (retries, dead letters) over a view of a sink that writes through {@code write}, serialized with the
     * sink's other writes: a backfill writes with {@code Sink::write}, a reindex to the new index only.
     *
     * @throws NotFoundException if the sink does not exist
     */
    public SinkRunner runner(String name, BiFunction<Sink, List<ChangeEvent>, WriteResult> write) {
        SharedSink shared = shared(name);
        Sink view = new Sink() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void open() {
                shared.open();
            }

            @Override
            public WriteResult write(List<ChangeEvent> batch) {
                return shared.locked(s -> write.apply(s, batch));
            }

            @Override
            public void flush() {
                shared.flush();
            }

            @Override
            public void close() {
            }
        };
        return new SinkRunner(view, dlq, RetryPolicy.defaults(), clock, d -> Thread.sleep(d.toMillis()));
    }

    /**
     * Where a backfill or a repair writes: the named sinks, through runners of their own (retries and dead letters as
     * for live events), so that written rows and live events interleave safely. The sinks write and flush each round
     * at the same time, each on a thread of its own.
     *
     * @throws NotFoundException if a sink does not exist
     */
    public BackfillRun.Target target(List<String> names) {
        List<BackfillRun.Target> each = new ArrayList<>();
        for (String name : names) {
            SinkRunner r = runner(name, Sink::write);
            each.add(rows -> {
                r.write(rows);
                r.flush();
            });
        }
        return BackfillRun.Target.all(each);
    }

    /**
     * A sink as verify reads it back, its calls serialized with the live writes.
     *
     * @throws NotFoundException if the sink does not exist
     * @throws ConflictException if it cannot be read back
     */
    public ReadableSink readable(String name) {
        return shared(name).readable().orElseThrow(() -> new ConflictException("not_verifiable", "sink '" + name + "' cannot be read"
                + " back, so it cannot be verified"));
    }

    /**
     * Runs work on a sink, serialized with the writes of every source (a reindex swaps its index so).
     *
     * @throws NotFoundException if the sink does not exist
     */
    public <T> T locked(String name, Function<Sink, T> work) {
        return shared(name).locked(work);
    }

    /**
     * Replays dead letters through their sink, waiting for an answer for {@link #REPLAY_TIMEOUT} at most: the runner
     * retries an unreachable target for ever, a person waiting on a replay gets an answer instead.
     *
     * @param admission what of each dead letter may be written (the rules in force still apply to it)
     * @return ids that landed (or would, on a dry run)
     * @throws UnavailableException if the target did not accept the replay in time or failed during it
     */
    public List<Long> replay(String name, List<Long> ids, boolean dryRun, SinkRunner.Admission admission) throws InterruptedException {
        SharedSink shared = shared(name);
        ExecutorService one = Executors.newSingleThreadExecutor(r -> new Thread(r, "sluice-replay-" + name));
        try {
            return one.submit(() -> new SinkRunner(shared, dlq, RetryPolicy.defaults(), clock, d -> Thread.sleep(d.toMillis()))
                    .replay(ids, dryRun, admission)).get(REPLAY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new UnavailableException("sink_unavailable", "Sink '" + name + "' did not accept the replay within "
                    + REPLAY_TIMEOUT.toSeconds() + " s (its target seems down); entries not replayed stay queued. Try again once the target"
                    + " is back.");
        } catch (ExecutionException e) {
            throw new UnavailableException("sink_unavailable", "Sink '" + name + "' failed during the replay: " + e.getCause().getMessage()
                    + "; entries not replayed stay queued.");
        } finally {
            one.shutdownNow();
        }
    }

    /**
     * Checks the generation of every open sink, between its writes, whether its sources write or are idle. A target
     * that does not answer is the writers' business: skipped here.
     */
    private void checkGenerations() {
        List<SharedSink> each;
        synchronized (this) {
            each = List.copyOf(open.values());
        }
        for (SharedSink sink : each) {
            try {
                sink.checkGeneration();
            } catch (RuntimeException e) {
                LOG.debugf("sink %s: generation not checked: %s", sink.name(), e.getMessage());
            }
        }
    }
}
