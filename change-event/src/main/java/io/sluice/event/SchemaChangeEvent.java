package io.sluice.event;

import java.time.Instant;
import java.util.Objects;

/**
 * A DDL statement that capture read from the binlog, in order with the row changes around it.
 *
 * @param source the source's name in Sluice
 * @param database the database the statement ran in; may be empty for server-level statements
 * @param table the table it changed, or null when it changed none or several
 * @param ddl the statement as the source logged it
 * @param position where it sits in the binlog
 * @param commitTime when the source logged it
 * @param version its version, see {@link EventVersion}
 */
public record SchemaChangeEvent(String source, String database, String table, String ddl, SourcePosition position,
        Instant commitTime, long version) implements SourceEvent {
    public SchemaChangeEvent {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(ddl, "ddl");
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(commitTime, "commitTime");
    }
}
