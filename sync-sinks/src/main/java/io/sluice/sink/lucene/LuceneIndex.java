package io.sluice.sink.lucene;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.FSDirectory;

/**
 * One open index of a Lucene sink: its directory, writer and searchers. {@code recent} holds the versions written
 * since the writing thread last refreshed the searchers, so that version checks need no reopen per document;
 * {@code refreshedAt} is when it did (clock millis). Both are the writing thread's only; the searchers may be
 * acquired from any thread.
 */
final class LuceneIndex {
    private final FSDirectory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final Map<String, Long> recent = new HashMap<>();
    private long refreshedAt;

    LuceneIndex(FSDirectory directory, IndexWriter writer, SearcherManager searchers, long openedAt) {
        this.directory = directory;
        this.writer = writer;
        this.searchers = searchers;
        this.refreshedAt = openedAt;
    }

    IndexWriter writer() {
        return writer;
    }

    SearcherManager searchers() {
        return searchers;
    }

    /** Versions written since the last refresh, by document id. */
    Map<String, Long> recent() {
        return recent;
    }

    /** When the searchers were last refreshed by the writing thread (clock millis). */
    long refreshedAt() {
        return refreshedAt;
    }

    /**
     * Makes every write visible to the searchers; afterwards the recent versions are no longer needed.
     *
     * @param now the clock's millis
     */
    void refresh(long now) {
        try {
            searchers.maybeRefreshBlocking();
            recent.clear();
            refreshedAt = now;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes without committing: what was not committed is lost, as in a crash. Never throws. */
    void closeQuietly() {
        try {
            searchers.close();
            writer.rollback();
            directory.close();
        } catch (IOException | RuntimeException e) {
            // closing anyway
        }
    }
}
