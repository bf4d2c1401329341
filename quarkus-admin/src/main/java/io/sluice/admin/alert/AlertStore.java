package io.sluice.admin.alert;

import io.sluice.admin.error.NotFoundException;
import io.sluice.metadata.MetadataDb;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

/** Alerts and silences in the metadata database. Thread-safe. */
@ApplicationScoped
public class AlertStore {
    private static final String ALERT = "SELECT id, kind, subject, summary, started_at, resolved_at, firing_sent, resolved_sent,"
            + " delivery_error FROM alert";
    private static final String SILENCE = "SELECT id, kind, subject, ends_at, comment, created_by, created_at FROM alert_silence";

    @Inject
    MetadataDb db;

    /** Stores a new open alert. */
    Alert open(AlertCondition condition, Instant at) {
        long id = db.inTransaction(c -> MetadataDb.insert(c, "INSERT INTO alert (kind, subject, summary, started_at, firing_sent,"
                + " resolved_sent) VALUES (?, ?, ?, ?, FALSE, FALSE)", condition.kind().name(), condition.subject(),
                condition.summary(), Timestamp.from(at)));
        return get(id);
    }

    /** Keeps an open alert's words as its condition says them now. */
    void summary(long id, String summary) {
        db.update("UPDATE alert SET summary = ? WHERE id = ?", summary, id);
    }

    void resolve(long id, Instant at) {
        db.update("UPDATE alert SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL", Timestamp.from(at), id);
    }

    /** Records that the receivers got the alert as firing ({@code resolved} false) or as resolved. */
    void sent(long id, boolean resolved) {
        db.update("UPDATE alert SET " + (resolved ? "resolved_sent" : "firing_sent") + " = TRUE, delivery_error = NULL WHERE id = ?", id);
    }

    /** Records why a delivery failed for good; never holds a receiver's address. */
    void deliveryFailed(long id, String error) {
        db.update("UPDATE alert SET delivery_error = ? WHERE id = ?", error, id);
    }

    /** The open alerts, oldest first. */
    List<Alert> open() {
        return db.list(ALERT + " WHERE resolved_at IS NULL ORDER BY id", AlertStore::alert);
    }

    /** Resolved alerts whose firing was sent and whose resolution was not yet. */
    List<Alert> resolvedUnsent() {
        return db.list(ALERT + " WHERE resolved_at IS NOT NULL AND firing_sent = TRUE AND resolved_sent = FALSE ORDER BY id", AlertStore::alert);
    }

    /** The newest alerts first, open and resolved, at most {@code limit}. */
    List<Alert> history(int limit) {
        return db.list(ALERT + " ORDER BY id DESC LIMIT ?", AlertStore::alert, limit);
    }

    /** @throws NotFoundException naming the id */
    Alert get(long id) {
        return db.find(ALERT + " WHERE id = ?", AlertStore::alert, id).orElseThrow(() -> new NotFoundException("No alert with id " + id
                + "; GET /api/v1/alerts lists them."));
    }

    Silence addSilence(AlertKind kind, String subject, Instant endsAt, String comment, String actor, Instant at) {
        long id = db.inTransaction(c -> MetadataDb.insert(c, "INSERT INTO alert_silence (kind, subject, ends_at, comment, created_by,"
                + " created_at) VALUES (?, ?, ?, ?, ?, ?)", kind == null ? null : kind.name(), subject, Timestamp.from(endsAt), comment,
                actor, Timestamp.from(at)));
        return silence(id);
    }

    /** Silences that end after {@code since}, newest first. */
    List<Silence> silences(Instant since) {
        return db.list(SILENCE + " WHERE ends_at > ? ORDER BY id DESC", AlertStore::silence, Timestamp.from(since));
    }

    /** Ends a silence now. */
    void endSilence(long id, Instant at) {
        silence(id);
        db.update("UPDATE alert_silence SET ends_at = ? WHERE id = ? AND ends_at > ?", Timestamp.from(at), id, Timestamp.from(at));
    }

    /** @throws NotFoundException naming the id */
    Silence silence(long id) {
        return db.find(SILENCE + " WHERE id = ?", AlertStore::silence, id).orElseThrow(() -> new NotFoundException("No silence with id "
                + id + "; GET /api/v1/alerts/silences lists them."));
    }

    private static Alert alert(ResultSet rs) throws SQLException {
        Timestamp resolved = rs.getTimestamp(6);
        return new Alert(rs.getLong(1), AlertKind.valueOf(rs.getString(2)), rs.getString(3), rs.getString(4), rs.getTimestamp(5).toInstant(),
                resolved == null ? null : resolved.toInstant(), rs.getBoolean(7), rs.getBoolean(8), rs.getString(9), null);
    }

    private static Silence silence(ResultSet rs) throws SQLException {
        String kind = rs.getString(2);
        return new Silence(rs.getLong(1), kind == null ? null : AlertKind.valueOf(kind), rs.getString(3), rs.getTimestamp(4).toInstant(),
                rs.getString(5), rs.getString(6), rs.getTimestamp(7).toInstant());
    }
}
