package io.sluice.admin.source;

import io.sluice.capture.SourceConfig;
import io.sluice.event.TableId;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** How the server reads a source database itself (backfills, verifications, recoveries): with its capture user. */
public final class SourceDatabase {
    private SourceDatabase() {
    }

    /** A connection to a source with its capture user; the caller closes it. */
    public static Connection connect(SourceConfig config) throws SQLException {
        return DriverManager.getConnection(config.jdbcUrl(),
                config.user(), config.password());
    }

    /** A {@code database.table} name of a source as a table id. */
    public static TableId tableId(String source, String qualified) {
        int dot = qualified.indexOf('.');
        return new TableId(source, qualified.substring(0, dot), qualified.substring(dot + 1));
    }

    /** Base tables of the source's databases that {@code taken} accepts, as {@code database.table}, in name order. */
    public static List<String> tables(Connection c, SourceConfig config, Predicate<TableId> taken) throws SQLException {
        List<String> out = new ArrayList<>();
        for (String database : config.databases()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND"
                    + " TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME")) {
                ps.setString(1, database);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (taken.test(new TableId(config.name(), database, rs.getString(1)))) {
                            out.add(database + "." + rs.getString(1));
                        }
                    }
                }
            }
        }
        return out;
    }
}
