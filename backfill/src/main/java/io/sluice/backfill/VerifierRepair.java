package io.sluice.backfill;

import io.sluice.event.ChangeEvent;
import io.sluice.event.Operation;
import io.sluice.event.SourcePosition;
import io.sluice.event.TableId;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;

/**
 * The repair step of a verification: re-reads the differing keys inside DBLog windows on the source's stream and
 * writes what the table holds with each window's snapshot version (rows that exist are written, rows that do not are
 * deleted), so that a live change made meanwhile still wins; keys the stream changes inside a window are left to it.
 *
 * <p>Not thread-safe: used by one verification on its thread.
 */
final class VerifierRepair {
    /** How often a window waiting for the stream looks at the cancel flag. */
    private static final Duration POLL = Duration.ofMillis(200);

    /** Checked between batches and while a window waits: throws when the verification was cancelled. */
    interface Cancellation {
        void check() throws InterruptedException;
    }

    private final TableId table;
    private final TableKeys keys;
    private final ChunkWindows windows;
    private final BackfillRun.Target target;
    private final int batch;
    private final int epoch;
    private final Clock clock;
    private final Cancellation cancellation;

    VerifierRepair(TableId table, TableKeys keys, ChunkWindows windows, BackfillRun.Target target, int batch, int epoch, Clock clock,
            Cancellation cancellation) {
        this.table = table;
        this.keys = keys;
        this.windows = windows;
        this.target = target;
        this.batch = Math.max(1, batch);
        this.epoch = epoch;
        this.clock = clock;
        this.cancellation = cancellation;
    }

    /** @return how many keys were written or deleted */
    long repair(Connection connection, List<List<Object>> confirmed, BackfillRun.Schemas schemas) throws SQLException, InterruptedException {
        long done = 0;
        for (List<List<Object>> part : TableKeys.batches(confirmed, batch)) {
            cancellation.check();
            ChunkWindow window = windows.open(table, keys.columns());
            try {
                Map<List<Object>, Map<String, Object>> now = keys.rowsByKey(connection, part);
                List<Map<String, Object>> read = new ArrayList<>();
                for (List<Object> k : part) {
                    Map<String, Object> row = now.get(TableKeys.normalize(k));
                    // A key the table lacks is read as its key alone: the window drops it if the stream touched it.
                    read.add(row != null ? row : keys.keyRow(k));
                }
                windows.chunkRead(window, read, BinlogPoint.current(connection));
                while (!window.awaitClosed(POLL)) {
                    cancellation.check(); // the stream passes the high point with its next event or heartbeat (a paused source: never)
                }
                List<ChangeEvent> writes = writes(part, now, window, schemas);
                if (!writes.isEmpty()) {
                    target.write(writes);
                    done += writes.size();
                }
            } finally {
                windows.discard(window);
            }
        }
        return done;
    }

    /** What a closed window lets through, with its snapshot version. */
    private List<ChangeEvent> writes(List<List<Object>> part, Map<List<Object>, Map<String, Object>> now, ChunkWindow window,
            BackfillRun.Schemas schemas) {
        Set<List<String>> kept = new HashSet<>();
        for (Map<String, Object> r : window.survivors()) {
            kept.add(TableKeys.text(keys.of(r)));
        }
        BinlogPoint high = window.high();
        SourcePosition position = new SourcePosition(high.file(), high.position(), 0, null, 0, true);
        long version = window.version(epoch);
        Instant at = clock.instant();
        List<ChangeEvent> writes = new ArrayList<>();
        for (List<Object> k : part) {
            if (!kept.contains(TableKeys.text(k))) {
                continue;
            }
            Map<String, Object> row = now.get(TableKeys.normalize(k));
            if (row != null) {
                GenericRecord value = RowConverter.value(table, row, schemas.value());
                writes.add(new ChangeEvent(table, Operation.READ, RowConverter.key(value, schemas.key()), null, value, position, at, version));
            } else {
                writes.add(keys.deleteEvent(k, schemas, position, at, version));
            }
        }
        return writes;
    }
}
