package io.sluice.capture;

/**
 * Why a worker takes a snapshot although its source was captured before, so that the targets may hold rows that
 * this snapshot neither overwrites nor deletes: rows deleted in the source before the snapshot began, which no
 * binlog event it reads will delete. Only a comparison of each target with the table (verify with repair) finds
 * them. A closed set.
 */
public enum RedoneSnapshot {
    /**
     * The earlier snapshot did not complete (the server or the worker stopped during it): what it wrote is in the
     * targets, and Debezium starts the snapshot again from its beginning. Also when the stored offset is gone while
     * the schema history is kept (a stop before the first checkpoint, or the file deleted by hand).
     */
    INTERRUPTED("its earlier snapshot did not complete, or its stored offset is gone"),
    /**
     * The stored binlog position was purged and {@code snapshot.mode=when_needed} started over from a new snapshot:
     * the changes in the purged files are lost.
     */
    BINLOG_PURGED("its stored binlog position was purged (snapshot.mode=when_needed)");

    private final String description;

    RedoneSnapshot(String description) {
        this.description = description;
    }

    /** In a few words, for a timeline or a log line. */
    public String description() {
        return description;
    }
}
