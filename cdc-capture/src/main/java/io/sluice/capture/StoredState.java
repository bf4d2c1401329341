package io.sluice.capture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A source's stored state in its directory ({@link SourceConfig#sourceDir()}): Debezium's offsets and schema
 * history, which the engine settings point at, and Sluice's version guard. Stateless apart from the directory;
 * thread-safe.
 */
final class StoredState {
    static final String OFFSETS_FILE = "offsets.dat";
    static final String HISTORY_FILE = "schema-history.dat";
    static final String VERSION_GUARD_FILE = "version-guard.properties";

    private final Path dir;

    StoredState(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    Path offsetsFile() {
        return dir.resolve(OFFSETS_FILE);
    }

    Path historyFile() {
        return dir.resolve(HISTORY_FILE);
    }

    Path versionGuardFile() {
        return dir.resolve(VERSION_GUARD_FILE);
    }

    /** Offsets without a schema history: the binlog past the offset cannot be decoded safely. */
    boolean historyMissing() {
        return nonEmpty(offsetsFile()) && !nonEmpty(historyFile());
    }

    /**
     * Whether the next engine takes the snapshot again because the last one did not complete it: the stored offset
     * lies inside a snapshot, or there is none while the schema history is kept (an engine records the tables'
     * schemas as its snapshot begins, so it had begun, and stopped before its first checkpoint).
     *
     * @throws IOException if the offsets file exists but cannot be read
     */
    boolean snapshotCutShort() throws IOException {
        return StoredOffsets.insideSnapshot(offsetsFile()) || (!nonEmpty(offsetsFile()) && nonEmpty(historyFile()));
    }

    /**
     * Renames the offsets and the schema history with {@code suffix} beside the originals; the version guard stays.
     *
     * @return the files as they are named now; empty when there was nothing stored
     * @throws IOException if a file cannot be renamed; the files renamed before stay renamed
     */
    List<Path> setAside(String suffix) throws IOException {
        List<Path> moved = new ArrayList<>();
        for (String name : List.of(OFFSETS_FILE, HISTORY_FILE)) {
            Path file = dir.resolve(name);
            if (Files.exists(file)) {
                moved.add(Files.move(file, dir.resolve(name + suffix)));
            }
        }
        return moved;
    }

    private static boolean nonEmpty(Path file) {
        try {
            return Files.exists(file) && Files.size(file) > 0;
        } catch (IOException e) {
            return false;
        }
    }
}
