package io.sluice.sink;

import io.sluice.event.ChangeEvent;
import io.sluice.sink.dlq.JdbcDeadLetterQueue;
import io.sluice.testkit.MetadataDatabase;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A writer thread that hands batches of distinct upserts to a {@link SinkRunner} as a pipeline would, for
 * outage tests: it counts the batches it handed out, so a test can see that it waits instead of queueing.
 */
public final class OutageLoad {
    private final AtomicInteger handedOut = new AtomicInteger();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final Thread writer;

    private OutageLoad(SinkRunner runner, int batches, int perBatch, Duration pause) {
        this.writer = new Thread(() -> {
            try {
                for (int b = 0; b < batches; b++) {
                    List<ChangeEvent> batch = new ArrayList<>();
                    for (int i = 0; i < perBatch; i++) {
                        int id = b * perBatch + i;
                        batch.add(TestEvents.upsert(id, "n" + id, 1000L + id * 10L));
                    }
                    handedOut.incrementAndGet();
                    runner.write(batch);
                    Thread.sleep(pause.toMillis());
                }
            } catch (Throwable t) {
                failures.add(t);
            }
        }, "outage-load");
    }

    /** Starts writing {@code batches} batches of {@code perBatch} events, ids from 0, with a pause between batches. */
    public static OutageLoad start(SinkRunner runner, int batches, int perBatch, Duration pause) {
        OutageLoad load = new OutageLoad(runner, batches, perBatch, pause);
        load.writer.start();
        return load;
    }

    /** A runner over a sink with short real backoffs. */
    public static SinkRunner runner(Sink sink, Duration initialBackoff, Duration maxBackoff) {
        return new SinkRunner(sink, new JdbcDeadLetterQueue(MetadataDatabase.inMemory(),
                Clock.systemUTC()), new RetryPolicy(initialBackoff, maxBackoff), Clock.systemUTC(), d -> Thread.sleep(d.toMillis()));
    }

    public int handedOut() {
        return handedOut.get();
    }

    /** Waits for the writer to finish and returns what it threw (empty when all went well). */
    public List<Throwable> finish(Duration timeout) throws InterruptedException {
        writer.join(timeout.toMillis());
        return List.copyOf(failures);
    }
}
