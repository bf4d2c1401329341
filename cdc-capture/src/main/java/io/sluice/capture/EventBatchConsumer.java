package io.sluice.capture;

import io.sluice.event.SourceEvent;
import io.sluice.event.TableId;
import java.util.List;
import java.util.Map;

/**
 * Receives a source's events from its capture worker.
 *
 * <p>Contract: batches arrive on the worker's capture thread, one at a time, in binlog order. Returning normally
 * from {@link #accept} means the consumer has taken the events; returning normally from {@link #checkpoint()}
 * means everything accepted so far is durable. The worker commits the source's offset past an event only after a
 * checkpoint that followed its batch: it calls {@link #checkpoint()} at most every {@code sink.flush.interval.ms}
 * (after each batch when that is 0), when streaming starts, before it waits for a review or a pause, and nowhere else. Throwing from either
 * fails the source without committing anything past the last checkpoint; after a restart those events are delivered
 * again. Delivery is therefore at least once and in order per key; a replay after a crash starts at or before the
 * first event not covered by a checkpoint.
 */
@FunctionalInterface
public interface EventBatchConsumer {

    /**
     * Handles a batch.
     *
     * @param batch the events, never empty, in binlog order; the list must not be kept after returning
     * @throws InterruptedException if the worker is being stopped while the consumer waits
     * @throws Exception for any failure; the source is failed and nothing of the batch is committed
     */
    void accept(List<SourceEvent> batch) throws Exception;

    /**
     * Makes every event accepted so far durable; the worker commits the source offset past them once this returns.
     * A consumer that makes events durable in {@link #accept} needs nothing here, which is the default.
     *
     * @throws InterruptedException if the worker is being stopped while the consumer waits
     * @throws Exception for any failure; the source is failed and the offset stays at the previous checkpoint
     */
    default void checkpoint() throws Exception {
    }

    /**
     * The stream has read the binlog up to {@code file:position}: every event that starts before it was delivered
     * (in this or an earlier batch). Called on the capture thread after the batch that carried a heartbeat; an idle
     * source still reports progress this way, every {@code heartbeat.interval.ms}. Does nothing by default.
     *
     * @param file the binlog file
     * @param position the byte position in it where the next event will start
     */
    default void reached(String file, long position) {
    }

    /**
     * A snapshot has been read to its end and every row of it accepted: each table it read comes with the version
     * of its rows (tables without a row included). Rows of those tables that the targets hold below that version
     * are rows the source no longer has (deleted while nothing captured it); the consumer removes them (see
     * {@code Sink.sweep}). Called once per snapshot, on the capture thread, after the batch with its last row (or
     * the first one after it) and before the checkpoint that covers it, so a crash before that checkpoint calls it
     * again after the replay. Not called for a snapshot without data ({@link SnapshotMode#NO_DATA}) nor for one cut
     * short. Throwing fails the source as {@link #accept} does. Does nothing by default.
     *
     * @param snapshots the tables the snapshot read, each with the version of its rows, in the order read
     * @throws InterruptedException if the worker is being stopped while the consumer waits
     * @throws Exception for any failure
     */
    default void snapshotCompleted(Map<TableId, Long> snapshots) throws Exception {
    }

    /**
     * The worker is about to take its source's snapshot again (see {@link RedoneSnapshot}): rows deleted before the
     * new snapshot began may stay in the targets, since no event of it or of the binlog after it deletes them.
     * Called before the engine that takes it starts, on the thread that starts it ({@link CaptureWorker#start()}'s
     * caller, or the worker's watchdog when an engine restarts inside a snapshot); it must return quickly. Does
     * nothing by default.
     *
     * @param why why the snapshot is taken again
     */
    default void snapshotRedone(RedoneSnapshot why) {
    }

    /**
     * The worker reads from another server than before ({@link ServerChange}): it resumes by GTID, and the versions of
     * its events are under {@link ServerChange#epoch()} from now on. Everything else that writes versions for the source
     * (backfills, repairs) must use that epoch: keep it as the source's {@code version.epoch}. Called before the engine
     * starts, on the thread that starts it; it must return quickly. Does nothing by default.
     */
    default void serverChanged(ServerChange change) {
    }
}
