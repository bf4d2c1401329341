package io.sluice.admin.backfill;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.admin.error.NotFoundException;
import io.sluice.metadata.MetadataDb;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Backfills in the metadata database: the request, the state and the checkpoint. Thread-safe. */
@ApplicationScoped
public class BackfillStore {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final String COLUMNS = "id, pipeline, source, tables, sinks, row_filter, chunk_size, rows_per_second, state, reason,"
            + " table_index, last_key, up_to, rows_read, rows_written, chunks_done, estimated_rows, created_by, created_at, updated_at,"
            + " finished_at, reindex, new_index";

    /**
     * A stored backfill.
     *
     * @param lastKey the last key written in the current table ({@code tables[tableIndex]}), or null
     * @param upTo the last key to read in the current table, or null before it was opened
     * @param reindex true when the backfill fills a new search index that is then swapped in behind the old name
     * @param newIndex the new index being filled, while a reindex runs
     */
    public record Stored(long id, String pipeline, String source, List<String> tables, List<String> sinks, String filter, int chunkSize,
            int rowsPerSecond, BackfillState state, String reason, int tableIndex, List<Object> lastKey, List<Object> upTo, long rowsRead,
            long rowsWritten, long chunksDone, long estimatedRows, String createdBy, Instant createdAt, Instant updatedAt,
            Instant finishedAt, boolean reindex, String newIndex) {
    }

    @Inject
    MetadataDb db;

    @Inject
    Clock clock;

    /** Stores a new running backfill and returns it with its id. */
    public Stored create(String pipeline, String source, List<String> tables, List<String> sinks, String filter, int chunkSize,
            int rowsPerSecond, long estimatedRows, boolean reindex, String actor) {
        Timestamp now = Timestamp.from(clock.instant());
        long id = db.inTransaction(c -> MetadataDb.insert(c, "INSERT INTO backfill (pipeline, source, tables, sinks, row_filter,"
                + " chunk_size, rows_per_second, state, table_index, rows_read, rows_written, chunks_done, estimated_rows, created_by,"
                + " created_at, updated_at, reindex) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, ?, ?, ?, ?, ?)", pipeline, source,
                json(tables), json(sinks), filter, chunkSize, rowsPerSecond, BackfillState.RUNNING.label(), estimatedRows, actor, now, now,
                reindex));
        return get(id);
    }

    /** Records a written chunk: the checkpoint a restart resumes from. */
    public void checkpoint(long id, int tableIndex, List<Object> lastKey, List<Object> upTo, long rowsRead, long rowsWritten, long chunksDone) {
        db.update("UPDATE backfill SET table_index = ?, last_key = ?, up_to = ?, rows_read = ?,"
                + " rows_written = ?, chunks_done = ?, updated_at = ? WHERE id = ?", tableIndex, lastKey == null ? null : json(lastKey),
                upTo == null ? null : json(upTo), rowsRead, rowsWritten, chunksDone, Timestamp.from(clock.instant()), id);
    }

    /** Notes the new index a reindex fills (null once it was swapped in or dropped). */
    public void setNewIndex(long id, String index) {
        db.update("UPDATE backfill SET new_index = ?, updated_at = ? WHERE id = ?", index,
                Timestamp.from(clock.instant()), id);
    }

    /** Starts a backfill over from its first table: a reindex cut short cannot go on into an index it no longer feeds. */
    public void restart(long id) {
        db.update("UPDATE backfill SET table_index = 0, last_key = NULL, up_to = NULL, rows_read = 0,"
                + " rows_written = 0, chunks_done = 0, new_index = NULL, updated_at = ? WHERE id = ?", Timestamp.from(clock.instant()), id);
    }

    /** Moves to a new state; a final state also sets the end time. */
    public void setState(long id, BackfillState state, String reason) {
        Timestamp now = Timestamp.from(clock.instant());
        db.update("UPDATE backfill SET state = ?, reason = ?, updated_at = ?, finished_at = ?"
                + " WHERE id = ?", state.label(), reason, now, state.isFinal() ? now : null, id);
    }

    /** Every backfill, newest first. */
    public List<Stored> list() {
        return db.list("SELECT " + COLUMNS + " FROM backfill ORDER BY id DESC", BackfillStore::row);
    }

    /** Backfills that are running or paused. */
    public List<Stored> active() {
        return db.list("SELECT " + COLUMNS + " FROM backfill WHERE state IN (?, ?) ORDER BY id", BackfillStore::row,
                BackfillState.RUNNING.label(), BackfillState.PAUSED.label());
    }

    public Optional<Stored> find(long id) {
        return db.find("SELECT " + COLUMNS + " FROM backfill WHERE id = ?", BackfillStore::row, id);
    }

    /** @throws NotFoundException */
    public Stored get(long id) {
        return find(id).orElseThrow(() -> new NotFoundException("No backfill with id " + id
                + "; GET /api/v1/backfills lists them."));
    }

    private static Stored row(ResultSet rs) throws SQLException {
        return new Stored(rs.getLong(1), rs.getString(2), rs.getString(3), strings(rs.getString(4)), strings(rs.getString(5)),
                rs.getString(6), rs.getInt(7), rs.getInt(8), BackfillState.of(rs.getString(9)), rs.getString(10), rs.getInt(11),
                values(rs.getString(12)), values(rs.getString(13)), rs.getLong(14), rs.getLong(15), rs.getLong(16), rs.getLong(17),
                rs.getString(18), instant(rs.getTimestamp(19)), instant(rs.getTimestamp(20)), instant(rs.getTimestamp(21)), rs.getBoolean(22),
                rs.getString(23));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /**
     * Keys as JSON: numbers stay numbers, everything else (strings, dates, times) is stored as the text MariaDB
     * compares it by, which a resumed keyset query binds as a string.
     */
    private static String json(List<?> values) {
        List<Object> plain = new ArrayList<>(values.size());
        for (Object v : values) {
            plain.add(v == null || v instanceof Number || v instanceof Boolean ? v : v instanceof LocalDateTime t
                    ? t.toString().replace('T', ' ') : v.toString());
        }
        try {
            return JSON.writeValueAsString(plain);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> strings(String json) {
        try {
            return JSON.readValue(json, new TypeReference<List<String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored backfill list is not JSON", e);
        }
    }

    private static List<Object> values(String json) {
        if (json == null) {
            return null;
        }
        try {
            return JSON.readValue(json, new TypeReference<List<Object>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored backfill key is not JSON", e);
        }
    }
}
