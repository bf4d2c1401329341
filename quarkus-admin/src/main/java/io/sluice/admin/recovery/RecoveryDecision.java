package io.sluice.admin.recovery;

import io.sluice.admin.error.ConflictException;
import io.sluice.admin.pipeline.SourceStatus;
import io.sluice.capture.CaptureFailure;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code POST /api/v1/sources/{name}/recover} does with a source as it stands: start over from a new snapshot,
 * only finish an earlier recovery that did not end, or refuse with the source's state and the fix. A closed set.
 */
public sealed interface RecoveryDecision {

    /** Failures that a new snapshot cures: the stored binlog position is gone, or the schema history is. */
    Set<CaptureFailure.Kind> SNAPSHOT_CURES = Set.of(CaptureFailure.Kind.BINLOG_PURGED, CaptureFailure.Kind.SCHEMA_HISTORY_MISSING);

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
     * @param connectRuntime whether pipelines run on Kafka Connect ({@code sluice.runtime=connect})
     * @param pipelines the pipelines that read the source
     * @param status the source's status now; null in the connect runtime
     * @param failure why its capture failed, if its worker holds the failed state
     * @param latest the source's latest recovery, if any
     */
    static RecoveryDecision decide(String source, boolean connectRuntime, List<String> pipelines, SourceStatus status,
            Optional<CaptureFailure> failure, Optional<Recovery> latest) {
        if (connectRuntime) {
            return new Refuse("not_in_connect_runtime", "Source '" + source + "' runs on Kafka Connect (sluice.runtime=connect), where"
                    + " connector 'sluice." + source + "' keeps its offsets and schema history; the one-command recovery needs the"
                    + " embedded runtime, which keeps them in this server and repairs the sinks through its own writers. Recover it"
                    + " with Debezium's means there: update the source with snapshot.mode=when_needed (PUT /api/v1/sources/" + source
                    + "), or stop it, reset the connector's offsets in Kafka Connect (DELETE /connectors/sluice." + source
                    + "/offsets) and start it again; rows deleted while its binlog was lost then stay in the targets until"
                    + " deleted there.");
        }
        String state = describe(status);
        if (latest.isPresent() && Recovery.State.RUNNING.label().equals(latest.get().state())) {
            Recovery r = latest.get();
            return new Refuse("recovery_running", "Recovery " + r.id() + " of source '" + source + "' is still running (" + r.phase()
                    + "); follow it with `sluice sources recovery " + source + " " + r.id() + " --wait` or GET /api/v1/sources/" + source
                    + "/recoveries/" + r.id() + ".");
        }
        if (pipelines.isEmpty()) {
            return new Refuse("no_pipeline", "Source '" + source + "' is " + state + " and no pipeline reads it, so there is nothing to"
                    + " recover; create one with POST /api/v1/pipelines.");
        }
        if (failure.isPresent()) {
            CaptureFailure f = failure.get();
            if (SNAPSHOT_CURES.contains(f.kind())) {
                return new Resnapshot(f.kind());
            }
            return new Refuse("not_recoverable", "Source '" + source + "' is failed with " + f.kind() + ", which a new snapshot does not"
                    + " cure: " + f.message() + " Fix: " + f.fix());
        }
        boolean runs = "running".equals(status.desired()) && !Set.of("failed", "stopped", "idle").contains(status.state());
        if (runs && latest.isPresent() && Recovery.State.FAILED.label().equals(latest.get().state())) {
            return new FinishEarlier(latest.get().id());
        }
        String fix = "stopped".equals(status.state())
                ? "Start it (`sluice sources start " + source + "`); should it fail with BINLOG_PURGED, recover it then."
                : "To prove that its targets equal its tables, run `sluice verify --pipeline " + pipelines.get(0)
                        + " --table DB.TABLE --repair`.";
        return new Refuse("nothing_to_recover", "Source '" + source + "' is " + state + ": there is nothing to recover from. A recovery"
                + " is for a source failed with BINLOG_PURGED or SCHEMA_HISTORY_MISSING, or one whose last recovery did not finish. "
                + fix);
    }

    /**
     * The fix a failed source's status shows: the one command first where it applies, then the failure's own fix
     * (the same by hand).
     */
    static String fix(String source, CaptureFailure failure) {
        if (!SNAPSHOT_CURES.contains(failure.kind())) {
            return failure.fix();
        }
        return "Recover with one command: `sluice sources recover " + source + " --wait` (POST /api/v1/sources/" + source + "/recover)"
                + " sets the stored offsets aside, snapshots the tables again, waits until the source streams and repairs every sink,"
                + " rows deleted meanwhile included. By hand: " + failure.fix();
    }

    private static String describe(SourceStatus status) {
        if (status == null) {
            return "unknown";
        }
        return status.state() + (status.reason() == null ? "" : " (" + status.reason() + ")");
    }
}
