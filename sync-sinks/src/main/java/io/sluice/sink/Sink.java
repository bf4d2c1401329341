package io.sluice.sink;

import io.sluice.event.ChangeEvent;
import io.sluice.event.TableId;
import java.util.List;
import org.apache.avro.Schema;

/**
 * A target that materializes change events: a search index, a cache.
 *
 * <h2>Lifecycle</h2>
 * <ol>
 * <li>Constructed from a validated configuration (configuration errors are reported before, all at once).</li>
 * <li>{@link #open()} once: connects, creates what is missing.</li>
 * <li>Any sequence of {@link #prepare} (a table's value schema, before the first write under it) and
 *     {@link #write} calls; {@link #flush()} makes everything written so far durable and is called before the
 *     pipeline commits the source offset past those events.</li>
 * <li>{@link #close()} once; it does not flush.</li>
 * </ol>
 * Calls come from one thread at a time. Every write carries the event's version; a sink never lets an older
 * version replace a newer one, deletes included (it keeps a versioned tombstone for a configured time), so that
 * replays and out-of-order delivery converge to the newest state.
 *
 * <h2>Failures</h2>
 * {@link RetriableSinkException}: the target is unreachable or overloaded; the same call may succeed later, and
 * the caller retries with backoff (the pipeline waits, memory stays bounded). {@link FatalSinkException}: the
 * sink cannot go on (bad credentials, missing permissions). A single event the target refuses for good (a
 * mapping conflict, a value it cannot store) is neither: it is returned in {@link WriteResult#rejected()} and
 * goes to the dead-letter queue while the rest of the batch lands.
 */
public interface Sink extends AutoCloseable {

    /** The sink's name in Sluice. */
    String name();

    /**
     * Connects and creates what is missing.
     *
     * @throws RetriableSinkException if the target is not reachable yet
     * @throws FatalSinkException if it can never work as configured
     */
    void open();

    /**
     * Tells the sink a table's value schema before the first write under it: a search sink creates or extends
     * the index mapping. Additive changes must be applied; others are reported in the result.
     *
     * @return what the sink did with the schema
     */
    default SchemaOutcome prepare(TableId table, Schema valueSchema) {
        return SchemaOutcome.applied("nothing to do");
    }

    /**
     * Writes a batch in order.
     *
     * @param batch events in source order; several may concern the same key
     * @return the events the target refused for good, with reasons
     * @throws RetriableSinkException nothing or part of the batch was written; the whole batch may be written again
     */
    WriteResult write(List<ChangeEvent> batch);

    /** Makes everything written so far durable. */
    void flush();

    /** Releases connections and files. Never throws. */
    @Override
    void close();
}
