package io.sluice.capture;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects to a source once before Debezium does, so that a wrong password or host fails at once with a clear
 * state, finds out which server it is, and checks that the stored binlog position still exists (see
 * {@link StoredOffsets} for why Debezium alone does not notice on MariaDB). With {@code snapshot.mode=when_needed} a
 * purged position starts a new snapshot: the old offsets and history are kept beside the new ones with a
 * {@code .purged-<time>} suffix.
 *
 * <p>On a server other than the one capture read from before (a failover), the stored file name means nothing: the
 * stored GTIDs say where to resume, moved back to the last transaction the server holds when it never received the
 * last ones capture read ({@link GtidResume}). Without stored GTIDs there is no way to resume there.
 */
final class BinlogProbe {
    /** Logs under the worker's name, which operators filter a source's capture by. */
    private static final Logger LOG = LoggerFactory.getLogger(CaptureWorker.class);

    private BinlogProbe() {
    }

    /**
     * What the probe found: the server's identity ({@code @@server_id} on MariaDB, {@code @@server_uuid} on MySQL) when
     * the source can start, else why it cannot.
     */
    record Probed(String server, CaptureFailure failure) {
        static Probed failed(CaptureFailure failure) {
            return new Probed(null, failure);
        }
    }

    /**
     * Probes the source and its stored position.
     *
     * @param before the identity of the server capture read from before, or null if none was recorded
     * @param redone told when a purged position makes the worker take the snapshot again
     */
    static Probed probe(SourceConfig config, StoredState stored, String before, Clock clock, Consumer<RedoneSnapshot> redone) {
        return connected(config, stored, (c, server) -> {
            Probed moved = onOtherServer(config, stored, c, before, server);
            if (moved != null) {
                return moved; // the stored file name means nothing on another server
            }
            Optional<String> file = StoredOffsets.binlogFile(stored.offsetsFile());
            if (file.isEmpty() || binlogFiles(c).contains(file.get())) {
                return new Probed(server, null);
            }
            if (config.snapshotMode() != SnapshotMode.WHEN_NEEDED) {
                return Probed.failed(Failures.binlogPurged(config, file.get()));
            }
            String suffix = ".purged-" + clock.millis();
            stored.setAside(suffix);
            redone.accept(RedoneSnapshot.BINLOG_PURGED);
            LOG.warn("source={} stored binlog file {} was purged; starting a new snapshot (old state kept with suffix {})",
                    config.name(), file.get(), suffix);
            return new Probed(server, null);
        });
    }

    /**
     * Asks the server behind the source's address who it is, before an engine restart, and prepares to resume by GTID
     * when it is another server than before (a failover while capture ran); no other check.
     *
     * @param before the identity of the server capture read from before, or null if none was recorded
     */
    static Probed identify(SourceConfig config, StoredState stored, String before) {
        return connected(config, stored, (c, server) -> {
            Probed moved = onOtherServer(config, stored, c, before, server);
            return moved != null ? moved : new Probed(server, null);
        });
    }

    /**
     * The identity of the server behind the source's address now.
     *
     * @throws SQLException when it cannot be asked
     */
    static String serverIdentity(SourceConfig config) throws SQLException {
        try (Connection c = open(config)) {
            return identity(config, c);
        }
    }

    /** What a probe does once connected, knowing the server's identity. */
    @FunctionalInterface
    private interface Connected {
        Probed on(Connection c, String server) throws SQLException, IOException;
    }

    /** Connects, asks the server's identity and runs the rest; a failure to connect or to read the stored state is the answer. */
    private static Probed connected(SourceConfig config, StoredState stored, Connected then) {
        try (Connection c = open(config)) {
            return then.on(c, identity(config, c));
        } catch (SQLException e) {
            return Probed.failed(Failures.fromConnect(config, e));
        } catch (IOException e) {
            return Probed.failed(new CaptureFailure(CaptureFailure.Kind.CONFIGURATION, "Cannot read or change the stored offsets of source '"
                    + config.name() + "' in " + stored.dir() + ": " + e.getMessage(), "Check the data directory's permissions and contents."));
        }
    }

    /**
     * On another server than before, with a stored position: capture resumes there by GTID.
     *
     * @return what the probe found, or null when it is the same server (or nothing was stored or recorded)
     */
    private static Probed onOtherServer(SourceConfig config, StoredState stored, Connection c, String before, String server)
            throws SQLException, IOException {
        if (before == null || before.equals(server) || StoredOffsets.binlogFile(stored.offsetsFile()).isEmpty()) {
            return null;
        }
        return new Probed(server, resumeElsewhere(config, stored, c, ServerChange.describe(config.type(), before),
                ServerChange.describe(config.type(), server)));
    }

    /**
     * Prepares to resume on another server by the stored GTIDs (moved back on a MariaDB server that never received the
     * last of them).
     *
     * @return why capture cannot resume there, or null when it can
     */
    private static CaptureFailure resumeElsewhere(SourceConfig config, StoredState stored, Connection c, String before, String now)
            throws SQLException, IOException {
        Optional<String> gtids = StoredOffsets.gtids(stored.offsetsFile());
        if (gtids.isEmpty()) {
            return new CaptureFailure(CaptureFailure.Kind.POSITION_REGRESSED, "Source '" + config.name() + "' was read from "
                    + before + " and its host now leads to " + now + ", but its stored position has no GTIDs: a binlog file and position"
                    + " of one server mean nothing on another.", "Turn GTIDs on (MySQL: gtid_mode=ON and enforce_gtid_consistency=ON)"
                    + " before a failover; now, start a new snapshot: remove the source's offsets and start it with"
                    + " snapshot.mode=when_needed (see docs/versions.md).");
        }
        if (config.type() == SourceType.MYSQL) {
            return null; // MySQL's GTID sets carry every transaction: Debezium resumes from the set as stored
        }
        GtidResume resume = GtidResume.of(gtids.get(), value(c, "SELECT @@gtid_binlog_state"));
        if (!resume.behind().isEmpty()) {
            StoredOffsets.replaceGtids(stored.offsetsFile(), resume.gtids());
            LOG.warn("source={} now reads from {} (before: {}), which never received {}: resuming after {}; a verification with repair"
                    + " follows", config.name(), now, before, resume.behind(), resume.gtids());
        }
        return null;
    }

    private static Connection open(SourceConfig config) throws SQLException {
        return DriverManager.getConnection(config.jdbcUrl(), config.user(), config.password());
    }

    private static String identity(SourceConfig config, Connection c) throws SQLException {
        return value(c, config.type() == SourceType.MYSQL ? "SELECT @@server_uuid" : "SELECT @@server_id");
    }

    private static String value(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() && rs.getString(1) != null ? rs.getString(1) : "";
        }
    }

    private static List<String> binlogFiles(Connection c) throws SQLException {
        List<String> files = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW BINARY LOGS")) {
            while (rs.next()) {
                files.add(rs.getString(1));
            }
        }
        return files;
    }
}
