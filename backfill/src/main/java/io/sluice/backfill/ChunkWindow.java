package io.sluice.backfill;

import io.sluice.event.ChangeEvent;
import io.sluice.event.EventVersion;
import io.sluice.event.TableId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericRecord;

/**
 * The DBLog decision for one chunk, without watermark writes into the source.
 *
 * <ol>
 * <li>Open the window: from now on it collects the keys of the table that the capture stream changes.</li>
 * <li>Read the chunk ({@link ChunkReader}), then note the binlog's end ({@link BinlogPoint#current}) and hand
 *     both over ({@link #chunkRead}).</li>
 * <li>The window closes when the stream reaches that point. Rows whose key changed while it was open are
 *     dropped in favour of those log events, which the stream delivers anyway; the others are current, and are
 *     written with the version of the high point (snapshot bit), so that any later live change still wins.</li>
 * </ol>
 * Keys that changed just before the window opened may be dropped too: the stream carries their state, so that
 * costs a re-read, never correctness. Keys are compared by their values' text (numbers and strings as the JDBC
 * driver and the Avro mapping give them); temporal and binary keys are not normalized yet.
 *
 * <p>Thread-safe: the capture thread observes, the backfill thread hands the chunk over.
 */
public final class ChunkWindow {
    private final TableId table;
    private final List<String> keyColumns;
    private final Set<List<String>> changed = new HashSet<>();
    private List<Map<String, Object>> rows;
    private BinlogPoint high;
    private boolean closed;
    private final CountDownLatch closing = new CountDownLatch(1);

    /**
     * Opens a window on a table: call before reading the chunk.
     *
     * @param keyColumns the table's primary key columns, in key order ({@link ChunkReader#keyColumns()})
     */
    public ChunkWindow(TableId table, List<String> keyColumns) {
        this.table = Objects.requireNonNull(table, "table");
        this.keyColumns = List.copyOf(keyColumns);
    }

    /**
     * Hands over the chunk and the binlog point noted right after reading it.
     *
     * @throws IllegalStateException if called twice
     */
    public synchronized void chunkRead(List<Map<String, Object>> chunkRows, BinlogPoint highPoint) {
        if (high != null) {
            throw new IllegalStateException("the chunk of this window was handed over already");
        }
        this.rows = List.copyOf(chunkRows);
        this.high = Objects.requireNonNull(highPoint, "highPoint");
    }

    /**
     * Sees the next event of the stream, in stream order.
     *
     * @return true once the stream has reached the high point: {@link #survivors()} is final
     */
    public synchronized boolean observe(ChangeEvent event) {
        if (closed) {
            return true;
        }
        if (reached(BinlogPoint.of(event.position()))) {
            return true;
        }
        if (event.table().equals(table) && event.key() != null) {
            changed.add(key(event.key()));
        }
        return false;
    }

    /** Closes the window on a point the stream reached without a change of this table (a heartbeat, another table). */
    public synchronized boolean reached(BinlogPoint point) {
        if (!closed && high != null && point.compareTo(high) >= 0) {
            closed = true;
            closing.countDown();
        }
        return closed;
    }

    public synchronized boolean closed() {
        return closed;
    }

    /**
     * Waits for the stream to close the window.
     *
     * @return true if it closed within the timeout
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitClosed(Duration timeout) throws InterruptedException {
        return closing.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The chunk's rows whose key did not change while the window was open, in chunk order. */
    public synchronized List<Map<String, Object>> survivors() {
        if (!closed) {
            throw new IllegalStateException("the window is still open: the stream has not reached " + (high == null ? "the high point (the"
                    + " chunk was not handed over yet)" : high));
        }
        List<Map<String, Object>> out = new ArrayList<>(rows.size());
        for (Map<String, Object> row : rows) {
            if (!changed.contains(key(row))) {
                out.add(row);
            }
        }
        return out;
    }

    /**
     * The version the surviving rows are written with: the high point's, as a snapshot read, which every live
     * event at or after that point outranks.
     *
     * @param epoch the source's version epoch
     */
    public synchronized long version(int epoch) {
        if (high == null) {
            throw new IllegalStateException("the chunk was not handed over yet");
        }
        return EventVersion.of(epoch, EventVersion.fileNumber(high.file()), high.position(), 0, false);
    }

    /** The high point, or null before the chunk was handed over. */
    public synchronized BinlogPoint high() {
        return high;
    }

    private List<String> key(GenericRecord key) {
        List<String> out = new ArrayList<>(keyColumns.size());
        for (String column : keyColumns) {
            out.add(String.valueOf(key.get(column)));
        }
        return out;
    }

    private List<String> key(Map<String, Object> row) {
        List<String> out = new ArrayList<>(keyColumns.size());
        for (String column : keyColumns) {
            out.add(String.valueOf(row.get(column)));
        }
        return out;
    }
}
