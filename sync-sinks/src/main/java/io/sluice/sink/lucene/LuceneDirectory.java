package io.sluice.sink.lucene;

import io.sluice.sink.FatalSinkException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.FSDirectory;

/**
 * A Lucene sink's directory ({@code lucene.dir}): one index directory per target, opened on first use and kept
 * open, and beside them the sink's own files: {@value LuceneSink#GENERATION_FILE}, the target's
 * {@linkplain #generation() generation}, and {@value #INDEXES_FILE}, the indexes created there, one name a line
 * (no index can take either name: index names are lower case).
 *
 * <p>Lucene closes an index's writer for good when a write or a background merge fails inside it (a full or
 * failing disk), and what it held since the last commit is gone. Such an index is put aside, so that it reopens at
 * its last commit on next use, rather than failing every write until the server restarts.
 *
 * <p>Thread-safe: the writing thread and searches share it; every method holds its lock, briefly.
 */
final class LuceneDirectory {
    /** The file that lists the indexes created in the directory. */
    static final String INDEXES_FILE = "INDEXES";
    /** What an index name may hold: also what tells an index directory from the sink's own files. */
    private static final Pattern INDEX_NAME = Pattern.compile("[a-z0-9._-]+");

    private final String sink;
    private final Path dir;
    private final Analyzer analyzer;
    private final Clock clock;
    private final Map<String, LuceneIndex> indexes = new HashMap<>();

    LuceneDirectory(String sink, Path dir, Analyzer analyzer, Clock clock) {
        this.sink = sink;
        this.dir = dir;
        this.analyzer = analyzer;
        this.clock = clock;
    }

    /**
     * Creates the directory when missing.
     *
     * @throws FatalSinkException if it cannot be created
     */
    void create() {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new FatalSinkException("Lucene sink '" + sink + "': cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The token in {@value LuceneSink#GENERATION_FILE}, written when missing: a directory lost with its indexes (a
     * new volume) has none. When an index {@value #INDEXES_FILE} lists is gone (its directory removed alone), the
     * token is replaced, so that the loss is seen too.
     *
     * @throws FatalSinkException if the files cannot be read or written
     */
    synchronized String generation() {
        Path file = dir.resolve(LuceneSink.GENERATION_FILE);
        try {
            Set<String> known = knownIndexes();
            if (known.stream().anyMatch(i -> !Files.isDirectory(dir.resolve(i)))) {
                Files.deleteIfExists(file);
                rememberIndexes(existingIndexes());
            } else if (!Files.exists(dir.resolve(INDEXES_FILE)) && Files.isDirectory(dir)) {
                rememberIndexes(known);
            }
            if (!Files.exists(file)) {
                Files.createDirectories(dir);
                Path written = Files.createTempFile(dir, LuceneSink.GENERATION_FILE, ".tmp");
                Files.writeString(written, UUID.randomUUID().toString());
                try {
                    Files.move(written, file); // not over a file another sink of this directory wrote meanwhile
                } catch (FileAlreadyExistsException e) {
                    Files.deleteIfExists(written);
                }
            }
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new FatalSinkException("Lucene sink '" + sink + "' cannot read or write " + file + ": " + e.getMessage(), e);
        }
    }

    /** An index, opened, if it is open or exists on disk; null otherwise (nothing is created). */
    synchronized LuceneIndex existing(String indexName) {
        if (!indexes.containsKey(indexName) && !Files.isDirectory(dir.resolve(indexName))) {
            return null;
        }
        return index(indexName);
    }

    /**
     * An index, opened, created when missing. An index created here before and gone since makes a new generation:
     * its documents are lost.
     *
     * @throws IllegalArgumentException if the name is not a valid index name
     * @throws FatalSinkException if it cannot be opened, or its writer was closed after a failure inside Lucene
     */
    synchronized LuceneIndex index(String indexName) {
        LuceneIndex idx = indexes.get(indexName);
        if (idx != null) {
            requireOpen(indexName, idx);
            return idx;
        }
        if (!INDEX_NAME.matcher(indexName).matches()) {
            throw new IllegalArgumentException("index name '" + indexName + "' may only hold a-z, 0-9, '.', '_' and '-'");
        }
        try {
            if (!Files.isDirectory(dir.resolve(indexName))) {
                Set<String> known = knownIndexes();
                if (known.contains(indexName)) {
                    Files.deleteIfExists(dir.resolve(LuceneSink.GENERATION_FILE));
                } else {
                    known.add(indexName);
                    rememberIndexes(known);
                }
            }
            FSDirectory fs = FSDirectory.open(dir.resolve(indexName));
            // No wait for merges at commit (Lucene 9 waits up to 500 ms for merges of small segments by default):
            // capture waits for every commit, so that wait would be the tail of its latency. Merges still run, in
            // the background.
            IndexWriter writer = new IndexWriter(fs, new IndexWriterConfig(analyzer).setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                    .setMaxFullFlushMergeWaitMillis(0));
            idx = new LuceneIndex(fs, writer, new SearcherManager(writer, null), clock.millis());
            indexes.put(indexName, idx);
            return idx;
        } catch (IOException e) {
            throw new FatalSinkException("Lucene sink '" + sink + "': cannot open index " + indexName + ": " + e.getMessage(), e);
        }
    }

    /** The indexes open now, by name. */
    synchronized List<Map.Entry<String, LuceneIndex>> open() {
        return new ArrayList<>(indexes.entrySet());
    }

    /**
     * Checks that Lucene did not close an index's writer.
     *
     * @throws FatalSinkException if it did: the index is put aside, the pipeline must not commit its offset, and
     *     replays from the last one
     */
    synchronized void requireOpen(String indexName, LuceneIndex idx) {
        if (idx.writer().isOpen()) {
            return;
        }
        putAsideClosed();
        Throwable cause = idx.writer().getTragicException();
        throw new FatalSinkException("Lucene sink '" + sink + "': index " + indexName + " was closed after a failure inside Lucene ("
                + (cause == null ? "no cause given" : cause) + "); what was written since its last commit is replayed from there", cause);
    }

    /** Puts aside the indexes whose writer Lucene closed, after a failure that is being reported already. */
    synchronized void putAsideClosed() {
        indexes.entrySet().removeIf(e -> {
            if (e.getValue().writer().isOpen()) {
                return false;
            }
            e.getValue().closeQuietly();
            return true;
        });
    }

    /**
     * Puts aside an index whose writer is open but can no longer commit (its lock was lost): rolled back, it is
     * reopened from its last commit at its next use, instead of failing every flush from then on.
     */
    synchronized void putAside(String indexName, LuceneIndex idx) {
        if (indexes.remove(indexName, idx)) {
            idx.closeQuietly();
        }
    }

    /** Closes every index without committing. */
    synchronized void close() {
        indexes.values().forEach(LuceneIndex::closeQuietly);
        indexes.clear();
    }

    /** The indexes created in the directory, from {@value #INDEXES_FILE}; a directory older than that file lists those it holds. */
    private Set<String> knownIndexes() throws IOException {
        Path file = dir.resolve(INDEXES_FILE);
        if (!Files.exists(file)) {
            return existingIndexes();
        }
        Set<String> out = new TreeSet<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                out.add(line.trim());
            }
        }
        return out;
    }

    /** The index directories in the directory now. */
    private Set<String> existingIndexes() throws IOException {
        Set<String> out = new TreeSet<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> entries = Files.list(dir)) {
                entries.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> INDEX_NAME.matcher(n).matches())
                        .forEach(out::add);
            }
        }
        return out;
    }

    private void rememberIndexes(Set<String> names) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(INDEXES_FILE), String.join("\n", names));
    }
}
