package io.sluice.capture;

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

    public String connectorClass() {
        return connectorClass;
    }

    /** A JDBC URL for this flavour, with the database left empty. */
    public String jdbcUrl(String host, int port) {
        return jdbcPrefix + host + ":" + port + "/";
    }
}
