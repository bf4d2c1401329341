package io.sluice.event;

import java.time.Instant;

/**
 * Something that capture read from a source, in binlog order: a row change or a schema change.
 * The set is closed; tell the two apart with {@code instanceof}.
 */
public sealed interface SourceEvent permits ChangeEvent, SchemaChangeEvent {
    /** The name of the source in Sluice. */
    String source();

    SourcePosition position();

    /** When the source committed the change (for snapshot reads: when the snapshot read it). */
    Instant commitTime();

    /** See {@link EventVersion}. */
    long version();
}
