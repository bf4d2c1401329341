package io.sluice.sink;

import io.sluice.event.ChangeEvent;
import io.sluice.event.TableId;
import java.util.List;
import java.util.Map;
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

    /**
     * Removes what completed snapshots of tables did not see. Every row a snapshot reads carries the snapshot's
     * version (see {@link io.sluice.event.EventVersion}), so once the last row of a table's snapshot has been
     * written, a document of the table below that version is a row the source no longer holds: it was deleted
     * while nothing captured the source (a snapshot taken again, a connector registered anew on old targets). Each
     * such document is deleted (or marked, under {@link DeleteMode#MARK}) as a delete at {@code snapshotVersion - 1}
     * would: it leaves a tombstone that older events cannot get past, and any write of the snapshot still to come
     * (another partition, a redelivery) beats it. Documents the snapshot wrote, and anything newer, stay. Several
     * tables come in one call so that a target whose listing costs the same for one table as for all (Redis's
     * SCAN) reads its keys once.
     *
     * <p>Optional; called between {@link #write} calls, on the writing thread. Calling it again changes nothing.
     *
     * @param snapshots the tables whose snapshot completed, each with the version of its rows (live bit clear)
     * @return for each of those tables, how many documents were removed or marked
     * @throws RetriableSinkException if the target is not reachable; calling it again later is safe
     * @throws UnsupportedOperationException if this sink cannot list its documents with their versions
     */
    default Map<TableId, Long> sweep(Map<TableId, Long> snapshots) {
        throw new UnsupportedOperationException("sink '" + name() + "' cannot remove rows a snapshot did not see");
    }

    /**
     * The target's generation: a token the sink keeps in the target itself, next to the documents, and reads back.
     * The first call on a target that holds none creates one; it stays the same for as long as the target keeps
     * what was written to it, across connections and Sluice restarts. A token other than the last one seen means
     * the target lost its data since (a Redis restarted without persistence or flushed, an index directory
     * removed): documents written before may be missing, and the runtime verifies and repairs the target (see
     * {@link GenerationWatch}).
     *
     * <p>Optional; called between writes (the one-thread-at-a-time rule holds), about once a second: by the
     * server on a thread of its own, by a Connect task after its {@link #flush()}.
     *
     * @return the token, or empty if this sink cannot tell
     * @throws RetriableSinkException if the target is not reachable; calling it again later is safe
     */
    default java.util.Optional<String> generation() {
        return java.util.Optional.empty();
    }

    /** Releases connections and files. Never throws. */
    @Override
    void close();
}
