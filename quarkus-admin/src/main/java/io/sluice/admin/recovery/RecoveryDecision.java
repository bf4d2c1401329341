package io.sluice.admin.recovery;

import io.sluice.admin.error.ConflictException;
import io.sluice.admin.source.DesiredState;
import io.sluice.admin.source.FailureFixes;
import io.sluice.admin.source.SourceState;
import io.sluice.admin.source.SourceStatus;
import io.sluice.capture.CaptureFailure;
import java.util.List;
import java.util.Optional;
import java.util.EnumSet;

/**
 * What {@code POST /api/v1/sources/{name}/recover} does with a source as it stands: start over from a new snapshot,
 * only finish an earlier recovery that did not end, or refuse with the source's state and the fix. A closed set.
 */
public sealed interface RecoveryDecision {

    /**
     * Set the stored offsets and schema history aside, snapshot again, then verify and repair every sink.
     *
     * @param failure what the source failed with, for example {@code BINLOG_PURGED}
     */
    record Resnapshot(CaptureFailure.Kind failure) implements RecoveryDecision {
        @Override
        public String cause() {
            return "failed with " + failure.name();
        }
    }

    /**
     * An earlier recovery did not end (the server stopped, or a verification failed) while the source runs again:
     * wait for it to stream, then verify and repair every sink; no new snapshot.
     *
     * @param unfinished the id of that recovery
     */
    record FinishEarlier(long unfinished) implements RecoveryDecision {
        @Override
        public String cause() {
            return "recovery " + unfinished + " did not finish";
        }
    }

    /**
     * Nothing to do, or not here: the answer names the source, its state and the fix.
     *
     * @param code the API error code
     * @param message what is wrong and what to do
     */
    record Refuse(String code, String message) implements RecoveryDecision {
        @Override
        public String cause() {
            return code;
        }

        /** The 409 to answer with. */
        public ConflictException exception() {
            return new ConflictException(code, message);
        }
    }

    /** Why the recovery runs, in a few words. */
    String cause();

    /**
     * Decides.
     *
     * @param source the source's name (it exists)
     * @param pipelines the pipelines that read the source
     * @param status the source's status now
     * @param failure why its capture failed, if its worker holds the failed state
     * @param latest the source's latest recovery, if any
     */
    static RecoveryDecision decide(String source, List<String> pipelines, SourceStatus status, Optional<CaptureFailure> failure,
            Optional<Recovery> latest) {
        String state = describe(status);
        if (latest.isPresent() && latest.get().state() == Recovery.State.RUNNING) {
            Recovery r = latest.get();
            return new Refuse("recovery_running", "Recovery " + r.id() + " of source '" + source + "' is still running (" + r.phase().label()
                    + "); follow it with `sluice sources recovery " + source + " " + r.id() + " --wait` or GET /api/v1/sources/" + source
                    + "/recoveries/" + r.id() + ".");
        }
        if (pipelines.isEmpty()) {
            return new Refuse("no_pipeline", "Source '" + source + "' is " + state + " and no pipeline reads it, so there is nothing to"
                    + " recover; create one with POST /api/v1/pipelines.");
        }
        if (failure.isPresent()) {
            CaptureFailure f = failure.get();
            if (FailureFixes.SNAPSHOT_CURES.contains(f.kind())) {
                return new Resnapshot(f.kind());
            }
            return new Refuse("not_recoverable", "Source '" + source + "' is failed with " + f.kind() + ", which a new snapshot does not"
                    + " cure: " + f.message() + " Fix: " + f.fix());
        }
        boolean runs = status.desired() == DesiredState.RUNNING
                && !EnumSet.of(SourceState.FAILED, SourceState.STOPPED, SourceState.IDLE).contains(status.state());
        if (runs && latest.isPresent() && latest.get().state() == Recovery.State.FAILED) {
            return new FinishEarlier(latest.get().id());
        }
        String fix = status.state() == SourceState.STOPPED
                ? "Start it (`sluice sources start " + source + "`); should it fail with BINLOG_PURGED, recover it then."
                : "To prove that its targets equal its tables, run `sluice verify --pipeline " + pipelines.get(0)
                        + " --table DB.TABLE --repair`.";
        return new Refuse("nothing_to_recover", "Source '" + source + "' is " + state + ": there is nothing to recover from. A recovery"
                + " is for a source failed with BINLOG_PURGED or SCHEMA_HISTORY_MISSING, or one whose last recovery did not finish. "
                + fix);
    }

    private static String describe(SourceStatus status) {
        return status.state().label() + (status.reason() == null ? "" : " (" + status.reason() + ")");
    }
}
