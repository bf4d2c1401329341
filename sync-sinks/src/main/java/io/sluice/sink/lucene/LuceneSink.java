package io.sluice.sink.lucene;

import io.sluice.event.ChangeEvent;
import io.sluice.event.Operation;
import io.sluice.event.TableId;
import io.sluice.sink.DeleteMode;
import io.sluice.sink.DocumentMapper;
import io.sluice.sink.FatalSinkException;
import io.sluice.sink.Generational;
import io.sluice.sink.ReadableSink;
import io.sluice.sink.SearchPage;
import io.sluice.sink.SearchQuery;
import io.sluice.sink.Searchable;
import io.sluice.sink.Sink;
import io.sluice.sink.Sweepable;
import io.sluice.sink.TableMapping;
import io.sluice.sink.WriteResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.SimpleCollector;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.AlreadyClosedException;

/**
 * The embedded search target: one Lucene index directory per target under {@code lucene.dir}, upserts by id,
 * deletes as versioned tombstones, near-real-time search.
 *
 * <p>Each document stores its version; a write whose version is older than the stored one (tombstones included) is
 * skipped, and one of the same version rewrites it (every writer's content holds at least its version's state, see
 * {@link io.sluice.sink.Sink}). A {@link #write} makes its documents searchable before it returns (a near-real-time
 * reopen per batch on the writing thread), so {@link #search} never reopens and never waits for a commit. With
 * {@code lucene.refresh.interval.ms} above 0 it reopens only when the last reopen is at least that old: documents
 * of the writes in between become searchable at the next write past the interval or at the next {@link #flush()}.
 * {@link #flush()} commits the index: the pipeline commits the source offset only after that, so after a crash
 * the index is never behind the committed offset, and replay cannot make it go back. Tombstones older than
 * {@code tombstone.ttl.ms} are purged at flush.
 *
 * <p>Capabilities: {@link Sweepable}, {@link Generational}, {@link ReadableSink} and {@link Searchable}.
 *
 * <p>Writes come from one thread, as the {@link Sink} contract says; {@link #search} may be called from any
 * thread at the same time.
 */
public final class LuceneSink implements ReadableSink, Sweepable, Generational, Searchable {
    static final String ID = "_id";
    static final String VERSION = "_version";
    /** The version again as doc values: read without decompressing stored fields on every write. */
    static final String VERSION_DV = "_version_dv";
    static final String DELETED = "_deleted";
    static final String DELETED_AT = "_deleted_at";
    static final String SOURCE = "_source";
    /** Versions kept in memory before the searcher is refreshed to cover them. */
    static final int MAX_RECENT = 100_000;
    /** The file of the sink's directory that holds the {@linkplain #generation() generation}. */
    public static final String GENERATION_FILE = "GENERATION";

    private final String name;
    private final LuceneSinkConfig config;
    private final TableMapping mapping;
    private final Clock clock;
    private final long refreshIntervalMs;
    private final LuceneDirectory directory;
    private final LuceneSearcher searcher;
    private final WriterThread writerThread;
    /** Index names by table, rendered once: the template would otherwise be rendered per event. */
    private final Map<TableId, String> indexNames = new ConcurrentHashMap<>();

