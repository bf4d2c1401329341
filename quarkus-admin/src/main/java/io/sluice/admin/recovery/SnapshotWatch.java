package io.sluice.admin.recovery;

import io.sluice.admin.source.DesiredState;
import io.sluice.admin.source.SourceState;
import io.sluice.admin.source.SourceStatus;

/**
 * How a recovery reads its source's status while it waits for the new snapshot to end: a source that streams has
 * finished its snapshot (Debezium streams only after it), a failed one ends the recovery, anything else is waited
 * for. A closed set.
 */
sealed interface SnapshotWatch {

    /** The source streams: the snapshot is done. */
    record Streaming() implements SnapshotWatch {
    }

    /**
     * The recovery cannot go on.
     *
     * @param reason why, with the source's own reason and fix
     */
    record Failed(String reason) implements SnapshotWatch {
    }

    /**
     * Not there yet.
     *
     * @param progress what the source does, in words
     * @param stopped whether it stands stopped although it should run (a restart in between, or an engine that ended):
     *     waited for a while only
     */
    record Waiting(String progress, boolean stopped) implements SnapshotWatch {
    }

    /** Reads one status of the source. */
    static SnapshotWatch of(SourceStatus s) {
        String why = s.reason() == null ? "" : ": " + s.reason();
        return switch (s.state()) {
            case STREAMING -> new Streaming();
            case FAILED -> new Failed("source '" + s.source() + "' failed during its new snapshot" + why + (s.fix() == null ? ""
                    : " Fix: " + s.fix()));
            case IDLE -> new Failed("no pipeline reads source '" + s.source() + "' any more");
            case SNAPSHOTTING -> new Waiting(s.eventsTotal() + " events captured so far", false);
            case STOPPED -> s.desired() == DesiredState.STOPPED
                    ? new Failed("source '" + s.source() + "' was stopped during the recovery; start it and run the recovery again")
                    : new Waiting(SourceState.STOPPED.label() + why, true);
            case STARTING, PAUSED, HELD -> new Waiting(s.state().label() + why, false);
        };
    }
}
