package io.sluice.capture;

import io.sluice.event.ChangeEvent;
import io.sluice.event.SchemaChangeEvent;
import io.sluice.event.TableId;
import io.sluice.review.GateDecision;
import io.sluice.review.SchemaCandidate;
import io.sluice.review.SchemaGate;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The value schema last emitted per table, and the {@link SchemaGate}'s say about a new one: before the first event
 * of a table under a value schema not emitted for it since the engine started, the capture thread asks the gate,
 * and while it says wait the source is {@link CaptureState.Paused} at that event.
 *
 * <p>The capture thread calls every method but {@link #forget()}, which an engine restart calls.
 */
final class TableSchemas {
    /** Logs under the worker's name, which operators filter a source's capture by. */
    private static final Logger LOG = LoggerFactory.getLogger(CaptureWorker.class);

    private final String source;
    private final SchemaGate gate;
    private final WorkerState state;
    private final Map<TableId, Schema> emitted = new ConcurrentHashMap<>();
    /** The last DDL per {@code database.table}, shown with a schema proposal. */
    private final Map<String, String> lastDdl = new ConcurrentHashMap<>();

    TableSchemas(String source, SchemaGate gate, WorkerState state) {
        this.source = source;
        this.gate = gate;
        this.state = state;
    }

    /** Whether the change's value schema differs from the last one emitted for its table. */
    boolean isNew(ChangeEvent change) {
        Schema schema = change.row().getSchema();
        return emitted.get(change.table()) != schema && !schema.equals(emitted.get(change.table()));
    }

    void ddl(SchemaChangeEvent ddl) {
        lastDdl.put(ddl.database() + "." + ddl.table(), ddl.ddl());
    }

    /** An engine restart replays from the committed offset: every table's schema is asked about again. */
    void forget() {
        emitted.clear();
    }

    /**
     * Asks the gate until it lets the change's schema through, then records the schema as emitted.
     *
     * @throws CaptureStoppedException if the gate itself fails
     * @throws InterruptedException if the worker stops while the gate says wait
     */
    void await(ChangeEvent change) throws InterruptedException {
        TableId table = change.table();
        Schema schema = change.row().getSchema();
        SchemaCandidate candidate = new SchemaCandidate(table, schema, change.key() == null ? null : change.key().getSchema(),
                lastDdl.get(table.database() + "." + table.table()), change.position());
        while (true) {
            GateDecision decision;
            try {
                decision = gate.check(candidate);
            } catch (RuntimeException e) {
                throw new CaptureStoppedException(new CaptureFailure(CaptureFailure.Kind.SCHEMA_GATE, "The schema gate failed for "
                        + table + ": " + e.getMessage(), "Fix the schema registry or review store, then start the source again."));
            }
            if (decision instanceof GateDecision.Wait w) {
                state.set(new CaptureState.Paused(w.reason()));
                try {
                    CompletableFuture.anyOf(w.reconsider().toCompletableFuture(), state.stopSignal()).get();
                } catch (ExecutionException e) {
                    // a failed reconsider future just means: ask again
                }
                if (state.stopping()) {
                    throw new InterruptedException("capture of " + source + " stopped while paused at " + change.position());
                }
            } else {
                emitted.put(table, schema);
                if (state.current() instanceof CaptureState.Paused) {
                    LOG.info("source={} table={} schema gate lets capture resume", source, table);
                    state.set(change.position().snapshot() ? new CaptureState.Snapshotting() : new CaptureState.Streaming());
                }
                return;
            }
        }
    }
}
