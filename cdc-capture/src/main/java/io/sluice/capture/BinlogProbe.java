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
 * state, and checks that the stored binlog position still exists (see {@link StoredOffsets} for why Debezium alone
 * does not notice on MariaDB). With {@code snapshot.mode=when_needed} a purged position starts a new snapshot: the
 * old offsets and history are kept beside the new ones with a {@code .purged-<time>} suffix.
 */
final class BinlogProbe {
    /** Logs under the worker's name, which operators filter a source's capture by. */
    private static final Logger LOG = LoggerFactory.getLogger(CaptureWorker.class);

    private BinlogProbe() {
    }

    /**
     * Probes the source and its stored position.
     *
     * @param redone told when a purged position makes the worker take the snapshot again
     * @return why the source cannot start, or null when it can
     */
    static CaptureFailure probe(SourceConfig config, StoredState stored, Clock clock, Consumer<RedoneSnapshot> redone) {
        String url = config.type().jdbcUrl(config.host(), config.port()) + "?connectTimeout=" + config.connectTimeoutMs();
        try (Connection c = DriverManager.getConnection(url, config.user(), config.password())) {
            Optional<String> file = StoredOffsets.binlogFile(stored.offsetsFile());
            if (file.isEmpty() || binlogFiles(c).contains(file.get())) {
                return null;
            }
            if (config.snapshotMode() != SnapshotMode.WHEN_NEEDED) {
                return Failures.binlogPurged(config, file.get());
            }
            String suffix = ".purged-" + clock.millis();
            stored.setAside(suffix);
            redone.accept(RedoneSnapshot.BINLOG_PURGED);
            LOG.warn("source={} stored binlog file {} was purged; starting a new snapshot (old state kept with suffix {})",
                    config.name(), file.get(), suffix);
            return null;
        } catch (SQLException e) {
            return Failures.fromConnect(config, e);
        } catch (IOException e) {
            return new CaptureFailure(CaptureFailure.Kind.CONFIGURATION, "Cannot read or move the stored offsets of source '"
                    + config.name() + "' in " + stored.dir() + ": " + e.getMessage(), "Check the data directory's permissions and contents.");
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