    public LuceneSink(String name, LuceneSinkConfig config, Clock clock) {
        this.name = name;
        this.config = config;
        this.mapping = config.mapping();
        this.clock = clock;
        this.refreshIntervalMs = config.refreshIntervalMs();
        Analyzer analyzer = new StandardAnalyzer();
        this.directory = new LuceneDirectory(name, config.dir(), analyzer, clock);
        this.searcher = new LuceneSearcher(name, directory, this::indexOf, mapping, analyzer);
        this.writerThread = new WriterThread(name);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void open() {
        writerThread.run(directory::create);
    }

    @Override
    public Optional<Sweepable> sweepable() {
        return Optional.of(this);
    }

    @Override
    public Optional<Generational> generational() {
        return Optional.of(this);
    }

    @Override
    public Optional<Searchable> searchable() {
        return Optional.of(this);
    }

    /**
     * The token in the file {@value #GENERATION_FILE} of the sink's directory (no index can have that name: index
     * names are lower case), written when missing: a directory lost with its indexes (a new volume) has none. When
     * the index of one table is lost alone (its directory removed), the token is replaced, so that the loss is seen
     * too.
     */
    @Override
    public String generation() {
        return directory.generation();
    }

    @Override
    public TableMapping mapping() {
        return mapping;
    }

    @Override
    public List<String> readBack(List<ChangeEvent> rows) {
        return searcher.readBack(rows);
    }

    @Override
    public void scanIds(TableId table, Consumer<List<String>> batch) {
        searcher.scanIds(table, batch);
    }

    /**
     * Searches a table's index.
     *
     * @param from the first hit, from 0
     * @param size how many hits, 1 to 1000
     * @throws IllegalArgumentException for a bad page
     */
    @Override
    public SearchPage search(TableId table, SearchQuery query, int from, int size) {
        return searcher.search(table, query, from, size);
    }

    /** The index name of a table under this sink's target template. */
    public String indexOf(TableId table) {
        return indexNames.computeIfAbsent(table, mapping.target()::renderIndex);
    }

    /** Writes on the sink's {@link WriterThread}, as sweeps and flushes do. */
    @Override
    public WriteResult write(List<ChangeEvent> batch) {
        return writerThread.run(() -> writeNow(batch));
    }

    private WriteResult writeNow(List<ChangeEvent> batch) {
        List<WriteResult.Rejection> rejected = new ArrayList<>();
        Map<LuceneIndex, VersionLookup> lookups = new IdentityHashMap<>();
        Set<LuceneIndex> touched = Collections.newSetFromMap(new IdentityHashMap<>());
        try {
            for (ChangeEvent e : batch) {
                String indexName;
                String id;
                try {
                    indexName = indexOf(e.table());
                    id = mapping.id().render(e);
                } catch (IllegalArgumentException ex) {
                    rejected.add(new WriteResult.Rejection(e, ex.getMessage()));
                    continue;
                }
                LuceneIndex idx = directory.index(indexName);
                Long current = idx.recent().get(id);
                if (current == null) {
                    VersionLookup lookup = lookups.get(idx);
                    if (lookup == null) {
                        lookup = new VersionLookup(idx.searchers());
                        lookups.put(idx, lookup);
                    }
                    current = lookup.version(id);
                }
                if (current != null && current > e.version()) {
                    continue;
                }
                try {
                    if (current == null) {
                        // No document holds this id, tombstones included (the searcher or the recent versions
                        // would show it): adding spares Lucene the delete-by-term it resolves against every segment.
                        idx.writer().addDocument(document(id, e));
                    } else {
                        idx.writer().updateDocument(new Term(ID, id), document(id, e));
                    }
                } catch (IllegalArgumentException ex) {
                    // Lucene refused this document alone (a term over its size limit): it left the writer open and
                    // the stored document, if any, as it was.
                    rejected.add(new WriteResult.Rejection(e, "Lucene refused the document: " + ex.getMessage()));
                    continue;
                }
                idx.recent().put(id, e.version());
                touched.add(idx);
                if (idx.recent().size() >= MAX_RECENT) {
                    VersionLookup stale = lookups.remove(idx);
                    if (stale != null) {
                        stale.close();
                    }
                    idx.refresh(clock.millis());
                }
            }
            // Searchable before write returns, reopened here on the writing thread: a search that reopened the
            // reader itself could wait for a commit in progress. With a refresh interval, only once it has passed:
            // each reopen writes a segment, and small segments cost their writing and then their merging again.
            long now = clock.millis();
            for (LuceneIndex idx : touched) {
                // A clock set back counts as the interval passed: documents are never held back longer than it.
                long since = now - idx.refreshedAt();
                if (since < 0 || since >= refreshIntervalMs) {
                    idx.refresh(clock.millis());
                }
            }
        } catch (IOException | UncheckedIOException | AlreadyClosedException ex) {
            directory.putAsideClosed();
            throw new FatalSinkException("Lucene sink '" + name + "' cannot write its index: " + ex.getMessage(), ex);
        } finally {
            for (VersionLookup lookup : lookups.values()) {
                lookup.close();
            }
        }
        return new WriteResult(rejected);
    }

    private Document document(String id, ChangeEvent e) {
        if (e.operation() == Operation.DELETE && mapping.deleteMode() == DeleteMode.DELETE) {
            return document(id, e.version(), null);
        }
        Map<String, Object> source = DocumentMapper.document(e.row(), mapping);
        if (e.operation() == Operation.DELETE) {
            source.put(DocumentMapper.DELETED_FIELD, true);
        }
        return document(id, e.version(), source);
    }

    /** A document at a version: a tombstone when {@code source} is null. */
    private Document document(String id, long version, Map<String, Object> source) {
        Document doc = new Document();
        doc.add(new StringField(ID, id, Field.Store.YES));
        doc.add(new StoredField(VERSION, version));
        doc.add(new NumericDocValuesField(VERSION_DV, version));
        if (source == null) {
            doc.add(new StringField(DELETED, "true", Field.Store.NO));
            doc.add(new LongPoint(DELETED_AT, clock.millis()));
            return doc;
        }
        doc.add(new StoredField(SOURCE, DocumentMapper.json(source)));
        addSearchFields(doc, source);
        return doc;
    }

    /**
     * Adds the searchable fields this sink indexes for a document: strings as text (standard analyzer) and, up to
     * {@link DocumentMapper#KEYWORD_MAX_LENGTH} characters, as an exact {@code .keyword} term; numbers and booleans
     * as a {@code .keyword} term; nulls not at all. Nested objects are indexed under dotted paths and the elements of
     * arrays under their array's path, as OpenSearch maps objects: a view's {@code customer.name} and every item's
     * {@code items.product.name} are searchable. The benchmarks' raw writes index the same.
     */
    public static void addSearchFields(Document doc, Map<String, Object> source) {
        source.forEach((field, value) -> addSearchField(doc, field, value));
    }

    private static void addSearchField(Document doc, String field, Object value) {
        if (value instanceof String s) {
            doc.add(new TextField(field, s, Field.Store.NO));
            if (s.length() <= DocumentMapper.KEYWORD_MAX_LENGTH) {
                doc.add(new StringField(field + ".keyword", s, Field.Store.NO));
            }
        } else if (value instanceof Number || value instanceof Boolean) {
            String text = value instanceof BigDecimal d ? d.toPlainString() : value.toString();
            doc.add(new StringField(field + ".keyword", text, Field.Store.NO));
        } else if (value instanceof Map<?, ?> object) {
            object.forEach((name, nested) -> addSearchField(doc, field + "." + name, nested));
        } else if (value instanceof Collection<?> elements) {
            elements.forEach(element -> addSearchField(doc, field, element));
        }
    }

    /**
     * Finds the table's documents below the snapshot's version with one pass over the version doc values, then
     * replaces each with a tombstone (or its marked copy) at {@code snapshotVersion - 1}. Searchable when it returns;
     * durable at the next {@link #flush()}, like a write.
     */
    @Override
    public Map<TableId, Long> sweep(Map<TableId, Long> snapshots) {
        return writerThread.run(() -> {
            Map<TableId, Long> removed = new LinkedHashMap<>();
            snapshots.forEach((table, version) -> removed.put(table, sweep(table, version)));
            return removed;
        });
    }

    private long sweep(TableId table, long snapshotVersion) {
        LuceneIndex idx = directory.existing(indexOf(table));
        if (idx == null) {
            return 0;
        }
        try {
            idx.refresh(clock.millis());
            Query older = new BooleanQuery.Builder()
                    .add(NumericDocValuesField.newSlowRangeQuery(VERSION_DV, Long.MIN_VALUE, snapshotVersion - 1), BooleanClause.Occur.FILTER)
                    .add(new TermQuery(new Term(DELETED, "true")), BooleanClause.Occur.MUST_NOT).build();
            Map<String, String> unseen = new LinkedHashMap<>();
            IndexSearcher searcher = idx.searchers().acquire();
            try {
                StoredFields stored = searcher.storedFields();
                Set<String> fields = Set.of(ID, SOURCE);
                for (int doc : matching(searcher, older)) {
                    Document d = stored.document(doc, fields);
                    unseen.put(d.get(ID), d.get(SOURCE));
                }
            } finally {
                idx.searchers().release(searcher);
            }
            long removed = 0;
            for (Map.Entry<String, String> e : unseen.entrySet()) {
                Map<String, Object> marked = null;
                if (mapping.deleteMode() == DeleteMode.MARK) {
                    marked = DocumentMapper.parse(e.getValue());
                    if (Boolean.TRUE.equals(marked.get(DocumentMapper.DELETED_FIELD))) {
                        continue; // deleted already
                    }
                    marked.put(DocumentMapper.DELETED_FIELD, true);
                }
                idx.writer().updateDocument(new Term(ID, e.getKey()), document(e.getKey(), snapshotVersion - 1, marked));
                removed++;
            }
            idx.refresh(clock.millis());
            return removed;
        } catch (IOException | UncheckedIOException | AlreadyClosedException ex) {
            directory.putAsideClosed();
            throw new FatalSinkException("Lucene sink '" + name + "' cannot sweep " + indexOf(table) + ": " + ex.getMessage(), ex);
        }
    }

    /** Every document a query matches, by its id in the searcher, without scoring or a bound on how many. */
    private static List<Integer> matching(IndexSearcher searcher, Query query) throws IOException {
        List<Integer> docs = new ArrayList<>();
        searcher.search(query, new SimpleCollector() {
            private int base;

            @Override
            protected void doSetNextReader(LeafReaderContext context) {
                base = context.docBase;
            }

            @Override
            public void collect(int doc) {
                docs.add(base + doc);
            }

            @Override
            public ScoreMode scoreMode() {
                return ScoreMode.COMPLETE_NO_SCORES;
            }
        });
        return docs;
    }

    /**
     * Commits every index, after purging tombstones older than {@code tombstone.ttl.ms}. The directory's lock is held
     * only to list the indexes: a commit syncs files to disk, and searches must not wait for that.
     */
    @Override
    public void flush() {
        writerThread.run(this::flushNow);
    }

    private void flushNow() {
        long horizon = clock.millis() - config.tombstoneTtlMs();
        for (Map.Entry<String, LuceneIndex> e : directory.open()) {
            directory.requireOpen(e.getKey(), e.getValue());
            try {
                IndexWriter w = e.getValue().writer();
                w.deleteDocuments(new BooleanQuery.Builder()
                        .add(new TermQuery(new Term(DELETED, "true")), BooleanClause.Occur.FILTER)
                        .add(LongPoint.newRangeQuery(DELETED_AT, Long.MIN_VALUE, horizon), BooleanClause.Occur.FILTER)
                        .build());
                w.commit();
                e.getValue().refresh(clock.millis());
            } catch (IOException | UncheckedIOException | AlreadyClosedException ex) {
                if (ex instanceof AlreadyClosedException) {
                    directory.putAside(e.getKey(), e.getValue());
                }
                directory.putAsideClosed();
                throw new FatalSinkException("Lucene sink '" + name + "' cannot commit index " + e.getKey() + ": " + ex.getMessage(), ex);
            }
        }
    }

    /** Closes every index without committing: what was not flushed is lost, as in a crash. */
    @Override
    public void close() {
        try {
            writerThread.run(directory::close);
        } finally {
            writerThread.close();
        }
    }
}
