package io.sluice.admin.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.admin.pipeline.SourceStatus;
import io.sluice.capture.CaptureFailure;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a recovery does with a source as it stands, and the words of each refusal. */
class RecoveryDecisionTest {
    private static final CaptureFailure PURGED = new CaptureFailure(CaptureFailure.Kind.BINLOG_PURGED, "The binlog of source 'shop' no"
            + " longer holds the stored position.", "Start a new snapshot: restart the source with snapshot.mode=when_needed.");

    private static SourceStatus status(String desired, String state, String reason) {
        return new SourceStatus("shop", desired, state, reason, null, null, null, 0, 0, null, 0, null, List.of("all"), List.of());
    }

    private static Optional<Recovery> recovery(long id, String state) {
        return Optional.of(new Recovery(id, "shop", state, "done", "failed with BINLOG_PURGED", true, null, 0, List.of(), List.of(), 0, 0, 0,
                0, 0, null, "admin", Instant.EPOCH, null));
    }

    private static RecoveryDecision decide(SourceStatus status, Optional<CaptureFailure> failure, Optional<Recovery> latest) {
        return RecoveryDecision.decide("shop", false, List.of("all"), status, failure, latest);
    }

    @Test
    void aSourceFailedWithAPurgedBinlogOrAMissingHistoryIsSnapshottedAgain() {
        assertThat(decide(status("running", "failed", PURGED.message()), Optional.of(PURGED), Optional.empty()))
                .isEqualTo(new RecoveryDecision.Resnapshot(CaptureFailure.Kind.BINLOG_PURGED));
        CaptureFailure history = new CaptureFailure(CaptureFailure.Kind.SCHEMA_HISTORY_MISSING, "history gone", "restore it");
        RecoveryDecision d = decide(status("running", "failed", "history gone"), Optional.of(history), recovery(2, "succeeded"));
        assertThat(d).isEqualTo(new RecoveryDecision.Resnapshot(CaptureFailure.Kind.SCHEMA_HISTORY_MISSING));
        assertThat(d.cause()).isEqualTo("failed with SCHEMA_HISTORY_MISSING");
    }

    @Test
    void aFailureThatASnapshotDoesNotCureIsRefusedWithItsOwnFix() {
        CaptureFailure regressed = new CaptureFailure(CaptureFailure.Kind.POSITION_REGRESSED, "The binlog of source 'shop' went backwards.",
                "Raise version.epoch to 1 and start a new snapshot.");
        RecoveryDecision.Refuse r = (RecoveryDecision.Refuse) decide(status("running", "failed", regressed.message()), Optional.of(regressed),
                Optional.empty());
        assertThat(r.code()).isEqualTo("not_recoverable");
        assertThat(r.message()).contains("'shop'").contains("POSITION_REGRESSED").contains("Fix: Raise version.epoch to 1");
        assertThat(r.exception().status()).isEqualTo(409);
    }

    @Test
    void aHealthySourceHasNothingToRecoverFromAndIsToldHowToVerify() {
        RecoveryDecision.Refuse r = (RecoveryDecision.Refuse) decide(status("running", "streaming", null), Optional.empty(),
                recovery(4, "succeeded"));
        assertThat(r.code()).isEqualTo("nothing_to_recover");
        assertThat(r.message()).startsWith("Source 'shop' is streaming: there is nothing to recover from.")
                .contains("BINLOG_PURGED").contains("sluice verify --pipeline all");
    }

    @Test
    void aStoppedSourceIsToldToStartFirst() {
        RecoveryDecision.Refuse r = (RecoveryDecision.Refuse) decide(status("stopped", "stopped", "stopped by a person"), Optional.empty(),
                recovery(4, "failed"));
        assertThat(r.code()).isEqualTo("nothing_to_recover");
        assertThat(r.message()).contains("is stopped (stopped by a person)").contains("sluice sources start shop");
    }

    @Test
    void anUnfinishedRecoveryOfARunningSourceIsFinishedWithoutANewSnapshot() {
        assertThat(decide(status("running", "streaming", null), Optional.empty(), recovery(7, "failed")))
                .isEqualTo(new RecoveryDecision.FinishEarlier(7));
        assertThat(decide(status("running", "snapshotting", null), Optional.empty(), recovery(7, "failed")).cause())
                .isEqualTo("recovery 7 did not finish");
    }

    @Test
    void aSecondRecoveryWhileOneRunsIsRefusedNamingTheFirst() {
        RecoveryDecision.Refuse r = (RecoveryDecision.Refuse) decide(status("running", "snapshotting", null), Optional.empty(),
                recovery(9, "running"));
        assertThat(r.code()).isEqualTo("recovery_running");
        assertThat(r.message()).contains("Recovery 9 of source 'shop' is still running").contains("sluice sources recovery shop 9 --wait");
    }

    @Test
    void aSourceNoPipelineReadsAndTheConnectRuntimeAreRefused() {
        RecoveryDecision.Refuse idle = (RecoveryDecision.Refuse) RecoveryDecision.decide("shop", false, List.of(), status("running", "idle",
                "no pipeline reads this source"), Optional.empty(), Optional.empty());
        assertThat(idle.code()).isEqualTo("no_pipeline");
        assertThat(idle.message()).contains("'shop' is idle").contains("POST /api/v1/pipelines");
        RecoveryDecision.Refuse connect = (RecoveryDecision.Refuse) RecoveryDecision.decide("shop", true, List.of("all"), null,
                Optional.empty(), Optional.empty());
        assertThat(connect.code()).isEqualTo("not_in_connect_runtime");
        assertThat(connect.message()).contains("sluice.runtime=connect").contains("snapshot.mode=when_needed")
                .contains("DELETE /connectors/sluice.shop/offsets");
    }

    @Test
    void theFixOfAPurgedSourceNamesTheOneCommandAndKeepsTheManualWay() {
        assertThat(RecoveryDecision.fix("shop", PURGED)).startsWith("Recover with one command: `sluice sources recover shop --wait`"
                + " (POST /api/v1/sources/shop/recover)").endsWith("By hand: " + PURGED.fix());
        CaptureFailure auth = new CaptureFailure(CaptureFailure.Kind.AUTHENTICATION, "refused", "Check the password.");
        assertThat(RecoveryDecision.fix("shop", auth)).isEqualTo("Check the password.");
    }
}
