package io.sluice.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.capture.SourceConfig;
import io.sluice.embedded.MariaDbServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PreflightIT {
    private static final String ALL_GRANTS = "SELECT, RELOAD, REPLICATION SLAVE, BINLOG MONITOR, LOCK TABLES";
    static MariaDbServer db;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void start() {
        db = MariaDbServer.shared();
        db.recreateDatabase("preflight_db");
    }

    @Test
    void shouldPassAWellConfiguredSource() {
        db.createUser("pf_ok", "pw-ok-1", ALL_GRANTS + " ON *.*");
        PreflightReport report = Preflight.run(config(db, "pf_ok", "pw-ok-1", Map.of()));
        assertThat(report.errors()).isEmpty();
        assertThat(report.finding("log_bin").orElseThrow().severity()).isEqualTo(Severity.OK);
        assertThat(report.finding("gtid").orElseThrow().severity()).isEqualTo(Severity.OK);
        assertThat(report.finding("server_id").orElseThrow().severity()).isNotEqualTo(Severity.ERROR);
    }

    @Test
    void shouldFlagStatementBinlogFormat() {
        db.createUser("pf_fmt", "pw-fmt-1", ALL_GRANTS + " ON *.*");
        try {
            db.execute("SET GLOBAL binlog_format = 'STATEMENT'");
            Finding f = Preflight.run(config(db, "pf_fmt", "pw-fmt-1", Map.of())).finding("binlog_format").orElseThrow();
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.message()).contains("STATEMENT");
            assertThat(f.fix()).contains("SET GLOBAL binlog_format = 'ROW'");
        } finally {
            db.execute("SET GLOBAL binlog_format = 'ROW'");
        }
    }

    @Test
    void shouldFlagMinimalRowImage() {
        db.createUser("pf_img", "pw-img-1", ALL_GRANTS + " ON *.*");
        try {
            db.execute("SET GLOBAL binlog_row_image = 'MINIMAL'");
            Finding f = Preflight.run(config(db, "pf_img", "pw-img-1", Map.of())).finding("binlog_row_image").orElseThrow();
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.fix()).contains("SET GLOBAL binlog_row_image = 'FULL'");
        } finally {
            db.execute("SET GLOBAL binlog_row_image = 'FULL'");
        }
    }

    @Test
    void shouldFlagShortBinlogRetention() {
        db.createUser("pf_ret", "pw-ret-1", ALL_GRANTS + " ON *.*");
        try {
            db.execute("SET GLOBAL binlog_expire_logs_seconds = 3600");
            Finding f = Preflight.run(config(db, "pf_ret", "pw-ret-1", Map.of())).finding("binlog_retention").orElseThrow();
            assertThat(f.severity()).isEqualTo(Severity.WARNING);
            assertThat(f.message()).contains("1 h");
        } finally {
            db.execute("SET GLOBAL binlog_expire_logs_seconds = 0");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"REPLICATION SLAVE", "BINLOG MONITOR", "RELOAD", "LOCK TABLES", "SELECT"})
    void shouldFlagEachMissingGrantWithTheGrantStatementThatFixesIt(String missing) {
        String grants = List.of(ALL_GRANTS.split(", ")).stream().filter(g -> !g.equals(missing))
                .reduce((a, b) -> a + ", " + b).orElseThrow();
        String user = "pf_g" + Math.abs(missing.hashCode() % 10000);
        db.createUser(user, "pw-grant-1", grants + " ON *.*");

        PreflightReport report = Preflight.run(config(db, user, "pw-grant-1", Map.of()));

        assertThat(report.errors()).extracting(Finding::check).containsExactly("grant." + missing);
        Finding f = report.errors().get(0);
        assertThat(f.fix()).startsWith("GRANT " + missing + " ON ").contains("'" + user + "'@'%'");
    }

    @Test
    void shouldNotAskForLockGrantsWhenTheSnapshotTakesNoLock() {
        db.createUser("pf_nolock", "pw-nl-1", "SELECT, REPLICATION SLAVE, BINLOG MONITOR ON *.*");
        PreflightReport report = Preflight.run(config(db, "pf_nolock", "pw-nl-1", Map.of(SourceConfig.SNAPSHOT_LOCKING, "none")));
        assertThat(report.errors()).isEmpty();
    }

    @Test
    void shouldAcceptSelectGrantedOnTheCapturedDatabaseOnly() {
        db.createUser("pf_dbsel", "pw-ds-1", "RELOAD, REPLICATION SLAVE, BINLOG MONITOR, LOCK TABLES ON *.*", "SELECT ON `preflight_db`.*");
        assertThat(Preflight.run(config(db, "pf_dbsel", "pw-ds-1", Map.of())).errors()).isEmpty();
    }

    @Test
    void shouldCountTheGrantsOfTheUsersDefaultRole() {
        db.execute("DROP ROLE IF EXISTS pf_capture_role", "CREATE ROLE pf_capture_role", "GRANT " + ALL_GRANTS + " ON *.* TO pf_capture_role");
        db.createUser("pf_role", "pw-role-1", "USAGE ON *.*");
        db.execute("GRANT pf_capture_role TO 'pf_role'@'%'", "SET DEFAULT ROLE pf_capture_role FOR 'pf_role'@'%'");

        PreflightReport report = Preflight.run(config(db, "pf_role", "pw-role-1", Map.of()));

        assertThat(report.errors()).isEmpty();
        assertThat(report.finding("grant.REPLICATION SLAVE").orElseThrow().severity()).isEqualTo(Severity.OK);
    }

    @Test
    void shouldFlagAServerIdClashWithTheSource() {
        db.createUser("pf_sid", "pw-sid-1", ALL_GRANTS + " ON *.*");
        Finding f = Preflight.run(config(db, "pf_sid", "pw-sid-1", Map.of(SourceConfig.SERVER_ID, "1"))).finding("server_id").orElseThrow();
        assertThat(f.severity()).isEqualTo(Severity.ERROR);
        assertThat(f.message()).contains("source's own server_id");
    }

    @Test
    void shouldFlagAWrongPasswordWithoutRevealingIt() {
        db.createUser("pf_pw", "right-password", ALL_GRANTS + " ON *.*");
        PreflightReport report = Preflight.run(config(db, "pf_pw", "wrong-password-123", Map.of()));
        assertThat(report.findings()).hasSize(1);
        Finding f = report.findings().get(0);
        assertThat(f.check()).isEqualTo("connection");
        assertThat(f.severity()).isEqualTo(Severity.ERROR);
        assertThat(f.toString()).doesNotContain("wrong-password-123").contains("pf_pw");
    }

    @Test
    void shouldFlagAServerWithTheBinlogOff() {
        try (MariaDbServer noBinlog = MariaDbServer.start(MariaDbServer.Options.defaults().withBinlog(false))) {
            noBinlog.createUser("pf_nobin", "pw-nb-1", ALL_GRANTS + " ON *.*");
            PreflightReport report = Preflight.run(config(noBinlog, "pf_nobin", "pw-nb-1", Map.of()));
            Finding f = report.finding("log_bin").orElseThrow();
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.fix()).contains("log_bin=mysql-bin");
        }
    }

    @Test
    void shouldFlagAWrongFlavour() {
        db.createUser("pf_fl", "pw-fl-1", ALL_GRANTS + " ON *.*");
        Finding f = Preflight.run(config(db, "pf_fl", "pw-fl-1", Map.of(SourceConfig.TYPE, "mysql"))).finding("flavour").orElseThrow();
        assertThat(f.severity()).isEqualTo(Severity.ERROR);
        assertThat(f.fix()).isEqualTo("Set type=mariadb.");
    }

    private SourceConfig config(MariaDbServer server, String user, String password, Map<String, String> extra) {
        Map<String, String> p = new HashMap<>();
        p.put(SourceConfig.NAME, "preflight");
        p.put(SourceConfig.TYPE, "mariadb");
        p.put(SourceConfig.HOST, server.host());
        p.put(SourceConfig.PORT, Integer.toString(server.port()));
        p.put(SourceConfig.USER, user);
        p.put(SourceConfig.PASSWORD, password);
        p.put(SourceConfig.DATABASES, "preflight_db");
        p.put(SourceConfig.SERVER_ID, "9001");
        p.put(SourceConfig.DATA_DIR, dataDir.toString());
        p.putAll(extra);
        return SourceConfig.parse(p);
    }
}
