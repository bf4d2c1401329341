package io.sluice.admin.leadership;

import io.sluice.admin.SluiceConfig;
import io.sluice.capture.SourceConfig;
import io.sluice.metadata.MetadataDb;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Keeps each source's capture state ({@link SourceConfig#STATE_FILES} in its directory) in the metadata database
 * while this server leads, and writes it back into the data directory when a server becomes the leader: the new
 * leader resumes capture at the last state the old one mirrored (a second or so behind its last checkpoint; the
 * changes since are read again and written with the same versions, so the targets do not move backwards).
 *
 * <p>Offsets are read before the schema history, and the history only up to its last complete line: the mirrored
 * history always covers the mirrored offsets. Every mirror write checks, in its own transaction, that this server
 * still holds the lease of its epoch. Thread-safe.
 */
@ApplicationScoped
public class SourceStateMirror {
    private static final Logger LOG = Logger.getLogger(SourceStateMirror.class);

    @Inject
    MetadataDb db;

    @Inject
    SluiceConfig config;

    @Inject
    Clock clock;

    /** What was mirrored last, by {@code <source>/<file>}: modification time and size, so that unchanged files are not read. */
    private final Map<String, String> mirrored = new HashMap<>();

    /** A file's content to store. */
    private record Snapshot(String source, String file, String stamp, byte[] content) {
    }

    /**
     * Writes every changed state file to the database, if {@code me} still holds the lease of {@code epoch}.
     *
     * @return false when it no longer does (nothing was written)
     */
    synchronized boolean mirror(String me, long epoch) {
        List<Snapshot> changed = new ArrayList<>();
        for (Path dir : sourceDirs()) {
            String source = dir.getFileName().toString();
            for (String file : SourceConfig.STATE_FILES) {
                Path path = dir.resolve(file);
                try {
                    if (!Files.isRegularFile(path)) {
                        continue;
                    }
                    String stamp = Files.getLastModifiedTime(path).toMillis() + ":" + Files.size(path);
                    if (stamp.equals(mirrored.get(source + "/" + file))) {
                        continue;
                    }
                    byte[] content = Files.readAllBytes(path);
                    changed.add(new Snapshot(source, file, stamp, file.equals(SourceConfig.SCHEMA_HISTORY_FILE) ? completeLines(content) : content));
                } catch (IOException e) {
                    LOG.warnf("could not read %s to mirror it: %s", path, e.toString());
                }
            }
        }
        if (changed.isEmpty()) {
            return true;
        }
        Timestamp now = Timestamp.from(clock.instant());
        boolean held = db.inTransaction(c -> {
            if (!LeaderLease.holds(c, me, epoch)) {
                return false;
            }
            for (Snapshot s : changed) {
                MetadataDb.update(c, "INSERT INTO source_state (source, file, content, epoch, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT"
                        + " (source, file) DO UPDATE SET content = EXCLUDED.content, epoch = EXCLUDED.epoch, updated_at = EXCLUDED.updated_at",
                        s.source(), s.file(), Base64.getEncoder().encodeToString(s.content()), epoch, now);
            }
            return true;
        });
        if (held) {
            changed.forEach(s -> mirrored.put(s.source() + "/" + s.file(), s.stamp()));
        }
        return held;
    }

    /**
     * Replaces the capture state in the data directory of every source the database holds state of with that state
     * (a state file the database lacks is removed); sources it holds nothing of keep what they have.
     */
    synchronized void restore() {
        Map<String, Map<String, byte[]>> stored = new HashMap<>();
        db.list("SELECT source, file, content FROM source_state", rs -> {
            stored.computeIfAbsent(rs.getString(1), k -> new HashMap<>()).put(rs.getString(2), Base64.getDecoder().decode(rs.getString(3)));
            return null;
        });
        stored.forEach((source, files) -> {
            Path dir = Path.of(config.dataDir(), "sources", source);
            try {
                Files.createDirectories(dir);
                for (String file : SourceConfig.STATE_FILES) {
                    Path path = dir.resolve(file);
                    byte[] content = files.get(file);
                    if (content == null) {
                        Files.deleteIfExists(path);
                    } else {
                        Path tmp = dir.resolve(file + ".restoring");
                        Files.write(tmp, content);
                        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("could not restore the capture state of source '" + source + "' into " + dir, e);
            }
            LOG.infof("source %s: capture state restored from the metadata database (%s)", source, files.keySet());
        });
        mirrored.clear();
    }

    private List<Path> sourceDirs() {
        Path root = Path.of(config.dataDir(), "sources");
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(Files::isDirectory).toList();
        } catch (IOException e) {
            LOG.warnf("could not list %s: %s", root, e.toString());
            return List.of();
        }
    }

    /** The content up to its last line break: a line being appended is left for the next mirror. */
    private static byte[] completeLines(byte[] content) {
        int end = content.length;
        while (end > 0 && content[end - 1] != '\n') {
            end--;
        }
        return end == content.length ? content : Arrays.copyOf(content, end);
    }
}
