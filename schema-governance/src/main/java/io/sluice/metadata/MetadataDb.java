package io.sluice.metadata;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Access to the metadata database (H2 or PostgreSQL) for every store in it (the registry, schema review, the
 * server's sources, sinks, pipelines and jobs): queries with positional arguments, updates, inserts with a generated
 * key, and transactions; every {@link SQLException} comes out as a {@link MetadataException}. Build one per
 * database and share it. Thread-safe; each call takes a connection of its own from the pool.
 */
public final class MetadataDb {
    private final DataSource dataSource;

    public MetadataDb(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Work on one connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Maps the current row of a result. */
    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** Runs work on one connection, outside a transaction. */
    public <T> T read(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new MetadataException(e);
        }
    }

    /** Runs work in one transaction, rolled back when it throws (the exception then goes on as it was). */
    public <T> T inTransaction(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new MetadataException(e);
        }
    }

    /** Every row of a query, mapped, in the query's order. */
    public <T> List<T> list(String sql, RowMapper<T> mapper, Object... args) {
        return read(c -> list(c, sql, mapper, args));
    }

    /** The first row of a query, mapped; empty when there is none. */
    public <T> Optional<T> find(String sql, RowMapper<T> mapper, Object... args) {
        return read(c -> find(c, sql, mapper, args));
    }

    /** Runs one update in a transaction of its own. @return the row count */
    public int update(String sql, Object... args) {
        return inTransaction(c -> update(c, sql, args));
    }

    /** Every row of a query on a connection the caller holds. */
    public static <T> List<T> list(Connection c, String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        List<T> out = new ArrayList<>();
        try (PreparedStatement ps = prepare(c, sql, false, args); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(mapper.map(rs));
            }
        }
        return out;
    }

    /** The first row of a query on a connection the caller holds. */
    public static <T> Optional<T> find(Connection c, String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, false, args); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(mapper.map(rs)) : Optional.empty();
        }
    }

    /** An update on a connection the caller holds. @return the row count */
    public static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, false, args)) {
            return ps.executeUpdate();
        }
    }

    /**
     * An insert into a table whose key the database generates, on a connection the caller holds.
     *
     * @return the generated key
     */
    public static long insert(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, true, args)) {
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                if (!keys.next()) {
                    throw new SQLException("the database generated no key for: " + sql);
                }
                return keys.getLong(1);
            }
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, boolean generatedKeys, Object... args) throws SQLException {
        PreparedStatement ps = generatedKeys ? c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS) : c.prepareStatement(sql);
        try {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps;
        } catch (SQLException e) {
            ps.close();
            throw e;
        }
    }

    /** The SHA-256 of a text as 64 hex digits: how rows are found by content, and secrets stored only so. */
    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
