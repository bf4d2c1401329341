package io.sluice.event;

/** What happened to a row. */
public enum Operation {
    /** A row was inserted. Only {@code after} is set. */
    CREATE,
    /** A row was changed. {@code before} and {@code after} are set. */
    UPDATE,
    /** A row was deleted. Only {@code before} is set. */
    DELETE,
    /** A row was read by a snapshot or backfill. Only {@code after} is set. */
    READ
}
