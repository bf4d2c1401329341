package io.sluice.capture;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Which offsets the engine may commit: only past records the consumer made durable in a
 * {@link EventBatchConsumer#checkpoint() checkpoint}. Keeps the last record per source partition handed to the
 * consumer since the last checkpoint and marks it processed once the checkpoint returned. Offsets are cumulative, so
 * marking the last record covers the ones before it; marking nothing else keeps the engine, which also commits when
 * it stops, from ever storing an offset past what the consumer made durable.
 *
 * <p>Capture thread only.
 */
final class Checkpoints {
    private final EventBatchConsumer consumer;
    private final PositionGuard guard;
    private final Clock clock;
    private final Map<Map<String, ?>, RecordChangeEvent<SourceRecord>> uncheckpointed = new LinkedHashMap<>();
    private long lastCheckpointMillis;
    /** The version of the last event handed to the consumer. */
    private long takenVersion = Long.MIN_VALUE;
    /** The committer of the engine that delivered the last batch. */
    private DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> currentCommitter;

    Checkpoints(EventBatchConsumer consumer, PositionGuard guard, Clock clock) {
        this.consumer = consumer;
        this.guard = guard;
        this.clock = clock;
    }

    /**
     * Whether a batch comes from another engine than the last one. A new engine starts from the committed offset,
     * so what a replaced engine left uncheckpointed is delivered again, and is forgotten here.
     */
    boolean newEngine(DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) {
        if (committer == currentCommitter) {
            return false;
        }
        uncheckpointed.clear();
        currentCommitter = committer;
        return true;
    }

    /** Records that records {@code [from, to)} were handed to the consumer; only the last one per partition is kept. */
    void taken(List<RecordChangeEvent<SourceRecord>> records, int from, int to) {
        for (int i = from; i < to; i++) {
            uncheckpointed.put(records.get(i).record().sourcePartition(), records.get(i));
        }
    }

    /** Records the version of the last event handed to the consumer. */
    void tookVersion(long version) {
        takenVersion = version;
    }

    /** Whether {@code intervalMs} have passed since the last checkpoint. */
    boolean due(long intervalMs) {
        return clock.millis() - lastCheckpointMillis >= intervalMs;
    }

    /**
     * Asks the consumer to make everything taken durable, then marks the last taken record of each partition
     * processed and lets the engine commit (every {@code offset.flush.interval.ms}).
     *
     * @throws Exception whatever the consumer's checkpoint throws; nothing is marked then
     */
    void checkpoint(DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) throws Exception {
        lastCheckpointMillis = clock.millis();
        if (uncheckpointed.isEmpty()) {
            return;
        }
        consumer.checkpoint();
        // After the checkpoint, not on delivery: a crash replays from the committed offset, and an event replayed
        // from the binlog file before a rotation must not look like the binlog going backwards.
        if (takenVersion != Long.MIN_VALUE) {
            guard.acknowledged(takenVersion);
        }
        for (RecordChangeEvent<SourceRecord> last : uncheckpointed.values()) {
            committer.markProcessed(last);
        }
        uncheckpointed.clear();
        committer.markBatchFinished();
    }
}
