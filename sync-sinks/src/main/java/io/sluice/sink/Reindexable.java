package io.sluice.sink;

import io.sluice.event.ChangeEvent;
import io.sluice.event.TableId;
import java.util.List;
import org.apache.avro.Schema;

/**
 * A search sink's ability to rebuild a table's index behind the table's name, declared through
 * {@link Sink#reindexable()}: a new index is created and filled (a backfill) while the table's live changes go to
 * both indexes, then swapped in, so that searches by the table's name never fail and never see half of each.
 *
 * <p>Per table: {@link #startReindex} once, {@link #writeReindex} any number of times, then {@link #finishReindex}
 * or {@link #abortReindex}. Every call is serialized with the sink's writes (the sink's one-thread-at-a-time rule),
 * after {@link Sink#open()}.
 */
public interface Reindexable {

    /** The index (or alias) name a table's documents are found under. */
    String indexOf(TableId table);

    /**
     * Starts a reindex of a table: creates a new index with the mapping of the table's schema, and from now on the
     * sink writes every change of the table to it as well.
     *
     * @param stamp makes the new index's name unique (the clock's millis)
     * @return the new index's name
     * @throws IllegalStateException if the table is being reindexed already
     */
    String startReindex(TableId table, Schema valueSchema, long stamp);

    /**
     * Writes rows of tables being reindexed to their new index only.
     *
     * @return the rows the target refused for good
     * @throws IllegalStateException if a row's table is not being reindexed
     */
    WriteResult writeReindex(List<ChangeEvent> rows);

    /**
     * Swaps the new index in behind the table's name in one atomic step; the indexes it named so far are deleted a
     * little later, when searches that started on them are over.
     *
     * @throws IllegalStateException if the table is not being reindexed
     */
    void finishReindex(TableId table);

    /** Stops a reindex and deletes its new index; the table's current index stays as it is. */
    void abortReindex(TableId table);

    /** Deletes an index by name (a new index a stopped server left behind); a missing one is fine. */
    void deleteIndex(String index);
}
