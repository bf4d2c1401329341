package io.sluice.admin.source;

import io.sluice.capture.CaptureFailure;
import java.util.Set;

/** The fix a failed source's status shows, and which failures the one-command recovery cures. */
public final class FailureFixes {
    /** Failures that a new snapshot cures: the stored binlog position is gone, or the schema history is. */
    public static final Set<CaptureFailure.Kind> SNAPSHOT_CURES = Set.of(CaptureFailure.Kind.BINLOG_PURGED,
            CaptureFailure.Kind.SCHEMA_HISTORY_MISSING);

    private FailureFixes() {
    }

    /** The one command first where it applies, then the failure's own fix (the same by hand). */
    public static String fix(String source, CaptureFailure failure) {
        if (!SNAPSHOT_CURES.contains(failure.kind())) {
            return failure.fix();
        }
        return "Recover with one command: `sluice sources recover " + source + " --wait` (POST /api/v1/sources/" + source + "/recover)"
                + " sets the stored offsets aside, snapshots the tables again, waits until the source streams and repairs every sink,"
                + " rows deleted meanwhile included. By hand: " + failure.fix();
    }
}
