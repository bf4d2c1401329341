package io.sluice.admin.runtime.embedded;

import io.sluice.admin.sink.SharedSinks;
import io.sluice.backfill.BackfillRun;
import io.sluice.event.TableId;
import io.sluice.sink.Reindexable;
import io.sluice.sink.SinkRunner;
import java.time.Clock;
import org.apache.avro.Schema;

/**
 * One reindex of a backfill: for each table, a new index is created beside the one behind the table's alias,
 * the backfill's rows go there (live changes go to both, see {@link Reindexable#startReindex}), and once the
 * table is done the alias swaps to it atomically. Every call on the sink is serialized with its live writes.
 *
 * <p>Not thread-safe: used by the backfill's job alone.
 */
final class Reindexing {
    private final SharedSinks sinks;
    private final String sinkName;
    private final Clock clock;
    private final Reindexable sink;
    /** The table whose new index is being filled; null between tables. */
    private TableId current;

    Reindexing(SharedSinks sinks, String sinkName, Clock clock) {
        this.sinks = sinks;
        this.sinkName = sinkName;
        this.clock = clock;
        this.sink = sinks.locked(sinkName, s -> s.reindexable().orElseThrow());
    }

    /** Where the backfill writes: the new index only, through a runner of its own. */
    BackfillRun.Target target() {
        SinkRunner runner = sinks.runner(sinkName, (s, rows) -> sink.writeReindex(rows));
        return rows -> {
            runner.write(rows);
            runner.flush();
        };
    }

    /** Creates the table's new index and sends live changes there too. @return the new index's name */
    String begin(TableId table, Schema valueSchema) {
        String next = sinks.locked(sinkName, s -> sink.startReindex(table, valueSchema, clock.millis()));
        current = table;
        return next;
    }

    /** Swaps the table's alias to its new index. @return the alias */
    String swap() {
        sinks.locked(sinkName, s -> {
            sink.finishReindex(current);
            return null;
        });
        String alias = sink.indexOf(current);
        current = null;
        return alias;
    }

    /** Whether a table's new index exists and is not swapped in yet. */
    boolean inProgress() {
        return current != null;
    }

    /** Drops the new index of the table in progress; the alias stays where it was. */
    void abort() {
        TableId table = current;
        sinks.locked(sinkName, s -> {
            sink.abortReindex(table);
            return null;
        });
        current = null;
    }

    /** Drops an index a reindex cut short left behind. */
    void drop(String index) {
        sinks.locked(sinkName, s -> {
            sink.deleteIndex(index);
            return null;
        });
    }
}
