package io.sluice.capture;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the binlog file name out of the offsets file of a source ({@link AtomicFileOffsetBackingStore}'s format,
 * the same as Kafka's FileOffsetBackingStore: a serialized map of JSON keys to JSON values), so that the worker can check that the file still exists before
 * it starts Debezium.
 *
 * <p>Why: with MariaDB GTIDs, Debezium 3.5 treats a stored position whose binlog was purged as available (MariaDB
 * has no {@code gtid_purged}), and MariaDB then streams from the oldest GTID it has: the changes in the purged
 * files are skipped without an error. Checking the file name closes that silent gap.
 */
final class StoredOffsets {
    private static final Pattern FILE = Pattern.compile("\"file\"\\s*:\\s*\"([^\"]+)\"");

    private StoredOffsets() {
    }

    /**
     * The binlog file of the stored offset.
     *
     * @return empty if there is no offset file or it holds no binlog position
     * @throws IOException if the file exists but cannot be read
     */
    static Optional<String> binlogFile(Path offsetsFile) throws IOException {
        if (!Files.exists(offsetsFile) || Files.size(offsetsFile) == 0) {
            return Optional.empty();
        }
        try (InputStream in = Files.newInputStream(offsetsFile); ObjectInputStream ois = new ObjectInputStream(in)) {
            Object raw = ois.readObject();
            if (!(raw instanceof Map<?, ?> map)) {
                throw new IOException(offsetsFile + " does not hold a map of offsets");
            }
            for (Object value : map.values()) {
                if (value instanceof byte[] bytes) {
                    Matcher m = FILE.matcher(new String(bytes, StandardCharsets.UTF_8));
                    if (m.find()) {
                        return Optional.of(m.group(1));
                    }
                }
            }
            return Optional.empty();
        } catch (ClassNotFoundException e) {
            throw new IOException(offsetsFile + " holds an unexpected class: " + e.getMessage(), e);
        }
    }
}
