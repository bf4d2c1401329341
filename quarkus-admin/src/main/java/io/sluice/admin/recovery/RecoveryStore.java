package io.sluice.admin.recovery;

import io.sluice.admin.error.NotFoundException;
import io.sluice.metadata.MetadataDb;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Recoveries and where they stand, in the metadata database. Thread-safe. */
@ApplicationScoped
public class RecoveryStore {
    private static final String COLUMNS = "id, source, state, phase, cause, resnapshot, progress, events_captured, verification_ids, notes,"
            + " reason, created_by, created_at, finished_at";

    /**
     * A stored recovery; {@link Recovery} is what the API shows.
     *
     * @param verificationIds the repairing verifications it started, in order
     * @param notes tables it did not verify and why, one line each
     */
    public record Stored(long id, String source, Recovery.State state, Recovery.Phase phase, String cause, boolean resnapshot, String progress,
            long eventsCaptured, List<Long> verificationIds, List<String> notes, String reason, String createdBy, Instant createdAt,
            Instant finishedAt) {
    }

    @Inject
    MetadataDb db;

    @Inject
    Clock clock;

    /** Stores a new running recovery in its first phase. */
    public Stored create(String source, String cause, boolean resnapshot, String actor) {
        long id = db.inTransaction(c -> MetadataDb.insert(c, "INSERT INTO recovery (source, state, phase, cause, resnapshot,"
                + " progress, events_captured, verification_ids, notes, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, '', '', ?, ?)",
                source, Recovery.State.RUNNING.label(), Recovery.Phase.SNAPSHOTTING.label(), cause, resnapshot,
                resnapshot ? "setting the stored offsets aside" : "waiting for the source to stream", actor, Timestamp.from(clock.instant())));
        return get(id);
    }

    /** Records the phase and the last step of a running recovery. */
    public void progress(long id, Recovery.Phase phase, String progress, long eventsCaptured) {
        db.update("UPDATE recovery SET phase = ?, progress = ?, events_captured = ? WHERE id = ?",
                phase.label(), progress, eventsCaptured, id);
    }

    /** Adds a verification the recovery started. */
    public void addVerification(long id, long verificationId) {
        Stored r = get(id);
        String ids = r.verificationIds().isEmpty() ? Long.toString(verificationId) : joined(r.verificationIds()) + "," + verificationId;
        db.update("UPDATE recovery SET verification_ids = ? WHERE id = ?", ids, id);
    }

    /** Ends a recovery: {@code succeeded} when {@code reason} is null, {@code failed} otherwise. */
    public void finished(long id, String progress, List<String> notes, String reason) {
        db.update("UPDATE recovery SET state = ?, phase = ?, progress = ?, notes = ?, reason = ?,"
                + " finished_at = ? WHERE id = ?", (reason == null ? Recovery.State.SUCCEEDED : Recovery.State.FAILED).label(),
                Recovery.Phase.DONE.label(), progress, String.join("\n", notes), reason, Timestamp.from(clock.instant()), id);
    }

    /**
     * Marks recoveries a stopped server left running as failed: their thread is gone.
     *
     * @return those recoveries, as they were stored before
     */
    public List<Stored> abandonRunning() {
        List<Stored> running = db.list("SELECT " + COLUMNS + " FROM recovery WHERE state = ? ORDER BY id", RecoveryStore::row,
                Recovery.State.RUNNING.label());
        db.inTransaction(c -> MetadataDb.update(c, "UPDATE recovery SET state = ?, phase = ?, reason = ?, finished_at = ? WHERE"
                + " state = ?", Recovery.State.FAILED.label(), Recovery.Phase.DONE.label(), "the server stopped during the recovery; the"
                + " next boot continues it with a recovery that verifies and repairs the sinks once the source streams (a stopped"
                + " source: start it and run the recovery again)", Timestamp.from(clock.instant()), Recovery.State.RUNNING.label()));
        return running;
    }

    /** A source's recoveries, newest first, at most {@code limit}. */
    public List<Stored> ofSource(String source, int limit) {
        return db.list("SELECT " + COLUMNS + " FROM recovery WHERE source = ? ORDER BY id DESC LIMIT ?", RecoveryStore::row, source,
                limit);
    }

    /** A source's newest recovery, if it has one. */
    public Optional<Stored> latest(String source) {
        return ofSource(source, 1).stream().findFirst();
    }

    /** @throws NotFoundException naming the id */
    public Stored get(long id) {
        return db.list("SELECT " + COLUMNS + " FROM recovery WHERE id = ?", RecoveryStore::row, id).stream().findFirst()
                .orElseThrow(() -> new NotFoundException("No recovery with id " + id + "; GET"
                        + " /api/v1/sources/{name}/recoveries lists a source's recoveries."));
    }

    private static Stored row(ResultSet rs) throws SQLException {
        String ids = rs.getString(9);
        String notes = rs.getString(10);
        Timestamp finished = rs.getTimestamp(14);
        return new Stored(rs.getLong(1), rs.getString(2), Recovery.State.of(rs.getString(3)), Recovery.Phase.of(rs.getString(4)), rs.getString(5), rs.getBoolean(6),
                rs.getString(7), rs.getLong(8), ids.isEmpty() ? List.of() : Arrays.stream(ids.split(",")).map(Long::valueOf).toList(),
                notes.isEmpty() ? List.of() : List.of(notes.split("\n")), rs.getString(11), rs.getString(12), rs.getTimestamp(13).toInstant(),
                finished == null ? null : finished.toInstant());
    }

    private static String joined(List<Long> ids) {
        return String.join(",", ids.stream().map(String::valueOf).toList());
    }
}
