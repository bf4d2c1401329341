package io.sluice.capture;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.sluice.event.ChangeEvent;
import io.sluice.event.SchemaChangeEvent;
import io.sluice.event.SourceEvent;
import io.sluice.event.TableId;
import io.sluice.event.VersionOverflowException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles each batch the engine hands over, on the capture thread: maps its records to {@link SourceEvent}s, holds
 * them at a pause or a new schema, hands them to the consumer, checkpoints, and moves the worker's state between
 * snapshotting and streaming. A batch that fails fails the source and ends the engine with a
 * {@link CaptureStoppedException}.
 *
 * <p>{@link #handleBatch} runs on the capture thread only, one batch at a time; {@link #handling()} from any thread.
 */
final class BatchHandler implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {
    /** Logs under the worker's name, which operators filter a source's capture by. */
    private static final Logger LOG = LoggerFactory.getLogger(CaptureWorker.class);
    private final SourceConfig config;
    private final EventBatchConsumer consumer;
    private final Clock clock;
    /** Replaced when the server changed ({@link #serverIs}); read by the engine's thread. */
    private volatile DebeziumRecords mapper;
    /** The highest version of the current engine's binlog events, -1 before the first. */
    private long lastLive;
    /** Events up to this version are known to come again from the same server (a reconnect's replay). */
    private long sameServerUpTo;
    private final PositionGuard guard;
    private final Checkpoints checkpoints;
    private final WorkerState state;
    private final PauseGate pause;
    private final TableSchemas schemas;
    /**
     * True while a batch is handled: the engine then waits for the worker (a slow consumer, a sink that is down
     * holding a checkpoint for as long as the outage lasts, a pause), which is not a stalled engine.
     */
    private volatile boolean handling;
    /** Whether the last change delivered since the state was last updated was a snapshot read; null if none. */
    private Boolean readingSnapshot;
    /**
     * The tables of the snapshot under way, with the version of its rows, for {@link EventBatchConsumer#snapshotCompleted}
     * when it ends: each captured table whose structure it read (its DDL events, so tables without a row count), and
     * each table whose last row it read. A new engine starts the snapshot over.
     */
    private final Map<TableId, Long> snapshotTables = new LinkedHashMap<>();

    /**
     * @param guard its epoch is the events' epoch, which may be above the configured one after a change of server
     */
    BatchHandler(SourceConfig config, EventBatchConsumer consumer, Clock clock, PositionGuard guard, WorkerState state,
            PauseGate pause, TableSchemas schemas) {
        this.config = config;
        this.consumer = consumer;
        this.clock = clock;
        this.mapper = new DebeziumRecords(config.name(), EngineSettings.topicPrefix(config), guard.epoch());
        this.guard = guard;
        this.checkpoints = new Checkpoints(consumer, guard, clock);
        this.state = state;
        this.pause = pause;
        this.schemas = schemas;
    }

    boolean handling() {
        return handling;
    }

    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> records,
            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) throws InterruptedException {
        List<SourceEvent> pending = new ArrayList<>(records.size());
        boolean snapshotEnded = false;
        int firstUntaken = 0;
        boolean heartbeatSeen = false;
        Map<String, ?> reachedOffset = null;
        if (checkpoints.newEngine(committer)) {
            snapshotTables.clear();
            lastLive = -1;
            sameServerUpTo = -1;
        }
        handling = true;
        try {
            if (pause.requested()) {
                checkpoints.checkpoint(committer); // a pause may last: what was taken before it is made durable and committed first
            }
            pause.await();
            for (int i = 0; i < records.size(); i++) {
                SourceRecord record = records.get(i).record();
                DebeziumRecords.Kind kind = mapper.kind(record);
                switch (kind) {
                    case HEARTBEAT -> { // applied after the events before it are delivered
                        heartbeatSeen = true;
                        reachedOffset = record.sourceOffset();
                    }
                    case OTHER -> {
                    }
                    case DATA, SCHEMA_CHANGE -> {
                        SourceEvent event = mapper.map(record, kind);
                        CaptureFailure regressed = guard.check(config.name(), event.version(), event.position().binlogFile());
                        boolean backwards = !event.position().snapshot() && event.version() < lastLive && lastLive > sameServerUpTo;
                        if (regressed != null || backwards) {
                            if (serverMoved()) {
                                event = mapper.map(record, kind); // under the new epoch
                            } else if (regressed != null) {
                                throw new CaptureStoppedException(regressed);
                            } else {
                                // The client reconnected to the same server by itself and sends again what it had sent
                                // (a transaction read in part): the same versions again, which the sinks take as they are.
                                sameServerUpTo = lastLive;
                            }
                        }
                        if (!event.position().snapshot()) {
                            lastLive = Math.max(lastLive, event.version());
                        }
                        if (event instanceof ChangeEvent change && schemas.isNew(change)) {
                            deliver(pending);
                            checkpoints.taken(records, firstUntaken, i);
                            firstUntaken = i;
                            pending.clear();
                            checkpoints.checkpoint(committer); // the gate may wait for a person
                            applyReadingState();
                            schemas.await(change);
                        } else if (event instanceof SchemaChangeEvent ddl && ddl.table() != null) {
                            schemas.ddl(ddl);
                            TableId table = new TableId(config.name(), ddl.database(), ddl.table());
                            if (ddl.position().snapshot() && config.snapshotMode() != SnapshotMode.NO_DATA && config.captures(table)) {
                                snapshotTables.put(table, ddl.version());
                            }
                        }
                        pending.add(event);
                        if (event instanceof ChangeEvent change && DebeziumRecords.endsTableSnapshot(record)) {
                            snapshotTables.put(change.table(), change.version());
                            snapshotEnded |= DebeziumRecords.endsSnapshot(record);
                        }
                    }
                }
            }
            deliver(pending);
            if (heartbeatSeen && reachedOffset != null && reachedOffset.get("file") instanceof String file
                    && reachedOffset.get("pos") instanceof Number pos) {
                consumer.reached(file, pos.longValue());
            }
            checkpoints.taken(records, firstUntaken, records.size());
            // Entering streaming checkpoints at once, before anyone can see the state: a worker stopped right after
            // would otherwise keep an offset inside the snapshot, and start the snapshot again.
            CaptureState now = state.current();
            boolean entersStreaming = (now instanceof CaptureState.Starting || now instanceof CaptureState.Snapshotting)
                    && (heartbeatSeen || Boolean.FALSE.equals(readingSnapshot));
            if ((entersStreaming || snapshotEnded) && !snapshotTables.isEmpty()) {
                consumer.snapshotCompleted(Collections.unmodifiableMap(new LinkedHashMap<>(snapshotTables)));
                snapshotTables.clear();
            }
            if (entersStreaming || checkpoints.due(config.sinkFlushIntervalMs())) {
                checkpoints.checkpoint(committer);
            }
            applyReadingState();
            if (heartbeatSeen) {
                state.heartbeat(); // after the snapshot rows of the same batch, so that the state does not flip back
            }
        } catch (CaptureStoppedException e) {
            state.fail(e.failure);
            throw e;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            CaptureFailure failure = Failures.classify(config, e, null);
            state.fail(failure);
            throw new CaptureStoppedException(failure);
        } finally {
            handling = false;
            state.active(); // however long the batch took, the engine was waiting for us
        }
    }

    /**
     * Whether the binlog went backwards because the engine's client reconnected to another server behind the same
     * address (a failover while capture ran): it resumed there by GTID, and capture goes on under the next epoch.
     */
    private boolean serverMoved() {
        try {
            return serverIs(BinlogProbe.serverIdentity(config));
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Records the server capture reads from. Another one than before moves the events to the next epoch (from the next
     * event on), and the consumer hears of it. Called before an engine starts, or on the capture thread.
     *
     * @return whether the server changed
     * @throws CaptureStoppedException when no epoch is left, or the version guard cannot be written
     */
    boolean serverIs(String server) {
        Optional<ServerChange> change;
        try {
            change = guard.serverIs(config.type(), server);
        } catch (VersionOverflowException e) {
            throw new CaptureStoppedException(new CaptureFailure(CaptureFailure.Kind.VERSION_OVERFLOW, "Source '" + config.name() + "': "
                    + e.getMessage(), "Reindex every target of the source under a new epoch 0: delete its targets' documents, remove"
                    + " its offsets and version guard, set version.epoch=0 and start it with a new snapshot (see docs/versions.md)."));
        } catch (UncheckedIOException e) {
            throw new CaptureStoppedException(new CaptureFailure(CaptureFailure.Kind.CONFIGURATION, e.getMessage(),
                    "Check the data directory's permissions."));
        }
        change.ifPresent(c -> {
            LOG.warn("source={} reads from {} now (before: {}): resuming by GTID, versions move to epoch {}", config.name(), c.to(), c.from(),
                    c.epoch());
            mapper = new DebeziumRecords(config.name(), EngineSettings.topicPrefix(config), c.epoch());
            lastLive = -1;
            sameServerUpTo = -1;
            consumer.serverChanged(c);
        });
        return change.isPresent();
    }

    private void deliver(List<SourceEvent> events) throws Exception {
        if (events.isEmpty()) {
            return;
        }
        consumer.accept(List.copyOf(events));
        SourceEvent last = events.get(events.size() - 1);
        checkpoints.tookVersion(last.version());
        state.delivered(last, events.size());
        for (int i = events.size() - 1; i >= 0; i--) {
            if (events.get(i) instanceof ChangeEvent change) {
                readingSnapshot = change.position().snapshot();
                break;
            }
        }
    }

    /**
     * Snapshot reads mean snapshotting, binlog changes mean streaming; DDL events say nothing about the phase.
     * Applied after the checkpoint that follows them.
     */
    private void applyReadingState() {
        Boolean snapshot = readingSnapshot;
        readingSnapshot = null;
        CaptureState now = state.current();
        boolean reading = now instanceof CaptureState.Starting || now instanceof CaptureState.Snapshotting
                || now instanceof CaptureState.Streaming;
        if (snapshot != null && reading) {
            state.set(snapshot ? new CaptureState.Snapshotting() : new CaptureState.Streaming());
        }
    }
}
