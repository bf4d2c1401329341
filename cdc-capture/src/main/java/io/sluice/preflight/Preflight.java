package io.sluice.preflight;

import io.sluice.capture.SourceConfig;
import io.sluice.capture.SourceServer;
import io.sluice.capture.SourceType;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a source before capture starts: reachable, credentials, server version and flavour, binlog settings,
 * GTIDs, the grants Debezium needs, binlog retention and server id clashes. Each finding names the exact SQL or
 * setting that fixes it.
 *
 * <p>Read-only: it runs {@code SELECT}s and {@code SHOW}s only. Stateless and thread-safe.
 */
public final class Preflight {
    /** Binlog retention below this is a warning: a pause of capture longer than it loses the position. */
    static final long MIN_RETENTION_SECONDS = 24 * 3600;

    private static final Pattern GRANT = Pattern.compile("^GRANT (.+?) ON (\\S+) TO ", Pattern.CASE_INSENSITIVE);

    private Preflight() {
    }

    /** Runs every check. Never throws for problems of the source: they become findings. */
    public static PreflightReport run(SourceConfig config) {
        List<Finding> findings = new ArrayList<>();
        String url = config.jdbcUrl();
        try (Connection c = DriverManager.getConnection(url, config.user(), config.password())) {
            findings.add(Finding.ok("connection", "Connected to " + config.host() + ":" + config.port() + " as " + config.user() + "."));
            checkServer(c, config, findings);
        } catch (SQLException e) {
            findings.add(connectionFinding(config, e));
        }
        return new PreflightReport(config.name(), findings);
    }

    private static Finding connectionFinding(SourceConfig config, SQLException e) {
        String msg = e.getMessage() == null ? "" : e.getMessage();
        String lower = msg.toLowerCase(Locale.ROOT);
        if (lower.contains("public key retrieval is not allowed") || lower.contains("rsa public key is not available")
                || lower.contains("caching_sha2_password")) {
            return Finding.error("connection", "User '" + config.user() + "' authenticates with caching_sha2_password, which needs TLS or the"
                    + " server's public key to send the password.", "Turn TLS on for the source, or allow public key retrieval ("
                    + SourceConfig.ALLOW_PUBLIC_KEY_RETRIEVAL + "=true), or give the user mysql_native_password (MySQL 8.0 only).");
        }
        if (lower.contains("certificate") || lower.contains("pkix") || lower.contains("handshake") || lower.contains("ssl")
                || lower.contains("tls")) {
            return Finding.error("connection", "The TLS connection to " + config.host() + ":" + config.port() + " failed (" + msg + ").",
                    "With " + SourceConfig.TLS_MODE + "=verify-ca or verify-identity, the server's certificate must be signed by a CA in "
                    + SourceConfig.TLS_CA_FILE + " (or the JVM's trust store), and under verify-identity name the host in "
                    + SourceConfig.HOST + "; a server without TLS needs " + SourceConfig.TLS_MODE + "=disabled or preferred.");
        }
        if (lower.contains("access denied")) {
            return Finding.error("connection", "The server refused user '" + config.user() + "' or its password.",
                    "Check the password, or create the user: CREATE USER '" + config.user() + "'@'%' IDENTIFIED BY '<password>';");
        }
        return Finding.error("connection", "Cannot reach " + config.host() + ":" + config.port() + " ("
                + msg.replace(config.password().isEmpty() ? "\u0000" : config.password(), "****") + ").",
                "Check host and port, that the server runs and listens on a network interface (bind_address), and firewalls.");
    }

