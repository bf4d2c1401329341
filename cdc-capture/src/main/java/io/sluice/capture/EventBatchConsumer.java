package io.sluice.capture;

import io.sluice.event.SourceEvent;
import java.util.List;

/**
 * Receives a source's events from its capture worker.
 *
 * <p>Contract: batches arrive on the worker's capture thread, one at a time, in binlog order. Returning normally
 * acknowledges the batch: from then on the worker may commit the source's offset past its last event, so the
 * consumer must have made the events durable (or decided to drop them) before it returns. Throwing fails the
 * source without committing the batch; after a restart the batch is delivered again. Delivery is therefore
 * at least once and in order per key; a replay after a crash starts at or before the first unacknowledged event.
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
     * The stream has read the binlog up to {@code file:position}: every event that starts before it was delivered
     * (in this or an earlier batch). Called on the capture thread after the batch that carried a heartbeat; an idle
     * source still reports progress this way, every {@code heartbeat.interval.ms}. Does nothing by default.
     *
     * @param file the binlog file
     * @param position the byte position in it where the next event will start
     */
    default void reached(String file, long position) {
    }
}
