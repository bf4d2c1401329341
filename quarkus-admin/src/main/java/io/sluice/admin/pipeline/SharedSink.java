package io.sluice.admin.pipeline;

import io.sluice.event.ChangeEvent;
import io.sluice.event.TableId;
import io.sluice.sink.SchemaOutcome;
import io.sluice.sink.Sink;
import io.sluice.sink.WriteResult;
import java.util.List;
import org.apache.avro.Schema;

/**
 * One sink instance shared by the capture threads of every source whose pipelines write to it, and by replays
 * of its dead letters. It serializes their calls (the {@link Sink} contract allows one thread at a time), opens
 * the target once, and is closed only by the supervisor, not by the runners that use it.
 */
final class SharedSink implements Sink {
    private final Sink delegate;
    private boolean opened;

    SharedSink(Sink delegate) {
        this.delegate = delegate;
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
        return delegate.write(batch);
    }

    @Override
    public synchronized void flush() {
        delegate.flush();
    }

    /** Runners do not own the shared sink: their close does nothing; {@link #dispose()} closes it. */
    @Override
    public void close() {
    }

    synchronized void dispose() {
        delegate.close();
        opened = false;
    }
}
