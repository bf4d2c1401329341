package io.sluice.sink;

/**
 * What a sink did with a table's new value schema.
 *
 * @param applied true when the target is ready for it (mapping created or extended, or nothing needed)
 * @param detail what was done, or why a reindex is needed
 */
public record SchemaOutcome(boolean applied, String detail) {
    public static SchemaOutcome applied(String detail) {
        return new SchemaOutcome(true, detail);
    }

    /** The change cannot be applied in place: the index must be rebuilt (backfill into a new index, alias swap). */
    public static SchemaOutcome needsReindex(String detail) {
        return new SchemaOutcome(false, detail);
    }
}
