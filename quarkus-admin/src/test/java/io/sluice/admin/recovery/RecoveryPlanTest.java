package io.sluice.admin.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.admin.pipeline.PipelineSpec;
import io.sluice.admin.source.DesiredState;
import io.sluice.admin.source.SourceState;
import io.sluice.admin.source.SourceStatus;
import io.sluice.admin.verification.VerificationState;
import io.sluice.admin.verification.VerificationStore;
import io.sluice.event.TableId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which tables and sinks a recovery verifies, how it reads the source while it waits, and its totals. */
class RecoveryPlanTest {
    private static final List<TableId> TABLES = List.of(new TableId("shop", "shop", "orders"), new TableId("shop", "mysql", "user"),
            new TableId("shop", "shop", "customers"), new TableId("shop", "audit", "log"), new TableId("shop", "Shop2", "items"),
            new TableId("shop", "performance_schema", "threads"));

    @Test
    void theCapturedTablesFollowTheSourcesExpressionsAsDebeziumDoesAndNeverTheServersOwn() {
        assertThat(RecoveryPlan.captured(TABLES, List.of(), List.of())).extracting(TableId::toString)
                .containsExactly("shop.Shop2.items", "shop.audit.log", "shop.shop.customers", "shop.shop.orders");
        assertThat(RecoveryPlan.captured(TABLES, List.of("shop"), List.of())).extracting(TableId::table).containsExactly("customers", "orders");
        assertThat(RecoveryPlan.captured(TABLES, List.of("shop.*"), List.of())).extracting(TableId::table)
                .containsExactly("items", "customers", "orders");
        assertThat(RecoveryPlan.captured(TABLES, List.of(), List.of("shop\\.ord.*", "audit.log"))).extracting(TableId::table)
                .containsExactly("log", "orders");
    }

    @Test
    void eachTableAndSinkIsVerifiedOnceForTheFirstPipelineThatWritesIt() {
        List<TableId> tables = RecoveryPlan.captured(TABLES, List.of("shop", "audit"), List.of());
        List<PipelineSpec> pipelines = List.of(new PipelineSpec("orders", "shop", List.of("shop.orders"), List.of("cache", "search")),
                new PipelineSpec("everything", "shop", List.of(), List.of("search")));
        assertThat(RecoveryPlan.steps(pipelines, tables)).containsExactly(
                new RecoveryPlan.Step("orders", "shop.orders", "cache"), new RecoveryPlan.Step("orders", "shop.orders", "search"),
                new RecoveryPlan.Step("everything", "audit.log", "search"), new RecoveryPlan.Step("everything", "shop.customers", "search"));
        assertThat(RecoveryPlan.steps(pipelines, List.of())).isEmpty();
    }

    private static SourceStatus status(DesiredState desired, SourceState state, String reason, String fix) {
        return new SourceStatus("shop", desired, state, reason, fix, null, null, 0, 1200, null, 0, null, List.of("all"), List.of());
    }

    @Test
    void theWaitEndsWhenTheSourceStreamsAndFailsWithTheSourcesOwnReasonAndFix() {
        assertThat(SnapshotWatch.of(status(DesiredState.RUNNING, SourceState.STREAMING, null, null))).isInstanceOf(SnapshotWatch.Streaming.class);
        assertThat(SnapshotWatch.of(status(DesiredState.RUNNING, SourceState.SNAPSHOTTING, null, null)))
                .isEqualTo(new SnapshotWatch.Waiting("1200 events captured so far", false));
        assertThat(SnapshotWatch.of(status(DesiredState.RUNNING, SourceState.HELD, "sink 'cache' is failing", "Make it reachable.")))
                .isEqualTo(new SnapshotWatch.Waiting("held: sink 'cache' is failing", false));
        assertThat(SnapshotWatch.of(status(DesiredState.RUNNING, SourceState.STOPPED, "not started", null))).isEqualTo(new SnapshotWatch.Waiting("stopped: not started",
                true));
        assertThat(((SnapshotWatch.Failed) SnapshotWatch.of(status(DesiredState.RUNNING, SourceState.FAILED, "The binlog went backwards.", "Raise version.epoch.")))
                .reason()).isEqualTo("source 'shop' failed during its new snapshot: The binlog went backwards. Fix: Raise version.epoch.");
        assertThat(((SnapshotWatch.Failed) SnapshotWatch.of(status(DesiredState.STOPPED, SourceState.STOPPED, "stopped by a person", null))).reason())
                .contains("was stopped during the recovery");
        assertThat(SnapshotWatch.of(status(DesiredState.RUNNING, SourceState.IDLE, null, null))).isInstanceOf(SnapshotWatch.Failed.class);
    }

    @Test
    void aRecoveryAddsUpItsVerifications() {
        RecoveryStore.Stored stored = new RecoveryStore.Stored(3, "shop", Recovery.State.SUCCEEDED, Recovery.Phase.DONE, "failed with BINLOG_PURGED", true, "recovered",
                1200, List.of(11L, 12L), List.of(), null, "admin", Instant.EPOCH, Instant.EPOCH);
        Recovery r = Recovery.of(stored, List.of(verification(11, "cache", 300, 0, 2, 51, 53), verification(12, "search", 300, 1, 0, 51, 52)));
        assertThat(r.verifications()).extracting(Recovery.Step::sink).containsExactly("cache", "search");
        assertThat(List.of(r.rowsChecked(), r.missing(), r.stale(), r.extra(), r.repaired())).containsExactly(600L, 1L, 2L, 102L, 105L);
    }

    private static VerificationStore.Stored verification(long id, String sink, long rows, long missing, long stale, long extra, long repaired) {
        return new VerificationStore.Stored(id, "all", "shop", "shop.orders", sink, null, true, VerificationState.SUCCEEDED, null, rows, missing, stale, extra,
                Map.of(), true, repaired, "admin", Instant.EPOCH, Instant.EPOCH);
    }
}
