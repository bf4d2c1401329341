package io.sluice.backfill;

import io.sluice.event.ChangeEvent;
import io.sluice.event.SourceEvent;
import io.sluice.event.TableId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The open {@link ChunkWindow}s of one source: backfills open them, the source's capture stream feeds them. Call
 * {@link #observe} with every batch the stream delivers and {@link #reached} with every heartbeat position, on the
 * capture thread; windows leave the set once closed. With no window open both cost little: they only note how far
 * the stream has read, so that a chunk read behind that point closes its window at once.
 *
 * <p>Thread-safe.
 */
public final class ChunkWindows {
    private final List<ChunkWindow> open = new CopyOnWriteArrayList<>();
    /** How far the stream has read: every event that starts before this point was delivered. Null until known. */
    private volatile BinlogPoint streamReached;

    /** Opens a window on a table, before its chunk is read. */
    public ChunkWindow open(TableId table, List<String> keyColumns) {
        ChunkWindow w = new ChunkWindow(table, keyColumns);
        open.add(w);
        return w;
    }

    /**
     * Hands a window its chunk and the binlog point noted after reading it. If the stream has already read past
     * that point (an idle source whose last heartbeat came after the last write), the window closes at once:
     * every event before the point was delivered, and those delivered since the window opened were observed.
     */
    public void chunkRead(ChunkWindow window, List<Map<String, Object>> rows, BinlogPoint high) {
        window.chunkRead(rows, high);
        BinlogPoint reached = streamReached;
        if (reached != null && window.reached(reached)) {
            open.remove(window);
        }
    }

    /** Forgets a window that will not be handed a chunk (the table's end, a cancelled backfill). */
    public void discard(ChunkWindow window) {
        open.remove(window);
    }

    /** Sees a batch of the stream, in stream order. */
    public void observe(List<SourceEvent> batch) {
        advance(BinlogPoint.of(batch.get(batch.size() - 1).position()));
        if (open.isEmpty()) {
            return;
        }
        for (SourceEvent e : batch) {
            if (e instanceof ChangeEvent c) {
                for (ChunkWindow w : open) {
                    w.observe(c);
                }
            }
        }
        open.removeIf(ChunkWindow::closed);
    }

    /** The stream has read the binlog up to this point (a heartbeat). */
    public void reached(String file, long position) {
        BinlogPoint point = new BinlogPoint(file, position);
        advance(point);
        if (open.isEmpty()) {
            return;
        }
        for (ChunkWindow w : open) {
            w.reached(point);
        }
        open.removeIf(ChunkWindow::closed);
    }

    /** Only forward: a restarted worker re-delivers older events, which say nothing new about how far it read. */
    private synchronized void advance(BinlogPoint point) {
        BinlogPoint current = streamReached;
        if (current == null || point.compareTo(current) > 0) {
            streamReached = point;
        }
    }

    /** How many windows are open. */
    public int size() {
        return open.size();
    }
}
