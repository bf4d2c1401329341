package io.sluice.backfill;

import io.sluice.capture.SourceServer;
import io.sluice.event.EventVersion;
import io.sluice.event.SourcePosition;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;

/**
 * A point in a server's binlog: the file and the byte position where the next event will be written. A DBLog
 * backfill notes one before and one after reading a chunk, instead of writing watermark rows into the source:
 * the capture user needs no write grant.
 *
 * @param file the binlog file, for example {@code mysql-bin.000003}
 * @param position the byte position in it
 */
public record BinlogPoint(String file, long position) implements Comparable<BinlogPoint> {
    public BinlogPoint {
        Objects.requireNonNull(file, "file");
    }

    /**
     * The server's current end of binlog, by the statement its flavour and version understand
     * ({@link SourceServer#binlogStatus()}: MySQL 8.4 has no {@code SHOW MASTER STATUS}).
     *
     * @throws BackfillException if binary logging is off or the user lacks the grant to see it
     */
    public static BinlogPoint current(Connection c) throws SQLException {
        String sql = statement(c);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new BackfillException("the server reports no binlog position (binary logging is off); enable log_bin before"
                        + " backfilling");
            }
            return new BinlogPoint(rs.getString(1), rs.getLong(2));
        } catch (SQLException e) {
            throw new BackfillException("cannot read the binlog position with " + sql + " (" + e.getMessage() + "); the backfill user needs"
                    + " BINLOG MONITOR (MariaDB) or REPLICATION CLIENT (MySQL)");
        }
    }

    /** The statement that shows this server's binlog position. */
    static String statement(Connection c) throws SQLException {
        return SourceServer.of(c.getMetaData().getDatabaseProductVersion()).binlogStatus();
    }

    /** Where an event sits, as a point (its start). */
    public static BinlogPoint of(SourcePosition p) {
        return new BinlogPoint(p.binlogFile(), p.binlogPosition());
    }

    /** Files are ordered by their number (binlog rotation), then by position. */
    @Override
    public int compareTo(BinlogPoint o) {
        int byFile = Long.compare(EventVersion.fileNumber(file), EventVersion.fileNumber(o.file));
        return byFile != 0 ? byFile : Long.compare(position, o.position);
    }

    @Override
    public String toString() {
        return file + ":" + position;
    }
}
