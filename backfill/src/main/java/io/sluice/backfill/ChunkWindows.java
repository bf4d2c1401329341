package io.sluice.backfill;

import io.sluice.event.ChangeEvent;
import io.sluice.event.SourceEvent;
import io.sluice.event.TableId;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The open {@link ChunkWindow}s of one source: backfills open them, the source's capture stream feeds them. Call
 * {@link #observe} with every batch the stream delivers and {@link #reached} with every heartbeat position, on the
 * capture thread; windows leave the set once closed. With no window open both cost one volatile read.
 *
 * <p>Thread-safe.
 */
public final class ChunkWindows {
    private final List<ChunkWindow> open = new CopyOnWriteArrayList<>();

    /** Opens a window on a table, before its chunk is read. */
    public ChunkWindow open(TableId table, List<String> keyColumns) {
        ChunkWindow w = new ChunkWindow(table, keyColumns);
        open.add(w);
        return w;
    }

    /** Forgets a window that will not be handed a chunk (the table's end, a cancelled backfill). */
    public void discard(ChunkWindow window) {
        open.remove(window);
    }

    /** Sees a batch of the stream, in stream order. */
    public void observe(List<SourceEvent> batch) {
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
        if (open.isEmpty()) {
            return;
        }
        BinlogPoint point = new BinlogPoint(file, position);
        for (ChunkWindow w : open) {
            w.reached(point);
        }
        open.removeIf(ChunkWindow::closed);
    }

    /** How many windows are open. */
    public int size() {
        return open.size();
    }
}
