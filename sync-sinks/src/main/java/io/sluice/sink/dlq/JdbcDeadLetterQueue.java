package io.sluice.sink.dlq;

import io.sluice.event.ChangeEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/** The dead-letter queue in the metadata database ({@code db/migration/V3__dead_letters.sql}). Thread-safe. */
public final class JdbcDeadLetterQueue implements DeadLetterQueue {
    private static final String COLUMNS = "id, sink, event, reason, created_at, attempts";

    private final DataSource dataSource;
    private final Clock clock;

    public JdbcDeadLetterQueue(DataSource dataSource, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public long add(String sink, ChangeEvent event, String reason) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO dead_letter"
                + " (sink, table_id, event_key, version, reason, event, created_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
                new String[] {"id"})) {
            ps.setString(1, sink);
            ps.setString(2, event.table().toString());
            ps.setString(3, event.key() == null ? null : event.key().toString());
            ps.setLong(4, event.version());
            ps.setString(5, reason);
            ps.setString(6, EventCodec.encode(event));
            ps.setTimestamp(7, Timestamp.from(clock.instant()));
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store a dead letter of sink '" + sink + "': " + e.getMessage(), e);
        }
    }

    @Override
    public List<DeadLetter> list(String sink, int limit) {
        return query("SELECT " + COLUMNS + " FROM dead_letter WHERE sink = ? ORDER BY id", limit, sink);
    }

    @Override
    public List<DeadLetter> get(List<Long> ids) {
        List<DeadLetter> out = new ArrayList<>();
        for (Long id : ids) {
            out.addAll(query("SELECT " + COLUMNS + " FROM dead_letter WHERE id = ?", 1, id));
        }
        return out;
    }

    @Override
    public int remove(List<Long> ids) {
        int removed = 0;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("DELETE FROM dead_letter WHERE id = ?")) {
            for (Long id : ids) {
                ps.setLong(1, id);
                removed += ps.executeUpdate();
            }
            return removed;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot remove dead letters: " + e.getMessage(), e);
        }
    }

    @Override
    public void retried(long id, String reason) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("UPDATE dead_letter SET reason = ?, attempts = attempts + 1 WHERE id = ?")) {
            ps.setString(1, reason);
            ps.setLong(2, id);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot update dead letter " + id + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long size(String sink) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM dead_letter WHERE sink = ?")) {
            ps.setString(1, sink);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot count dead letters: " + e.getMessage(), e);
        }
    }

    private List<DeadLetter> query(String sql, int limit, Object arg) {
        List<DeadLetter> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, arg);
            ps.setMaxRows(limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new DeadLetter(rs.getLong(1), rs.getString(2), EventCodec.decode(rs.getString(3)), rs.getString(4),
                            rs.getTimestamp(5).toInstant(), rs.getInt(6)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read dead letters: " + e.getMessage(), e);
        }
    }
}
