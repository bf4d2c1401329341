package io.sluice.sink;

import io.sluice.event.ChangeEvent;
import io.sluice.event.TableId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A {@link Sink} whose target can be read back, so that verify can compare it with the source and repair can
 * re-send what differs; it declares itself through {@link #readable()}. Used between {@link Sink#open()} and
 * {@link Sink#close()}, under the same one-thread-at-a-time rule as the sink's writes.
 */
public interface ReadableSink extends Sink {

    /** How rows become documents in this sink: their ids and fields. */
    TableMapping mapping();

    /**
     * A mapped document as {@link #readBack} would return it once stored, so that verify compares like with like.
     * The default is the document's JSON; a target that stores another form (Redis hashes hold texts) overrides it.
     */
    default String stored(Map<String, Object> document) {
        return DocumentMapper.json(document);
    }

    /**
     * What the target holds for rows.
     *
     * @param rows events of one table whose rows to look up (their keys give the document ids)
     * @return for each row, in order, the stored document as JSON, or null when the target holds none (a deleted
     *     row's tombstone counts as none)
     * @throws RetriableSinkException if the target is not reachable
     */
    List<String> readBack(List<ChangeEvent> rows);

    /**
     * Lists the id of every document the target holds for a table, in batches and in no particular order.
     *
     * @throws RetriableSinkException if the target is not reachable
     */
    void scanIds(TableId table, Consumer<List<String>> batch);

    /** Itself: a readable sink can be read back. */
    @Override
    default Optional<ReadableSink> readable() {
        return Optional.of(this);
    }
}
