package io.sluice.capture;

import io.sluice.event.EventVersion;
import io.sluice.event.VersionOverflowException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;

/**
 * Remembers the highest binlog file number (per version epoch) whose events a consumer acknowledged, so that a
 * binlog that went backwards on one server (RESET MASTER) stops capture instead of writing events whose versions would
 * lose against older ones; and the server capture reads from, so that another server (a failover) moves the versions
 * to the next epoch by itself ({@link #serverIs}).
 *
 * <p>The file is rewritten only when the file number grows (a binlog rotation), atomically. Not thread-safe:
 * used by the capture thread only.
 */
final class PositionGuard {
    private final Path file;
    private int epoch;
    private long fileNumber;
    /** The identity of the server read from, or null before the first start that recorded it. */
    private String server;

    PositionGuard(Path file) {
        this.file = file;
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        this.epoch = Integer.parseInt(p.getProperty("epoch", "0"));
        this.fileNumber = Long.parseLong(p.getProperty("file.number", "-1"));
        this.server = p.getProperty("server");
    }

    /** The epoch of the versions written from now on. */
    int epoch() {
        return epoch;
    }

    /** The server capture read from last, or null if none was recorded. */
    String server() {
        return server;
    }

    /**
     * Records the server capture reads from. When it is not the one before, the epoch moves up one and the file number
     * starts over: the new server's binlog numbers say nothing about the old one's.
     *
     * @param type the source's type, for the identity's words
     * @return the change, or empty when it is the same server (or the first one recorded)
     * @throws VersionOverflowException when the epoch is already the last one
     */
    Optional<ServerChange> serverIs(SourceType type, String identity) {
        if (identity.equals(server)) {
            return Optional.empty();
        }
        String before = server;
        if (before == null) {
            server = identity;
            save();
            return Optional.empty();
        }
        if (epoch >= EventVersion.MAX_EPOCH) {
            throw new VersionOverflowException("the source's server changed from " + ServerChange.describe(type, before) + " to "
                    + ServerChange.describe(type, identity) + ", but its versions are already under the last epoch (" + EventVersion.MAX_EPOCH
                    + "); see docs/versions.md");
        }
        epoch++;
        fileNumber = -1;
        server = identity;
        save();
        return Optional.of(new ServerChange(ServerChange.describe(type, before), ServerChange.describe(type, identity), epoch));
    }

    /**
     * Checks the configured epoch against the stored one.
     *
     * @return a failure if the configured epoch is lower than one already used, else null
     */
    CaptureFailure checkEpoch(String source, int configuredEpoch) {
        if (configuredEpoch < epoch) {
            return new CaptureFailure(CaptureFailure.Kind.CONFIGURATION, "Source '" + source + "' is configured with version.epoch="
                    + configuredEpoch + " but already wrote versions under epoch " + epoch + ".",
                    "Set version.epoch to " + epoch + " or higher.");
        }
        if (configuredEpoch > epoch) {
            epoch = configuredEpoch;
            fileNumber = -1;
            save();
        }
        return null;
    }

    /** @return a failure if an event of this version lies in an older binlog file than one already acknowledged */
    CaptureFailure check(String source, long version, String binlogFile) {
        EventVersion.Parts parts = EventVersion.decode(version);
        if (parts.epoch() == epoch && parts.fileNumber() < fileNumber) {
            return new CaptureFailure(CaptureFailure.Kind.POSITION_REGRESSED, "Source '" + source + "' delivered an event from binlog file "
                    + binlogFile + ", older than file number " + fileNumber + " already captured: the binlog went backwards "
                    + "on the same server (RESET MASTER, or a restore from a backup). Capture stopped before writing anything older.",
                    "Raise version.epoch to " + (epoch + 1) + " and start a new snapshot (snapshot.mode=when_needed after "
                    + "removing the source's offsets), so that every new version beats the old ones; see docs/versions.md.");
        }
        return null;
    }

    /** Records that events up to this version were acknowledged. */
    void acknowledged(long version) {
        EventVersion.Parts parts = EventVersion.decode(version);
        if (parts.epoch() == epoch && parts.fileNumber() > fileNumber) {
            fileNumber = parts.fileNumber();
            save();
        }
    }

    private void save() {
        Properties p = new Properties();
        p.setProperty("epoch", Integer.toString(epoch));
        p.setProperty("file.number", Long.toString(fileNumber));
        if (server != null) {
            p.setProperty("server", server);
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                p.store(out, "Sluice version guard: highest acknowledged binlog file per epoch, and the server read from");
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
