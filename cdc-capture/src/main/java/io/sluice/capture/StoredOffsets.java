package io.sluice.capture;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
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
    private static final Pattern SKIPS = Pattern.compile(",?\\s*\"(event|row)\"\\s*:\\s*\\d+");
    private static final Pattern GTIDS = Pattern.compile("\"gtids\"\\s*:\\s*\"([^\"]*)\"");

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
     * The GTID set of the stored offset: Debezium stores it when the server has GTIDs (MariaDB always has), and then
     * resumes from it rather than from the file and position.
     *
     * @return empty if there is no offset file or its offset holds no GTIDs
     * @throws IOException if the file exists but cannot be read
     */
    static Optional<String> gtids(Path offsetsFile) throws IOException {
        for (String offset : offsets(offsetsFile)) {
            Matcher m = GTIDS.matcher(offset);
            if (m.find() && !m.group(1).isBlank()) {
                return Optional.of(m.group(1));
            }
        }
        return Optional.empty();
    }

    /**
     * Replaces the GTID set of the stored offset, atomically (a temporary file renamed over the old one), and drops the
     * counts of events and rows to skip after it: they count within the transaction after the old GTIDs, not the new.
     *
     * @throws IOException if the file cannot be read or written
     */
    static void replaceGtids(Path offsetsFile, String gtids) throws IOException {
        Map<byte[], byte[]> raw = read(offsetsFile);
        Map<byte[], byte[]> out = new HashMap<>();
        raw.forEach((k, v) -> {
            if (v == null) {
                out.put(k, null);
                return;
            }
            String offset = GTIDS.matcher(new String(v, StandardCharsets.UTF_8)).replaceFirst(Matcher.quoteReplacement("\"gtids\":\"" + gtids
                    + "\""));
            out.put(k, SKIPS.matcher(offset).replaceAll("").replace("{,", "{").getBytes(StandardCharsets.UTF_8));
        });
        Path tmp = offsetsFile.resolveSibling(offsetsFile.getFileName() + ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp); ObjectOutputStream oos = new ObjectOutputStream(os)) {
            oos.writeObject(new HashMap<>(out));
        }
        Files.move(tmp, offsetsFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
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
        List<String> offsets = new ArrayList<>();
        for (byte[] value : read(offsetsFile).values()) {
            if (value != null) {
                offsets.add(new String(value, StandardCharsets.UTF_8));
            }
        }
        return offsets;
    }

    /** The stored map of key bytes to value bytes; empty without a file. */
    private static Map<byte[], byte[]> read(Path offsetsFile) throws IOException {
        if (!Files.exists(offsetsFile) || Files.size(offsetsFile) == 0) {
            return Map.of();
        }
        try (InputStream in = Files.newInputStream(offsetsFile); ObjectInputStream ois = new ObjectInputStream(in)) {
            Object raw = ois.readObject();
            if (!(raw instanceof Map<?, ?> map)) {
                throw new IOException(offsetsFile + " does not hold a map of offsets");
            }
            Map<byte[], byte[]> out = new HashMap<>();
            map.forEach((k, v) -> out.put((byte[]) k, (byte[]) v));
            return out;
        } catch (ClassNotFoundException | ClassCastException e) {
            throw new IOException(offsetsFile + " holds an unexpected class: " + e.getMessage(), e);
        }
    }
}
