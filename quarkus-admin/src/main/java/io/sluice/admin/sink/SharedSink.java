package io.sluice.admin.sink;

import io.sluice.event.ChangeEvent;
import io.sluice.event.TableId;
import io.sluice.sink.GenerationWatch;
import io.sluice.sink.Generational;
import io.sluice.sink.ReadableSink;
import io.sluice.sink.RetriableSinkException;
import io.sluice.sink.SchemaOutcome;
import io.sluice.sink.Sink;
import io.sluice.sink.Sweepable;
import io.sluice.sink.TableMapping;
import io.sluice.sink.WriteResult;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.avro.Schema;

/**
 * One sink instance shared by the capture threads of every source whose pipelines write to it, and by replays
 * of its dead letters. It serializes their calls (the {@link Sink} contract allows one thread at a time), opens
 * the target once, checks its generation when {@link SharedSinks} asks (see {@link GenerationWatch}), and is closed
 * only by {@link SharedSinks}, not by the runners that use it. It forwards the sink's sweep, generation and read-back,
 * serialized the same way; the other capabilities are reached through {@link #locked}.
 */
final class SharedSink implements Sink {
    private final Sink delegate;
    private final GenerationWatch generations;
    private final Runnable fence;
    private boolean opened;

    /**
     * @param onLoss told when the target lost its data, on the checking thread with this sink held; returns quickly
     * @param fence run before each write, flush and sweep: it stops the server when it may no longer write (see
     *     {@link io.sluice.admin.leadership.Leadership#checkLease()})
     */
    SharedSink(Sink delegate, GenerationWatch.Record generations, Clock clock, Consumer<GenerationWatch.Loss> onLoss, Runnable fence) {
        this.delegate = delegate;
        this.fence = fence;
        this.generations = new GenerationWatch(delegate, generations, clock, onLoss);
    }

    Sink delegate() {
        return delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public synchronized void open() {
        if (!opened) {
            delegate.open();
            opened = true;
        }
    }

    @Override
    public synchronized SchemaOutcome prepare(TableId table, Schema valueSchema) {
        return delegate.prepare(table, valueSchema);
    }

    @Override
    public synchronized WriteResult write(List<ChangeEvent> batch) {
        fence.run();
        return delegate.write(batch);
    }

    @Override
    public Optional<Sweepable> sweepable() {
        return delegate.sweepable().map(s -> snapshots -> {
            synchronized (this) {
                fence.run();
                return s.sweep(snapshots);
            }
        });
    }

    @Override
    public Optional<Generational> generational() {
        return delegate.generational().map(g -> () -> {
            synchronized (this) {
                return g.generation();
            }
        });
    }

    @Override
    public synchronized void flush() {
        fence.run();
        delegate.flush();
    }

    /**
     * Checks the target's generation between writes (see {@link GenerationWatch#check()}), if the sink was opened:
     * one nobody uses stays closed.
     *
     * @throws RetriableSinkException if the target does not answer
     */
    synchronized void checkGeneration() {
        if (opened) {
            generations.check();
        }
    }

    /** Runs work on the sink, opened, serialized with every write. */
    synchronized <T> T locked(Function<Sink, T> work) {
        open();
        return work.apply(delegate);
    }

    /** Runners do not own the shared sink: their close does nothing; {@link #dispose()} closes it. */
    @Override
    public void close() {
    }

    /** The shared sink read back for verify, its calls serialized with the writes of every source; empty if it cannot be. */
    @Override
    public Optional<ReadableSink> readable() {
        return delegate.readable().map(this::readable);
    }

    private ReadableSink readable(ReadableSink r) {
        SharedSink lock = this;
        return new ReadableSink() {
            @Override
            public String name() {
                return r.name();
            }

            @Override
            public void open() {
                lock.open();
            }

            @Override
            public WriteResult write(List<ChangeEvent> batch) {
                return lock.write(batch);
            }

            @Override
            public void flush() {
                lock.flush();
            }

            @Override
            public void close() {
            }

            @Override
            public TableMapping mapping() {
                return r.mapping();
            }

            @Override
            public List<String> readBack(List<ChangeEvent> rows) {
                synchronized (lock) {
                    lock.open();
                    return r.readBack(rows);
                }
            }

            @Override
            public void scanIds(TableId table, Consumer<List<String>> batch) {
                List<List<String>> pages = new ArrayList<>();
                synchronized (lock) {
                    lock.open();
                    r.scanIds(table, pages::add);
                }
                pages.forEach(batch);
            }
        };
    }

    synchronized void dispose() {
        delegate.close();
        opened = false;
    }
}
