package io.sluice.admin.verification;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.admin.error.NotFoundException;
import io.sluice.metadata.MetadataDb;
import io.sluice.backfill.Verifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Verifications and their results in the metadata database. Thread-safe. */
@ApplicationScoped
public class VerificationStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS = "id, pipeline, source, table_name, sink, row_filter, repair, state, reason, rows_checked, missing,"
            + " stale, extra, samples, extra_checked, repaired, created_by, created_at, finished_at";

    /**
     * A stored verification.
     *
     * @param state where it stands
     * @param samples up to ten keys of each kind: missing, stale, extra
     */
    public record Stored(long id, String pipeline, String source, String table, String sink, String where, boolean repair, VerificationState state,
            String reason, long rowsChecked, long missing, long stale, long extra, Map<String, List<String>> samples, boolean extraChecked,
            long repaired, String createdBy, Instant createdAt, Instant finishedAt) {
    }

    @Inject
    MetadataDb db;

    @Inject
    Clock clock;

    public Stored create(String pipeline, String source, String table, String sink, String where, boolean repair, String actor) {
        long id = db.inTransaction(c -> MetadataDb.insert(c, "INSERT INTO verification (pipeline, source, table_name, sink, row_filter,"
                + " repair, state, rows_checked, missing, stale, extra, extra_checked, repaired, created_by, created_at) VALUES (?, ?, ?, ?,"
                + " ?, ?, ?, 0, 0, 0, 0, FALSE, 0, ?, ?)", pipeline, source, table, sink, where, repair, VerificationState.RUNNING.label(),
                actor, Timestamp.from(clock.instant())));
        return get(id);
    }

    public void finished(long id, Verifier.Report r) {
        String samples = json(Map.of("missing", r.missingSample(), "stale", r.staleSample(), "extra", r.extraSample()));
        db.update("UPDATE verification SET state = ?, rows_checked = ?, missing = ?, stale = ?, extra = ?, samples = ?, extra_checked = ?,"
                + " repaired = ?, finished_at = ? WHERE id = ?", VerificationState.SUCCEEDED.label(), r.rowsChecked(), r.missing(), r.stale(),
                r.extra(), samples, r.extraChecked(), r.repaired(), Timestamp.from(clock.instant()), id);
    }

    public void failed(long id, String reason) {
        db.update("UPDATE verification SET state = ?, reason = ?, finished_at = ? WHERE id = ?", VerificationState.FAILED.label(), reason,
                Timestamp.from(clock.instant()), id);
    }

    /** Marks verifications a stopped server left running: their thread is gone. */
    public void abandonRunning() {
        db.update("UPDATE verification SET state = ?, reason = ?, finished_at = ? WHERE state = ?", VerificationState.FAILED.label(),
                "the server stopped during the verification; run it again", Timestamp.from(clock.instant()), VerificationState.RUNNING.label());
    }

    public List<Stored> list() {
        return db.list("SELECT " + COLUMNS + " FROM verification ORDER BY id DESC", VerificationStore::row);
    }

    /** @throws NotFoundException for an unknown id */
    public Stored get(long id) {
        return db.find("SELECT " + COLUMNS + " FROM verification WHERE id = ?", VerificationStore::row, id)
                .orElseThrow(() -> new NotFoundException("No verification with id " + id + "; GET /api/v1/verifications lists them."));
    }

    private static Stored row(ResultSet rs) throws SQLException {
        String samples = rs.getString(14);
        Timestamp finished = rs.getTimestamp(19);
        return new Stored(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                rs.getBoolean(7), VerificationState.of(rs.getString(8)), rs.getString(9), rs.getLong(10), rs.getLong(11), rs.getLong(12), rs.getLong(13),
                samples == null ? Map.of() : samples(samples), rs.getBoolean(15), rs.getLong(16), rs.getString(17),
                rs.getTimestamp(18).toInstant(), finished == null ? null : finished.toInstant());
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, List<String>> samples(String json) {
        try {
            return JSON.readValue(json, new TypeReference<Map<String, List<String>>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored verification samples are not JSON", e);
        }
    }
}
