package io.sluice.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The temporary directories that embedded servers (and the test kit's) keep their files in, removed when they close. */
public final class ScratchDirectories {
    private ScratchDirectories() {
    }

    /**
     * Deletes a directory with everything in it. Never throws: it also runs from shutdown hooks; what it cannot
     * delete it reports on standard error.
     *
     * @param dir the directory; nothing happens when it is null or gone
     */
    public static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("sluice: could not delete " + dir + ": " + e.getMessage());
        }
    }
}
