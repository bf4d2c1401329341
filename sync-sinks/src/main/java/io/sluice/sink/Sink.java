package io.sluice.sink;

import io.sluice.event.ChangeEvent;
import io.sluice.event.TableId;
import java.util.List;
import java.util.Optional;
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
 * replays and out-of-order delivery converge to the newest state. A write of the same version as the stored one
 * replaces it: every writer's document holds at least the state of its version (a change's image, a backfilled row
 * its window kept, a view's document read after its version's point), so either is right, and a repair of a
 * document a person changed by hand lands even when the source has not moved since it was written.
 *
 * <h2>Capabilities</h2>
 * Beyond writing, a sink may be able to:
 * <ul>
 * <li>remove what a completed snapshot did not see ({@link Sweepable}, through {@link #sweepable()});</li>
 * <li>tell whether its target lost its data ({@link Generational}, through {@link #generational()});</li>
 * <li>be read back, so that verify can compare it with the source ({@link ReadableSink}, through
 *     {@link #readable()});</li>
 * <li>rebuild a table's index and swap it in behind the table's name ({@link Reindexable}, through
 *     {@link #reindexable()});</li>
 * <li>be searched by Sluice itself ({@link Searchable}, through {@link #searchable()}).</li>
 * </ul>
 * Each accessor answers the same for the whole life of the instance, before {@link #open()} too, and costs
 * nothing: a caller looks once, where it takes the sink, and does without a capability that is absent (a sweep
 * skipped with a warning, a verify refused); it never calls and catches. A capability's methods follow the sink's
 * lifecycle and its one-thread-at-a-time rule unless their type says otherwise. A sink that wraps another
 * forwards the capabilities it can honour, serializing their calls as it does its writes, and declares none of
 * the others.
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

    /** The sweep after a snapshot, if this sink can list its documents with their versions; empty by default. */
    default Optional<Sweepable> sweepable() {
        return Optional.empty();
    }

    /** The target's generation, if this sink keeps one in its target; empty by default. */
    default Optional<Generational> generational() {
        return Optional.empty();
    }

    /** This sink read back, if its target can be; empty by default ({@link ReadableSink} answers itself). */
    default Optional<ReadableSink> readable() {
        return Optional.empty();
    }

    /** The rebuild of a table's index behind its name, if this sink's target has aliases; empty by default. */
    default Optional<Reindexable> reindexable() {
        return Optional.empty();
    }

    /** Searches of this sink's documents, if Sluice can search them itself; empty by default. */
    default Optional<Searchable> searchable() {
        return Optional.empty();
    }
}