    private static void checkServer(Connection c, SourceConfig config, List<Finding> findings) throws SQLException {
        String version = string(c, "SELECT VERSION()");
        SourceServer server = SourceServer.of(version);
        SourceType actual = server.type();
        boolean mariadb = actual == SourceType.MARIADB;
        if (actual != config.type()) {
            findings.add(Finding.error("flavour", "The source is configured as " + config.type().name().toLowerCase(Locale.ROOT)
                    + " but the server is " + (mariadb ? "MariaDB " : "MySQL ") + version + ".",
                    "Set type=" + actual.name().toLowerCase(Locale.ROOT) + "."));
        } else {
            findings.add(versionFinding(version, mariadb));
        }
        boolean logBin = "1".equals(string(c, "SELECT @@GLOBAL.log_bin")) || "ON".equalsIgnoreCase(string(c, "SELECT @@GLOBAL.log_bin"));
        if (!logBin) {
            findings.add(Finding.error("log_bin", "The binary log is off: there is nothing to capture.",
                    "Add log_bin=mysql-bin and server_id=<a unique number> to the [mysqld] section of the server's configuration and restart it."));
        } else {
            findings.add(Finding.ok("log_bin", "The binary log is on."));
        }
        String format = string(c, "SELECT @@GLOBAL.binlog_format");
        findings.add("ROW".equalsIgnoreCase(format) ? Finding.ok("binlog_format", "binlog_format is ROW.")
                : Finding.error("binlog_format", "binlog_format is " + format + "; capture needs ROW.",
                        "SET GLOBAL binlog_format = 'ROW'; and binlog_format=ROW in the server's configuration "
                        + "(sessions keep their format until they reconnect)."));
        String image = string(c, "SELECT @@GLOBAL.binlog_row_image");
        findings.add("FULL".equalsIgnoreCase(image) ? Finding.ok("binlog_row_image", "binlog_row_image is FULL.")
                : Finding.error("binlog_row_image", "binlog_row_image is " + image + "; capture needs FULL before and after images.",
                        "SET GLOBAL binlog_row_image = 'FULL'; and binlog_row_image=FULL in the server's configuration."));
        findings.add(gtidFinding(c, mariadb));
        findings.addAll(grantFindings(c, config, server));
        findings.add(retentionFinding(c, mariadb));
        findings.addAll(serverIdFindings(c, config, server));
    }

    private static Finding versionFinding(String version, boolean mariadb) {
        int[] v = parseVersion(version);
        boolean supported = mariadb ? (v[0] > 10 || (v[0] == 10 && v[1] >= 6)) : v[0] >= 8;
        String name = (mariadb ? "MariaDB " : "MySQL ") + version;
        return supported ? Finding.ok("version", name + " is supported.")
                : Finding.warning("version", name + " is older than the versions Sluice is tested with (MariaDB 10.6+, MySQL 8.0+).",
                        "Upgrade the server, or test capture carefully.");
    }

