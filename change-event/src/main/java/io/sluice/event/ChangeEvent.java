package io.sluice.event;

import java.time.Instant;
import java.util.Objects;
import org.apache.avro.generic.GenericRecord;

/**
 * A committed change of one row: the change-event contract between capture and the sinks.
 *
 * @param table the table; never null
 * @param operation what happened; never null
 * @param key the primary key as an Avro record; null only for tables without a primary key
 * @param before the row before the change; set for {@link Operation#UPDATE} and {@link Operation#DELETE}, else null
 * @param after the row after the change; set for {@link Operation#CREATE}, {@link Operation#UPDATE} and
 *     {@link Operation#READ}, else null
 * @param position where the change sits in the source's binlog; never null
 * @param commitTime when the source committed it; never null
 * @param version the event's version, see {@link EventVersion}
 */
public record ChangeEvent(TableId table, Operation operation, GenericRecord key, GenericRecord before,
        GenericRecord after, SourcePosition position, Instant commitTime, long version) implements SourceEvent {

    public ChangeEvent {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(commitTime, "commitTime");
        switch (operation) {
            case CREATE, READ -> require(after != null && before == null, operation, "only after");
            case UPDATE -> require(after != null && before != null, operation, "before and after");
            case DELETE -> require(after == null && before != null, operation, "only before");
        }
    }

    private static void require(boolean ok, Operation operation, String what) {
        if (!ok) {
            throw new IllegalArgumentException("a " + operation + " event carries " + what);
        }
    }

    @Override
    public String source() {
        return table.source();
    }

    /** The row image that describes the row's current state: {@code after}, or {@code before} for a delete. */
    public GenericRecord row() {
        return after != null ? after : before;
    }
}
