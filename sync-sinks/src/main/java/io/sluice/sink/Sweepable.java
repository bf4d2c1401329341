package io.sluice.sink;

import io.sluice.event.EventVersion;
import io.sluice.event.TableId;
import java.util.Map;

/**
 * A sink's ability to remove what completed snapshots of tables did not see, declared through
 * {@link Sink#sweepable()}.
 *
 * <p>Every row a snapshot reads carries the snapshot's version (see {@link EventVersion}), so once the last row of
 * a table's snapshot has been written, a document of the table below that version is a row the source no longer
 * holds: it was deleted while nothing captured the source (a snapshot taken again, a connector registered anew on
 * old targets). Each such document is deleted (or marked, under {@link DeleteMode#MARK}) as a delete at
 * {@code snapshotVersion - 1} would: it leaves a tombstone that older events cannot get past, and any write of the
 * snapshot still to come (another partition, a redelivery) beats it. Documents the snapshot wrote, and anything
 * newer, stay.
 *
 * <p>Called between {@link Sink#write} calls, on the writing thread, after {@link Sink#open()}.
 */
@FunctionalInterface
public interface Sweepable {

    /**
     * Removes the tables' documents that their completed snapshots did not see. Several tables come in one call so
     * that a target whose listing costs the same for one table as for all (Redis's SCAN) reads its keys once.
     * Calling it again changes nothing.
     *
     * @param snapshots the tables whose snapshot completed, each with the version of its rows (live bit clear)
     * @return for each of those tables, how many documents were removed or marked
     * @throws RetriableSinkException if the target is not reachable; calling it again later is safe
     */
    Map<TableId, Long> sweep(Map<TableId, Long> snapshots);
}
