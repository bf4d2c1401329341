package io.sluice.capture;

import java.util.Locale;

/** The flavour of a source database, which picks the Debezium connector and JDBC driver. */
public enum SourceType {
    MYSQL("io.debezium.connector.mysql.MySqlConnector", "jdbc:mysql://"),
    MARIADB("io.debezium.connector.mariadb.MariaDbConnector", "jdbc:mariadb://");

    private final String connectorClass;
    private final String jdbcPrefix;

    SourceType(String connectorClass, String jdbcPrefix) {
        this.connectorClass = connectorClass;
        this.jdbcPrefix = jdbcPrefix;
    }

    /**
     * The flavour of a running server by its version string ({@code SELECT VERSION()}, or JDBC's
     * {@code getDatabaseProductVersion()}): MariaDB's names itself, as in {@code 11.4.5-MariaDB-log}.
     */
    public static SourceType ofServerVersion(String version) {
        return version.toLowerCase(Locale.ROOT).contains("mariadb") ? MARIADB : MYSQL;
    }

    public String connectorClass() {
        return connectorClass;
    }

    /** A JDBC URL for this flavour, with the database left empty. */
    public String jdbcUrl(String host, int port) {
        return jdbcPrefix + host + ":" + port + "/";
    }
}
