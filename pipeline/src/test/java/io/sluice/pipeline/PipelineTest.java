package io.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.event.ChangeEvent;
import io.sluice.event.EventVersion;
import io.sluice.event.Operation;
import io.sluice.event.SourceEvent;
import io.sluice.event.SourcePosition;
import io.sluice.event.TableId;
import io.sluice.sink.FatalSinkException;
import io.sluice.sink.RetriableSinkException;
import io.sluice.sink.RetryPolicy;
import io.sluice.sink.Sink;
import io.sluice.sink.SinkRunner;
import io.sluice.sink.Sweepable;
import io.sluice.sink.WriteResult;
import io.sluice.sink.dlq.JdbcDeadLetterQueue;
import io.sluice.testkit.MetadataDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.junit.jupiter.api.Test;

/** How a batch reaches several sinks at once, and how a checkpoint flushes the sinks written since the last one. */
class PipelineTest {
    private static final TableId TABLE = new TableId("src", "shop", "orders");
    private static final Schema KEY = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"K\",\"fields\":[{\"name\":\"id\",\"type\":\"int\"}]}");
    private final JdbcDeadLetterQueue dlq = new JdbcDeadLetterQueue(MetadataDatabase.inMemory(), Clock.systemUTC());

    /** A sink that records what it was given and runs a hook inside each write. */
    private static final class RecordingSink implements Sink, Sweepable {
        final String name;
        final Consumer<List<ChangeEvent>> duringWrite;
        final List<String> calls = new CopyOnWriteArrayList<>();

        RecordingSink(String name, Consumer<List<ChangeEvent>> duringWrite) {
            this.name = name;
            this.duringWrite = duringWrite;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void open() {
        }

        @Override
        public WriteResult write(List<ChangeEvent> batch) {
            calls.add("write " + batch.size() + " on " + Thread.currentThread().getName());
            duringWrite.accept(batch);
            return new WriteResult(List.of());
        }

        @Override
        public Optional<Sweepable> sweepable() {
            return Optional.of(this);
        }

        @Override
        public Map<TableId, Long> sweep(Map<TableId, Long> snapshots) {
            snapshots.forEach((table, version) -> calls.add("sweep " + table.table() + " below " + version));
            return Map.of();
        }

        @Override
        public void flush() {
            calls.add("flush");
        }

        @Override
        public void close() {
        }
    }

    @Test
    void shouldWriteABatchToEverySinkAtTheSameTimeEachOnItsOwnThread() throws Exception {
        CountDownLatch bothWriting = new CountDownLatch(2);
        Consumer<List<ChangeEvent>> meet = b -> {
            bothWriting.countDown();
            await(bothWriting); // returns only if the other sink writes at the same time
        };
        RecordingSink cache = new RecordingSink("cache", meet);
        RecordingSink index = new RecordingSink("index", meet);
        try (Pipeline pipeline = new Pipeline("p", List.of(route(cache), route(index)))) {
            pipeline.accept(batch(3));
            pipeline.checkpoint();
            assertThat(cache.calls).containsExactly("write 3 on sluice-p-sink-1", "flush");
            assertThat(index.calls).containsExactly("write 3 on sluice-p-sink-2", "flush");
        }
    }

    @Test
    void shouldLetTheCaptureThreadGoOnWhileTheSinksWriteButHoldAtMostOneBatchInFlight() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        RecordingSink slow = new RecordingSink("slow", b -> await(release));
        try (Pipeline pipeline = new Pipeline("p", List.of(route(slow)))) {
            pipeline.accept(batch(1)); // returns although the sink has not written yet
            CountDownLatch secondTaken = new CountDownLatch(1);
            Thread capture = new Thread(() -> {
                try {
                    pipeline.accept(batch(2));
                    secondTaken.countDown();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            capture.start();
            assertThat(secondTaken.await(300, TimeUnit.MILLISECONDS)).as("the second batch waits for the first").isFalse();
            release.countDown();
            assertThat(secondTaken.await(10, TimeUnit.SECONDS)).isTrue();
            capture.join(10_000);
            pipeline.checkpoint();
            assertThat(slow.calls).containsExactly("write 1 on sluice-p-sink-1", "write 2 on sluice-p-sink-1", "flush");
        }
    }

    @Test
    void shouldSweepATableWhoseSnapshotCompletedAfterItsBatchOnlyInTheSinksThatTakeItAndFlushTheSweep() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        RecordingSink cache = new RecordingSink("cache", b -> await(release));
        RecordingSink index = new RecordingSink("index", b -> { });
        TableId other = new TableId("src", "shop", "customers");
        try (Pipeline pipeline = new Pipeline("p", List.of(route(cache), new Pipeline.Route(runner(index), other::equals)))) {
            pipeline.accept(batch(2));
            Thread capture = new Thread(() -> {
                try {
                    pipeline.snapshotCompleted(Map.of(TABLE, 42L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            capture.start();
            Thread.sleep(100); // the sweep must wait for the write, however long it takes
            assertThat(cache.calls).containsExactly("write 2 on sluice-p-sink-1");
            release.countDown();
            capture.join(10_000);
            pipeline.checkpoint();
            assertThat(cache.calls).containsExactly("write 2 on sluice-p-sink-1", "sweep orders below 42", "flush");
            assertThat(index.calls).as("takes only customers").isEmpty();
        }
    }

    @Test
    void shouldFlushOnlyTheSinksWrittenSinceTheLastCheckpoint() throws Exception {
        RecordingSink cache = new RecordingSink("cache", b -> { });
        RecordingSink index = new RecordingSink("index", b -> { });
        TableId other = new TableId("src", "shop", "customers");
        try (Pipeline pipeline = new Pipeline("p", List.of(route(cache), new Pipeline.Route(runner(index), TABLE::equals)))) {
            pipeline.checkpoint();
            assertThat(cache.calls).isEmpty();
            pipeline.accept(batch(2));
            pipeline.accept(batch(1));
            pipeline.checkpoint();
            assertThat(cache.calls).containsExactly("write 2 on sluice-p-sink-1", "write 1 on sluice-p-sink-1", "flush");
            assertThat(index.calls).hasSize(3).last().isEqualTo("flush");
            pipeline.accept(List.of(new ChangeEvent(other, Operation.DELETE, key(7), key(7), null,
                    new SourcePosition("mysql-bin.000001", 40, 0, null, 1, false), Instant.EPOCH, EventVersion.of(0, 1, 40, 0, true))));
            pipeline.checkpoint();
            assertThat(cache.calls).hasSize(5).last().isEqualTo("flush");
            assertThat(index.calls).as("the index took nothing since its last flush").hasSize(3);
            pipeline.checkpoint();
            assertThat(cache.calls).hasSize(5);
        }
    }

    @Test
    void shouldReportAFatalSinkFailureOnlyAfterTheOtherSinksFinishedTheBatch() throws Exception {
        CountDownLatch failed = new CountDownLatch(1);
        RecordingSink broken = new RecordingSink("broken", b -> {
            failed.countDown();
            throw new FatalSinkException("credentials refused", null);
        });
        RecordingSink slow = new RecordingSink("slow", b -> {
            await(failed);
            sleep(200);
        });
        try (Pipeline pipeline = new Pipeline("p", List.of(route(broken), route(slow)))) {
            pipeline.accept(batch(1));
            assertThatThrownBy(pipeline::checkpoint).isInstanceOf(FatalSinkException.class).hasMessageContaining("credentials refused");
            assertThat(slow.calls).as("written, and nothing flushed after the failure").containsExactly("write 1 on sluice-p-sink-2");
        }
    }

    @Test
    void shouldStopEverySinkThreadWhenTheCaptureThreadIsInterrupted() throws Exception {
        CountDownLatch retrying = new CountDownLatch(1);
        RecordingSink down = new RecordingSink("down", b -> {
            retrying.countDown();
            throw new RetriableSinkException("connection refused", null);
        });
        RecordingSink fine = new RecordingSink("fine", b -> { });
        try (Pipeline pipeline = new Pipeline("p", List.of(route(fine), route(down)))) {
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread capture = new Thread(() -> {
                try {
                    pipeline.accept(batch(1));
                    pipeline.checkpoint();
                } catch (Throwable t) {
                    outcome.set(t);
                }
            });
            capture.start();
            assertThat(retrying.await(10, TimeUnit.SECONDS)).isTrue();
            capture.interrupt();
            capture.join(10_000);
            assertThat(capture.isAlive()).isFalse();
            assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
            int attempts = down.calls.size();
            sleep(300); // a runner still retrying would have written again by now
            assertThat(down.calls).hasSize(attempts);
        }
    }

    private Pipeline.Route route(Sink sink) {
        return new Pipeline.Route(runner(sink), t -> true);
    }

    private SinkRunner runner(Sink sink) {
        return new SinkRunner(sink, dlq, new RetryPolicy(Duration.ofMillis(50), Duration.ofMillis(50)), Clock.systemUTC(),
                d -> Thread.sleep(d.toMillis()));
    }

    private static GenericData.Record key(int id) {
        GenericData.Record key = new GenericData.Record(KEY);
        key.put("id", id);
        return key;
    }

    private static List<SourceEvent> batch(int n) {
        List<SourceEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            GenericData.Record key = new GenericData.Record(KEY);
            key.put("id", i);
            events.add(new ChangeEvent(TABLE, Operation.DELETE, key, key, null, new SourcePosition("mysql-bin.000001", 4 + i, 0, null, 1, false),
                    Instant.EPOCH, EventVersion.of(0, 1, 4 + i, 0, true)));
        }
        return events;
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the other sink never wrote at the same time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
