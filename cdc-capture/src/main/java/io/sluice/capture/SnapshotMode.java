package io.sluice.capture;

/** What a capture worker reads before it streams the binlog. */
public enum SnapshotMode {
    /** Snapshot the tables' rows at the first start, then stream; later starts resume from the stored offset. */
    INITIAL("initial"),
    /** Capture the tables' structure but no rows, then stream from the current binlog position. */
    NO_DATA("no_data"),
    /**
     * Like {@link #INITIAL}, and snapshot again whenever the stored offset is no longer in the binlog. This is
     * the recovery from a purged binlog; the new snapshot's versions are higher than the old ones as long as the
     * binlog did not go backwards (see {@code docs/versions.md}).
     */
    WHEN_NEEDED("when_needed");

    private final String debeziumName;

    SnapshotMode(String debeziumName) {
        this.debeziumName = debeziumName;
    }

    /** The value of Debezium's {@code snapshot.mode}. */
    public String debeziumName() {
        return debeziumName;
    }
}
