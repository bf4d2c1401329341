package io.sluice.admin.recovery;

import static io.sluice.admin.source.SourceState.FAILED;
import static io.sluice.admin.source.SourceState.IDLE;
import static io.sluice.admin.source.SourceState.SNAPSHOTTING;
import static io.sluice.admin.source.SourceState.STOPPED;
import static io.sluice.admin.source.SourceState.STREAMING;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.admin.error.ConflictException;
import io.sluice.admin.source.DesiredState;
import io.sluice.admin.source.FailureFixes;
import io.sluice.admin.source.SourceState;
import io.sluice.admin.source.SourceStatus;
import io.sluice.capture.CaptureFailure;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a recovery does with a source as it stands, and the words of each refusal. */
class RecoveryDecisionTest {
    private static final CaptureFailure PURGED = new CaptureFailure(CaptureFailure.Kind.BINLOG_PURGED, "The binlog of source 'shop' no"
            + " longer holds the stored position.", "Start a new snapshot: restart the source with snapshot.mode=when_needed.");

    private static SourceStatus status(DesiredState desired, SourceState state, String reason) {
        return new SourceStatus("shop", desired, state, reason, null, null, null, 0, 0, null, 0, null, List.of("all"), List.of());
    }

    private static Optional<Recovery> recovery(long id, Recovery.State state) {
        return Optional.of(new Recovery(id, "shop", state, Recovery.Phase.DONE, "failed with BINLOG_PURGED", true, null, 0, List.of(), List.of(), 0, 0, 0,
                0, 0, null, "admin", Instant.EPOCH, null));
    }

    private static RecoveryDecision decide(SourceStatus status, Optional<CaptureFailure> failure, Optional<Recovery> latest) {
        return RecoveryDecision.decide("shop", List.of("all"), status, failure, latest);
    }

    @Test
    void aSourceFailedWithAPurgedBinlogOrAMissingHistoryIsSnapshottedAgain() {
        assertThat(decide(status(DesiredState.RUNNING, FAILED, PURGED.message()), Optional.of(PURGED), Optional.empty()))
                .isEqualTo(new RecoveryDecision.Resnapshot(CaptureFailure.Kind.BINLOG_PURGED));
        CaptureFailure history = new CaptureFailure(CaptureFailure.Kind.SCHEMA_HISTORY_MISSING, "history gone", "restore it");
        RecoveryDecision d = decide(status(DesiredState.RUNNING, FAILED, "history gone"), Optional.of(history), recovery(2, Recovery.State.SUCCEEDED));
        assertThat(d).isEqualTo(new RecoveryDecision.Resnapshot(CaptureFailure.Kind.SCHEMA_HISTORY_MISSING));
        assertThat(d.cause()).isEqualTo("failed with SCHEMA_HISTORY_MISSING");
    }

    @Test
    void aFailureThatASnapshotDoesNotCureIsRefusedWithItsOwnFix() {
        CaptureFailure regressed = new CaptureFailure(CaptureFailure.Kind.POSITION_REGRESSED, "The binlog of source 'shop' went backwards.",
                "Raise version.epoch to 1 and start a new snapshot.");
        RecoveryDecision.Refuse r = (RecoveryDecision.Refuse) decide(status(DesiredState.RUNNING, FAILED, regressed.message()), Optional.of(regressed),
                Optional.empty());
        assertThat(r.code()).isEqualTo("not_recoverable");
        assertThat(r.message()).contains("'shop'").contains("POSITION_REGRESSED").contains("Fix: Raise version.epoch to 1");
        assertThat(r.exception()).isInstanceOf(ConflictException.class).extracting(ConflictException::code).isEqualTo("not_recoverable");
    }

    @Test
    void aHealthySourceHasNothingToRecoverFromAndIsToldHowToVerify() {
        RecoveryDecision.Refuse r = (RecoveryDecision.Refuse) decide(status(DesiredState.RUNNING, STREAMING, null), Optional.empty(),
                recovery(4, Recovery.State.SUCCEEDED));
        assertThat(r.code()).isEqualTo("nothing_to_recover");
        assertThat(r.message()).startsWith("Source 'shop' is streaming: there is nothing to recover from.")
                .contains("BINLOG_PURGED").contains("sluice verify --pipeline all");
    }

    @Test
    void aStoppedSourceIsToldToStartFirst() {
        RecoveryDecision.Refuse r = (RecoveryDecision.Refuse) decide(status(DesiredState.STOPPED, STOPPED, "stopped by a person"), Optional.empty(),
                recovery(4, Recovery.State.FAILED));
        assertThat(r.code()).isEqualTo("nothing_to_recover");
        assertThat(r.message()).contains("is stopped (stopped by a person)").contains("sluice sources start shop");
    }

    @Test
    void anUnfinishedRecoveryOfARunningSourceIsFinishedWithoutANewSnapshot() {
        assertThat(decide(status(DesiredState.RUNNING, STREAMING, null), Optional.empty(), recovery(7, Recovery.State.FAILED)))
                .isEqualTo(new RecoveryDecision.FinishEarlier(7));
        assertThat(decide(status(DesiredState.RUNNING, SNAPSHOTTING, null), Optional.empty(), recovery(7, Recovery.State.FAILED)).cause())
                .isEqualTo("recovery 7 did not finish");
    }

    @Test
    void aSecondRecoveryWhileOneRunsIsRefusedNamingTheFirst() {
        RecoveryDecision.Refuse r = (RecoveryDecision.Refuse) decide(status(DesiredState.RUNNING, SNAPSHOTTING, null), Optional.empty(),
                recovery(9, Recovery.State.RUNNING));
        assertThat(r.code()).isEqualTo("recovery_running");
        assertThat(r.message()).contains("Recovery 9 of source 'shop' is still running").contains("sluice sources recovery shop 9 --wait");
    }

    @Test
    void aSourceNoPipelineReadsIsRefused() {
        RecoveryDecision.Refuse idle = (RecoveryDecision.Refuse) RecoveryDecision.decide("shop", List.of(), status(DesiredState.RUNNING, IDLE,
                "no pipeline reads this source"), Optional.empty(), Optional.empty());
        assertThat(idle.code()).isEqualTo("no_pipeline");
        assertThat(idle.message()).contains("'shop' is idle").contains("POST /api/v1/pipelines");
    }

    @Test
    void theFixOfAPurgedSourceNamesTheOneCommandAndKeepsTheManualWay() {
        assertThat(FailureFixes.fix("shop", PURGED)).startsWith("Recover with one command: `sluice sources recover shop --wait`"
                + " (POST /api/v1/sources/shop/recover)").endsWith("By hand: " + PURGED.fix());
        CaptureFailure auth = new CaptureFailure(CaptureFailure.Kind.AUTHENTICATION, "refused", "Check the password.");
        assertThat(FailureFixes.fix("shop", auth)).isEqualTo("Check the password.");
    }
}
