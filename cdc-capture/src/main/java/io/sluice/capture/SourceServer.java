package io.sluice.capture;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A running source server's flavour and version, which choose the statements Sluice sends it: chosen by the version,
 * never by trying one and falling back on its error (a refused statement costs a round trip and leaves a warning in
 * the server's log on every call).
 *
 * <ul>
 *   <li>Binlog position: {@code SHOW BINARY LOG STATUS} on MySQL 8.2+ (8.4 removed {@code SHOW MASTER STATUS}),
 *       {@code SHOW BINLOG STATUS} on MariaDB 10.5.2+, else {@code SHOW MASTER STATUS}. The first two columns are the
 *       file and the position in each.</li>
 *   <li>Replicas: {@code SHOW REPLICAS} on MySQL 8.0.22+ (8.4 removed {@code SHOW SLAVE HOSTS}), {@code SHOW REPLICA
 *       HOSTS} on MariaDB 10.5.1+, else {@code SHOW SLAVE HOSTS}. The first column is the replica's server id in
 *       each ({@code Server_Id} or {@code Server_id}).</li>
 *   <li>Grants: roles count. {@code SHOW GRANTS FOR CURRENT_USER()} lists a role granted, not its privileges; on MySQL
 *       8 {@code ... USING <roles>} adds the privileges of the session's roles (those a fresh login has, as capture's
 *       sessions do); on MariaDB {@code SHOW GRANTS} lists the user's and its current role's.</li>
 * </ul>
 *
 * @param type MySQL or MariaDB
 * @param major the major version, {@code 8} of {@code 8.4.3}
 * @param minor the minor version
 * @param patch the patch version
 */
public record SourceServer(SourceType type, int major, int minor, int patch) {
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)");

    /**
     * Reads {@code SELECT VERSION()} (or JDBC's product version): {@code 8.4.3}, {@code 8.0.36-log},
     * {@code 11.4.5-MariaDB-log}, and MariaDB behind the MySQL protocol's {@code 5.5.5-} prefix.
     *
     * @throws IllegalArgumentException when it holds no version number
     */
    public static SourceServer of(String version) {
        SourceType type = SourceType.ofServerVersion(version);
        String v = type == SourceType.MARIADB && version.startsWith("5.5.5-") ? version.substring(6) : version;
        Matcher m = VERSION.matcher(v);
        if (!m.find()) {
            throw new IllegalArgumentException("not a server version: '" + version + "'");
        }
        return new SourceServer(type, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    }

    /** Whether this server's version is at least the one given. */
    public boolean atLeast(int major, int minor, int patch) {
        if (this.major != major) {
            return this.major > major;
        }
        return this.minor != minor ? this.minor > minor : this.patch >= patch;
    }

    /** The statement that shows the current binlog file and position (columns 1 and 2). */
    public String binlogStatus() {
        if (type == SourceType.MYSQL) {
            return atLeast(8, 2, 0) ? "SHOW BINARY LOG STATUS" : "SHOW MASTER STATUS";
        }
        return atLeast(10, 5, 2) ? "SHOW BINLOG STATUS" : "SHOW MASTER STATUS";
    }

    /** The statement that lists the replicas connected to this server (the server id in column 1). */
    public String replicas() {
        if (type == SourceType.MYSQL) {
            return atLeast(8, 0, 22) ? "SHOW REPLICAS" : "SHOW SLAVE HOSTS";
        }
        return atLeast(10, 5, 1) ? "SHOW REPLICA HOSTS" : "SHOW SLAVE HOSTS";
    }

    /** The statement that tells the session's active roles: {@code NONE} or null when there are none. */
    public String activeRoles() {
        return "SELECT CURRENT_ROLE()";
    }

    /**
     * The statement that lists the grants the user's sessions have, roles included.
     *
     * @param activeRoles what {@link #activeRoles()} answered: {@code `cdc`@`%`} (MySQL, comma-separated), {@code cdc}
     *     (MariaDB), or null or {@code NONE} without
     */
    public String grants(String activeRoles) {
        boolean none = activeRoles == null || activeRoles.isBlank() || activeRoles.equalsIgnoreCase("NONE");
        if (none) {
            return "SHOW GRANTS FOR CURRENT_USER()";
        }
        return type == SourceType.MYSQL ? "SHOW GRANTS FOR CURRENT_USER() USING " + activeRoles : "SHOW GRANTS";
    }
}