    private static int[] parseVersion(String version) {
        Matcher m = Pattern.compile("^(\\d+)\\.(\\d+)").matcher(version);
        return m.find() ? new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))} : new int[] {0, 0};
    }

    private static Finding gtidFinding(Connection c, boolean mariadb) throws SQLException {
        if (mariadb) {
            return Finding.ok("gtid", "MariaDB writes GTIDs (domain " + string(c, "SELECT @@GLOBAL.gtid_domain_id") + ").");
        }
        String mode = string(c, "SELECT @@GLOBAL.gtid_mode");
        return "ON".equalsIgnoreCase(mode) ? Finding.ok("gtid", "gtid_mode is ON.")
                : Finding.warning("gtid", "gtid_mode is " + mode + ": after a failover capture cannot find its position on the new primary.",
                        "Enable GTIDs: SET GLOBAL enforce_gtid_consistency = ON; then gtid_mode OFF_PERMISSIVE, ON_PERMISSIVE, ON (one step at a time).");
    }

    private static List<Finding> grantFindings(Connection c, SourceConfig config, SourceServer server) throws SQLException {
        boolean mariadb = server.type() == SourceType.MARIADB;
        String account = string(c, "SELECT CURRENT_USER()");
        String quoted = quoteAccount(account);
        Set<String> global = new LinkedHashSet<>();
        Set<String> selectOn = new LinkedHashSet<>();
        // Privileges granted through roles count: those of the roles a fresh session has, as capture's sessions do.
        String grants = server.grants(string(c, server.activeRoles()));
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(grants)) {
            while (rs.next()) {
                Matcher m = GRANT.matcher(rs.getString(1));
                if (!m.find()) {
                    continue;
                }
                String object = m.group(2).replace("`", "");
                for (String p : m.group(1).split(",")) {
                    String privilege = p.trim().toUpperCase(Locale.ROOT);
                    if ("*.*".equals(object)) {
                        global.add(privilege);
                    } else if (privilege.equals("SELECT") || privilege.startsWith("ALL")) {
                        selectOn.add(object);
                    }
                }
            }
        }
        boolean all = global.contains("ALL PRIVILEGES") || global.contains("ALL");
        List<Finding> out = new ArrayList<>();
        List<String[]> needed = new ArrayList<>();
        needed.add(new String[] {"REPLICATION SLAVE", "read the binlog"});
        needed.add(new String[] {mariadb ? "BINLOG MONITOR" : "REPLICATION CLIENT", "read the binlog position (" + server.binlogStatus() + ")"});
        if (!config.lockFreeSnapshot()) {
            needed.add(new String[] {"RELOAD", "take the snapshot's short global read lock (FLUSH TABLES WITH READ LOCK); "
                    + "or set snapshot.locking=none"});
            needed.add(new String[] {"LOCK TABLES", "lock tables during the snapshot; or set snapshot.locking=none"});
        }
        for (String[] n : needed) {
            boolean has = all || global.contains(n[0]) || (mariadb && n[0].equals("BINLOG MONITOR") && global.contains("REPLICATION CLIENT"));
            out.add(has ? Finding.ok("grant." + n[0], account + " has " + n[0] + ".")
                    : Finding.error("grant." + n[0], account + " lacks " + n[0] + ", needed to " + n[1] + ".",
                            "GRANT " + n[0] + " ON *.* TO " + quoted + ";"));
        }
        boolean canSelect = all || global.contains("SELECT");
        if (!canSelect) {
            List<String> missing = new ArrayList<>();
            for (String db : config.databases()) {
                if (!selectOn.contains(db + ".*")) {
                    missing.add(db);
                }
            }
            canSelect = !config.databases().isEmpty() && missing.isEmpty();
            if (!canSelect) {
                String target = config.databases().isEmpty() ? "*" : missing.get(0);
                out.add(Finding.error("grant.SELECT", account + " lacks SELECT on " + (config.databases().isEmpty() ? "*.*" : missing)
                        + ", needed to snapshot the tables.", "GRANT SELECT ON " + ("*".equals(target) ? "*" : "`" + target + "`") + ".* TO " + quoted + ";"));
                return out;
            }
        }
        out.add(Finding.ok("grant.SELECT", account + " may read the captured tables."));
        return out;
    }

    private static String quoteAccount(String account) {
        int at = account.lastIndexOf('@');
        return at < 0 ? "'" + account + "'" : "'" + account.substring(0, at) + "'@'" + account.substring(at + 1) + "'";
    }

    private static Finding retentionFinding(Connection c, boolean mariadb) throws SQLException {
        long seconds;
        String setting;
        try {
            seconds = Long.parseLong(string(c, "SELECT @@GLOBAL.binlog_expire_logs_seconds"));
            setting = "binlog_expire_logs_seconds";
        } catch (SQLException e) {
            seconds = Math.round(Double.parseDouble(string(c, "SELECT @@GLOBAL.expire_logs_days")) * 86400);
            setting = "expire_logs_days";
        }
        if (seconds == 0) {
            return Finding.ok("binlog_retention", "Binlogs are kept until purged by hand (" + setting + " = 0); watch the disk.");
        }
        String shown = seconds % 3600 == 0 ? (seconds / 3600) + " h" : seconds + " s";
        if (seconds < MIN_RETENTION_SECONDS) {
            return Finding.warning("binlog_retention", "Binlogs are kept " + shown + ": a capture pause longer than that loses "
                    + "its position and needs a new snapshot.", "SET GLOBAL binlog_expire_logs_seconds = 604800; (7 days), also in the server's configuration.");
        }
        return Finding.ok("binlog_retention", "Binlogs are kept " + shown + ".");
    }

    private static List<Finding> serverIdFindings(Connection c, SourceConfig config, SourceServer server) throws SQLException {
        List<Finding> out = new ArrayList<>();
        long own = Long.parseLong(string(c, "SELECT @@GLOBAL.server_id"));
        if (own == config.serverId()) {
            out.add(Finding.error("server_id", "server.id " + config.serverId() + " is the source's own server_id.",
                    "Set server.id to a number that no server or replica of this topology uses."));
            return out;
        }
        List<Long> replicas = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(server.replicas())) {
            while (rs.next()) {
                replicas.add(rs.getLong(1));
            }
        } catch (SQLException e) {
            out.add(Finding.warning("server_id", "server.id " + config.serverId() + " differs from the source's (" + own
                    + "), but the replicas could not be listed (" + e.getMessage() + ").",
                    "Make sure no replica or other capture uses server id " + config.serverId() + "."));
            return out;
        }
        if (replicas.contains(config.serverId())) {
            out.add(Finding.error("server_id", "A replica or capture already connected to the source uses server id " + config.serverId()
                    + " (if this source is running, that may be Sluice itself).", "Pick another server.id; a duplicate disconnects the older connection (error 4052)."));
        } else {
            out.add(Finding.ok("server_id", "server.id " + config.serverId() + " is unique (source " + own + ", replicas " + replicas + ")."));
        }
        return out;
    }

    private static String string(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
