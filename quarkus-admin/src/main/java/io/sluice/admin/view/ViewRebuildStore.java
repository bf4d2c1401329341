package io.sluice.admin.view;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.sluice.event.SourcePosition;
import io.sluice.metadata.MetadataDb;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Background rebuilds of views, in the metadata database: the root keys a fan-out touched, with the version and
 * position of the change that touched them, and how many are done. A rebuild is stored before its source's offset
 * may pass that change, so that a crash loses none. Thread-safe.
 */
@ApplicationScoped
public class ViewRebuildStore {
    private static final String COLUMNS = "id, source, view_name, root_keys, key_count, done, version, binlog_file, binlog_position,"
            + " commit_time, state, reason, created_at, finished_at, last_key";

    /** Where a rebuild stands. */
    public enum State {
        WAITING, SUCCEEDED, FAILED;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        static State of(String label) {
            return valueOf(label.toUpperCase(Locale.ROOT));
        }
    }

    /**
     * A stored rebuild.
     *
     * @param keys the root keys, each its values in primary-key order; null for every document of the view
     * @param done how many documents are written
     * @param lastKey for every document, the root key written last, after which the rebuild goes on; null before the first
     */
    public record Stored(long id, String source, String view, List<List<Object>> keys, int done, long version, SourcePosition position,
            Instant commitTime, State state, String reason, Instant createdAt, Instant finishedAt, List<Object> lastKey) {

        /** Whether it rebuilds every document of the view rather than a fan-out's keys. */
        public boolean everything() {
            return keys == null;
        }
    }

    /**
     * A rebuild as the API shows it, without its keys.
     *
     * @param keys how many documents it rebuilds; 0 for every document of the view
     * @param done how many of them are written
     */
    public record Summary(long id, String view, int keys, int done, long version, State state, String reason, Instant createdAt,
            Instant finishedAt) {
    }

    @Inject
    MetadataDb db;

    @Inject
    Clock clock;

    /** Stores a rebuild waiting to run. */
    public long create(String source, String view, List<List<Object>> keys, long version, SourcePosition position, Instant commitTime) {
        String json = json(keys.stream().map(ViewRebuildStore::plain).toList());
        return db.inTransaction(c -> MetadataDb.insert(c, "INSERT INTO view_rebuild (source, view_name, root_keys, key_count, done, version,"
                + " binlog_file, binlog_position, commit_time, state, created_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)", source, view,
                json, keys.size(), version, position.binlogFile(), position.binlogPosition(), Timestamp.from(commitTime),
                State.WAITING.label(), Timestamp.from(clock.instant())));
    }

    /** Stores a rebuild of every document of a view, waiting to run. */
    public long createEverything(String source, String view, long version, SourcePosition position, Instant commitTime) {
        return db.inTransaction(c -> MetadataDb.insert(c, "INSERT INTO view_rebuild (source, view_name, key_count, done, version,"
                + " binlog_file, binlog_position, commit_time, state, created_at) VALUES (?, ?, 0, 0, ?, ?, ?, ?, ?, ?)", source, view, version,
                position.binlogFile(), position.binlogPosition(), Timestamp.from(commitTime), State.WAITING.label(),
                Timestamp.from(clock.instant())));
    }

    /** Records how many documents of a rebuild are written, and the root key written last. */
    public void progress(long id, int done, List<Object> lastKey) {
        db.update("UPDATE view_rebuild SET done = ?, last_key = ? WHERE id = ?", done, lastKey == null ? null : json(plain(lastKey)), id);
    }

    /** Ends a rebuild: succeeded when {@code reason} is null. */
    public void finished(long id, String reason) {
        db.update("UPDATE view_rebuild SET state = ?, reason = ?, finished_at = ? WHERE id = ?", (reason == null ? State.SUCCEEDED
                : State.FAILED).label(), reason, Timestamp.from(clock.instant()), id);
    }

    /** The ids of the rebuilds that wait, oldest first; without their keys, which may be many. */
    public List<Long> waiting() {
        return db.list("SELECT id FROM view_rebuild WHERE state = ? ORDER BY id", rs -> rs.getLong(1), State.WAITING.label());
    }

    /** A rebuild with its keys, if it still waits. */
    public Optional<Stored> findWaiting(long id) {
        return db.find("SELECT " + COLUMNS + " FROM view_rebuild WHERE id = ? AND state = ?", ViewRebuildStore::row, id, State.WAITING.label());
    }

    /**
     * What waits, per view: the rebuilds, and the documents of their fan-outs not written yet (a rebuild of every
     * document counts as a rebuild only: its size is known once it ran).
     */
    public record Backlog(int rebuilds, long documents) {
    }

    /** The backlog of each view with a waiting rebuild. */
    public Map<String, Backlog> backlog() {
        Map<String, Backlog> out = new HashMap<>();
        db.list("SELECT view_name, COUNT(*), SUM(CASE WHEN key_count > 0 THEN key_count - done ELSE 0 END) FROM view_rebuild WHERE state = ?"
                + " GROUP BY view_name", rs -> out.put(rs.getString(1), new Backlog(rs.getInt(2), rs.getLong(3))), State.WAITING.label());
        return out;
    }

    /** The latest rebuilds of a view, newest first, without their keys. */
    public List<Summary> ofView(String view, int limit) {
        return db.list("SELECT id, view_name, key_count, done, version, state, reason, created_at, finished_at FROM view_rebuild WHERE"
                + " view_name = ? ORDER BY id DESC LIMIT ?", rs -> new Summary(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getInt(4),
                rs.getLong(5), State.of(rs.getString(6)), rs.getString(7), rs.getTimestamp(8).toInstant(), rs.getTimestamp(9) == null ? null
                        : rs.getTimestamp(9).toInstant()), view, limit);
    }

    /** A key's values as JSON keeps them: numbers, text and booleans as they are, anything else (a date) as its text. */
    private static List<Object> plain(List<Object> key) {
        return key.stream().map(v -> v == null || v instanceof Number || v instanceof String || v instanceof Boolean ? v : v.toString())
                .toList();
    }

    private static String json(Object keys) {
        try {
            return ViewStore.JSON.writeValueAsString(keys);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("root keys are plain values", e);
        }
    }

    private static <T> T parse(String json, TypeReference<T> type) throws SQLException {
        try {
            return json == null ? null : ViewStore.JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new SQLException("stored root keys are not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static Stored row(ResultSet rs) throws SQLException {
        Timestamp finished = rs.getTimestamp(14);
        return new Stored(rs.getLong(1), rs.getString(2), rs.getString(3), parse(rs.getString(4), new TypeReference<List<List<Object>>>() { }),
                rs.getInt(6), rs.getLong(7), new SourcePosition(rs.getString(8), rs.getLong(9), 0, null, 0, false),
                rs.getTimestamp(10).toInstant(), State.of(rs.getString(11)), rs.getString(12), rs.getTimestamp(13).toInstant(),
                finished == null ? null : finished.toInstant(), parse(rs.getString(15), new TypeReference<List<Object>>() { }));
    }
}
