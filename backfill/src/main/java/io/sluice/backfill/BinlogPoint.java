package io.sluice.backfill;

import io.sluice.capture.SourceType;
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
     * The server's current end of binlog: {@code SHOW BINLOG STATUS} on MariaDB (10.5.2+), {@code SHOW BINARY LOG
     * STATUS} on MySQL (8.2+), else {@code SHOW MASTER STATUS} (older servers; MySQL 8.4 dropped it). The statement
     * the server understands comes first: a refused one costs a round trip and a driver warning on every chunk.
     *
     * @throws BackfillException if binary logging is off or the user lacks the grant to see it
     */
    public static BinlogPoint current(Connection c) throws SQLException {
        SQLException first = null;
        for (String sql : statements(c)) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                if (!rs.next()) {
                    throw new BackfillException("the server reports no binlog position (binary logging is off); enable log_bin before"
                            + " backfilling");
                }
                return new BinlogPoint(rs.getString(1), rs.getLong(2));
            } catch (SQLException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        throw new BackfillException("cannot read the binlog position (" + first.getMessage() + "); the backfill user needs BINLOG MONITOR"
                + " (MariaDB) or REPLICATION CLIENT (MySQL)");
    }

    /** The statements to try, the one this server's kind understands first. */
    static String[] statements(Connection c) throws SQLException {
        return SourceType.ofServerVersion(c.getMetaData().getDatabaseProductVersion()) == SourceType.MARIADB
                ? new String[] {"SHOW BINLOG STATUS", "SHOW MASTER STATUS"} : new String[] {"SHOW BINARY LOG STATUS", "SHOW MASTER STATUS"};
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
