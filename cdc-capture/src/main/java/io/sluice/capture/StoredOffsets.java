package io.sluice.capture;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the offsets file of a source ({@link AtomicFileOffsetBackingStore}'s format, the same as Kafka's
 * FileOffsetBackingStore: a serialized map of JSON keys to JSON values) before the worker starts Debezium: the binlog
 * file name, so that the worker can check that the file still exists, and whether the offset lies inside a snapshot.
 *
 * <p>Why: with MariaDB GTIDs, Debezium 3.5 treats a stored position whose binlog was purged as available (MariaDB
 * has no {@code gtid_purged}), and MariaDB then streams from the oldest GTID it has: the changes in the purged
 * files are skipped without an error. Checking the file name closes that silent gap.
 */
final class StoredOffsets {
    private static final Pattern FILE = Pattern.compile("\"file\"\\s*:\\s*\"([^\"]+)\"");

    private StoredOffsets() {
    }

    /** Debezium's binlog connectors store {@code "snapshot": "INITIAL"} (older versions {@code true}) while a snapshot runs. */
    private static final Pattern IN_SNAPSHOT = Pattern.compile("\"snapshot\"\\s*:\\s*(\"[^\"]+\"|true)");
    private static final Pattern SNAPSHOT_COMPLETED = Pattern.compile("\"snapshot_completed\"\\s*:\\s*true");

    /**
     * The binlog file of the stored offset.
     *
     * @return empty if there is no offset file or it holds no binlog position
     * @throws IOException if the file exists but cannot be read
     */
    static Optional<String> binlogFile(Path offsetsFile) throws IOException {
        for (String offset : offsets(offsetsFile)) {
            Matcher m = FILE.matcher(offset);
            if (m.find()) {
                return Optional.of(m.group(1));
            }
        }
        return Optional.empty();
    }

    /**
     * Whether the stored offset lies inside a snapshot that did not complete: the next engine takes the snapshot
     * again from its start.
     *
     * @return false if there is no offset file, or its offset is past the snapshot
     * @throws IOException if the file exists but cannot be read
     */
    static boolean insideSnapshot(Path offsetsFile) throws IOException {
        for (String offset : offsets(offsetsFile)) {
            if (IN_SNAPSHOT.matcher(offset).find() && !SNAPSHOT_COMPLETED.matcher(offset).find()) {
                return true;
            }
        }
        return false;
    }

    /** The stored offsets as JSON text, one per source partition; empty without a file. */
    private static List<String> offsets(Path offsetsFile) throws IOException {
        if (!Files.exists(offsetsFile) || Files.size(offsetsFile) == 0) {
            return List.of();
        }
        try (InputStream in = Files.newInputStream(offsetsFile); ObjectInputStream ois = new ObjectInputStream(in)) {
            Object raw = ois.readObject();
            if (!(raw instanceof Map<?, ?> map)) {
                throw new IOException(offsetsFile + " does not hold a map of offsets");
            }
            List<String> offsets = new ArrayList<>();
            for (Object value : map.values()) {
                if (value instanceof byte[] bytes) {
                    offsets.add(new String(bytes, StandardCharsets.UTF_8));
                }
            }
            return offsets;
        } catch (ClassNotFoundException e) {
            throw new IOException(offsetsFile + " holds an unexpected class: " + e.getMessage(), e);
        }
    }
}
