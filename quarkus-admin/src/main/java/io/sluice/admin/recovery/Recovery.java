package io.sluice.admin.recovery;

import com.fasterxml.jackson.annotation.JsonValue;
import io.sluice.admin.verification.VerificationState;
import io.sluice.admin.verification.VerificationStore;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * A recovery of a source, as {@code GET /api/v1/sources/{name}/recoveries/{id}} shows it: where it stands, the
 * verifications it started with their counts, and the totals.
 *
 * @param id the recovery's id
 * @param source the source it recovers
 * @param state where it stands: succeeded once every verification compared and repaired, failed otherwise (see
 *     {@code reason})
 * @param phase what it does: snapshotting (waiting for the new snapshot to end and the source to stream), verifying,
 *     or done
 * @param cause why it runs, for example {@code failed with BINLOG_PURGED}
 * @param resnapshot whether it set the stored offsets aside and started a new snapshot (false when it finishes an
 *     earlier recovery)
 * @param progress the last step in words, for example {@code 1200 events captured so far}
 * @param eventsCaptured events the source captured since its new worker started, as last seen while waiting for it
 * @param verifications the repairing verifications it started, one per table and sink, in order
 * @param notes tables it did not verify and why
 * @param rowsChecked the verifications' rows checked, added up; likewise {@code missing}, {@code stale},
 *     {@code extra} and {@code repaired}
 * @param reason why it failed; null otherwise
 */
public record Recovery(long id, String source, State state, Phase phase, String cause, boolean resnapshot, String progress,
        long eventsCaptured, List<Step> verifications, List<String> notes, long rowsChecked, long missing, long stale, long extra,
        long repaired, String reason, String createdBy, Instant createdAt, Instant finishedAt) {

    /** Where a recovery stands; the last two are final. */
    public enum State {
        RUNNING, SUCCEEDED, FAILED;

        /** The lower-case name the API and the database use. */
        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @throws IllegalArgumentException for an unknown label */
        static State of(String label) {
            return valueOf(label.toUpperCase(Locale.ROOT));
        }
    }

    /** What a running recovery is doing. */
    public enum Phase {
        SNAPSHOTTING, VERIFYING, DONE;

        /** The lower-case name the API and the database use. */
        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @throws IllegalArgumentException for an unknown label */
        static Phase of(String label) {
            return valueOf(label.toUpperCase(Locale.ROOT));
        }
    }

    /**
     * One repairing verification of a recovery: a table against a sink.
     *
     * @param id the verification's id ({@code GET /api/v1/verifications/{id}} has its samples)
     * @param state where the verification stands
     * @param reason why it failed; null otherwise
     */
    public record Step(long id, String pipeline, String table, String sink, VerificationState state, long rowsChecked, long missing, long stale,
            long extra, long repaired, String reason) {
    }

    /** A recovery as stored, with its verifications as they stand now, and their totals. */
    static Recovery of(RecoveryStore.Stored r, List<VerificationStore.Stored> verifications) {
        List<Step> steps = verifications.stream().map(v -> new Step(v.id(), v.pipeline(), v.table(), v.sink(), v.state(), v.rowsChecked(),
                v.missing(), v.stale(), v.extra(), v.repaired(), v.reason())).toList();
        return new Recovery(r.id(), r.source(), r.state(), r.phase(), r.cause(), r.resnapshot(), r.progress(), r.eventsCaptured(), steps,
                r.notes(), steps.stream().mapToLong(Step::rowsChecked).sum(), steps.stream().mapToLong(Step::missing).sum(),
                steps.stream().mapToLong(Step::stale).sum(), steps.stream().mapToLong(Step::extra).sum(),
                steps.stream().mapToLong(Step::repaired).sum(), r.reason(), r.createdBy(), r.createdAt(), r.finishedAt());
    }
}
