package io.sluice.sink.lucene;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.event.ChangeEvent;
import io.sluice.event.Operation;
import io.sluice.event.TableId;
import io.sluice.sink.DeleteMode;
import io.sluice.sink.DocumentMapper;
import io.sluice.sink.FatalSinkException;
import io.sluice.sink.ReadableSink;
import io.sluice.sink.Sink;
import io.sluice.sink.TableMapping;
import io.sluice.sink.WriteResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TotalHits;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * The embedded search target: one Lucene index directory per target under {@code lucene.dir}, upserts by id,
 * deletes as versioned tombstones, near-real-time search.
 *
 * <p>Each document stores its version; a write whose version is not newer than the stored one (tombstones
 * included) is skipped. A {@link #write} makes its documents searchable before it returns (a near-real-time
 * reopen per batch on the writing thread), so {@link #search} never reopens and never waits for a commit. With
 * {@code lucene.refresh.interval.ms} above 0 it reopens only when the last reopen is at least that old: documents
 * of the writes in between become searchable at the next write past the interval or at the next {@link #flush()}.
 * {@link #flush()} commits the index: the pipeline commits the source offset only after that, so after a crash
 * the index is never behind the committed offset, and replay cannot make it go back. Tombstones older than
 * {@code tombstone.ttl.ms} are purged at flush.
 *
 * <p>Writes come from one thread, as the {@link Sink} contract says; {@link #search} may be called from any
 * thread at the same time.
 */
public final class LuceneSink implements ReadableSink {
    static final String ID = "_id";
    static final String VERSION = "_version";
    /** The version again as doc values: read without decompressing stored fields on every write. */
    static final String VERSION_DV = "_version_dv";
    static final String DELETED = "_deleted";
    static final String DELETED_AT = "_deleted_at";
    static final String SOURCE = "_source";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final LuceneSinkConfig config;
    private final TableMapping mapping;
    private final Clock clock;
    private final long refreshIntervalMs;
    private final Analyzer analyzer = new StandardAnalyzer();
    private final Map<String, Index> indexes = new HashMap<>();
    /** Index names by table: rendering the template per event showed in the backfill benchmark's profile. */
    private final Map<TableId, String> indexNames = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * An open index. {@code recent} holds the versions written since the writing thread last refreshed the
     * searcher, so that version checks need no reopen per document; {@code refreshedAt} is when it did (clock
     * millis). Both are the writing thread's only.
     */
    private static final class Index {
        private final FSDirectory directory;
        private final IndexWriter writer;
        private final SearcherManager searchers;
        private final Map<String, Long> recent = new HashMap<>();
        private long refreshedAt;

        Index(FSDirectory directory, IndexWriter writer, SearcherManager searchers, long openedAt) {
            this.directory = directory;
            this.writer = writer;
            this.searchers = searchers;
            this.refreshedAt = openedAt;
        }

        FSDirectory directory() {
            return directory;
        }

        IndexWriter writer() {
            return writer;
        }

        SearcherManager searchers() {
            return searchers;
        }

        Map<String, Long> recent() {
            return recent;
        }
    }

    /** Versions kept in memory before the searcher is refreshed to cover them. */
    static final int MAX_RECENT = 100_000;

    /** The file of the sink's directory that holds the {@linkplain #generation() generation}. */
    public static final String GENERATION_FILE = "GENERATION";
    /** The file of the sink's directory that lists the indexes created there, one name a line. */
    static final String INDEXES_FILE = "INDEXES";
    /** What an index name may hold: also what tells an index directory from the sink's own files. */
    private static final java.util.regex.Pattern INDEX_NAME = java.util.regex.Pattern.compile("[a-z0-9._-]+");

    public LuceneSink(String name, LuceneSinkConfig config, Clock clock) {
        this.name = name;
        this.config = config;
        this.mapping = config.mapping();
        this.clock = clock;
        this.refreshIntervalMs = config.refreshIntervalMs();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void open() {
        try {
            Files.createDirectories(config.dir());
        } catch (IOException e) {
            throw new FatalSinkException("Lucene sink '" + name + "': cannot create " + config.dir() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The token in the file {@value #GENERATION_FILE} of the sink's directory (no index can have that name: index
     * names are lower case), written when missing: a directory lost with its indexes (a new volume) has none. The
     * file {@value #INDEXES_FILE} lists the indexes created there; when one of them is gone (its directory removed
     * alone), the token is replaced, so that the loss is seen too.
     */
    @Override
    public synchronized java.util.Optional<String> generation() {
        Path file = config.dir().resolve(GENERATION_FILE);
        try {
            java.util.Set<String> known = knownIndexes();
            if (known.stream().anyMatch(i -> !Files.isDirectory(config.dir().resolve(i)))) {
                Files.deleteIfExists(file);
                rememberIndexes(existingIndexes());
            } else if (!Files.exists(config.dir().resolve(INDEXES_FILE)) && Files.isDirectory(config.dir())) {
                rememberIndexes(known);
            }
            if (!Files.exists(file)) {
                Files.createDirectories(config.dir());
                Path written = Files.createTempFile(config.dir(), GENERATION_FILE, ".tmp");
                Files.writeString(written, java.util.UUID.randomUUID().toString());
                try {
                    Files.move(written, file); // not over a file another sink of this directory wrote meanwhile
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    Files.deleteIfExists(written);
                }
            }
            return java.util.Optional.of(Files.readString(file).trim());
        } catch (IOException e) {
            throw new FatalSinkException("Lucene sink '" + name + "' cannot read or write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public TableMapping mapping() {
        return mapping;
    }

    @Override
    public List<String> readBack(List<ChangeEvent> rows) {
        List<String> out = new ArrayList<>(rows.size());
        if (rows.isEmpty()) {
            return out;
        }
        Index idx = existing(rows.get(0).table());
        if (idx == null) {
            rows.forEach(e -> out.add(null));
            return out;
        }
        try {
            idx.searchers().maybeRefresh();
            IndexSearcher searcher = idx.searchers().acquire();
            try {
                for (ChangeEvent e : rows) {
                    TopDocs top = searcher.search(new TermQuery(new Term(ID, mapping.id().render(e))), 1);
                    out.add(top.scoreDocs.length == 0 ? null : searcher.storedFields().document(top.scoreDocs[0].doc).get(SOURCE));
                }
            } finally {
                idx.searchers().release(searcher);
            }
            return out;
        } catch (IOException ex) {
            throw new UncheckedIOException("Lucene sink '" + name + "' cannot read " + indexOf(rows.get(0).table()), ex);
        }
    }

    @Override
    public void scanIds(TableId table, java.util.function.Consumer<List<String>> batch) {
        Index idx = existing(table);
        if (idx == null) {
            return;
        }
        try {
            idx.searchers().maybeRefresh();
            IndexSearcher searcher = idx.searchers().acquire();
            try {
                Query live = new BooleanQuery.Builder().add(new MatchAllDocsQuery(), BooleanClause.Occur.MUST)
                        .add(new TermQuery(new Term(DELETED, "true")), BooleanClause.Occur.MUST_NOT).build();
                List<String> ids = new ArrayList<>();
                var stored = searcher.storedFields();
                for (ScoreDoc d : searcher.search(live, Math.max(1, searcher.getIndexReader().maxDoc())).scoreDocs) {
                    ids.add(stored.document(d.doc, java.util.Set.of(ID)).get(ID));
                    if (ids.size() == 5000) {
                        batch.accept(List.copyOf(ids));
                        ids.clear();
                    }
                }
                if (!ids.isEmpty()) {
                    batch.accept(ids);
                }
            } finally {
                idx.searchers().release(searcher);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("Lucene sink '" + name + "' cannot list " + indexOf(table), ex);
        }
    }

    /** A table's index if it exists, or null. */
    private synchronized Index existing(TableId table) {
        String indexName = indexOf(table);
        if (!indexes.containsKey(indexName) && !Files.isDirectory(config.dir().resolve(indexName))) {
            return null;
        }
        return index(indexName);
    }

    /**
     * The indexes created in the sink's directory, from {@value #INDEXES_FILE}; a directory written before that file
     * existed lists the indexes it holds.
     */
    private java.util.Set<String> knownIndexes() throws IOException {
        Path file = config.dir().resolve(INDEXES_FILE);
        if (!Files.exists(file)) {
            return existingIndexes();
        }
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                out.add(line.trim());
            }
        }
        return out;
    }

    /** The index directories in the sink's directory now. */
    private java.util.Set<String> existingIndexes() throws IOException {
        java.util.Set<String> out = new java.util.TreeSet<>();
        if (Files.isDirectory(config.dir())) {
            try (var entries = Files.list(config.dir())) {
                entries.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> INDEX_NAME.matcher(n).matches())
                        .forEach(out::add);
            }
        }
        return out;
    }

    /** Writes {@value #INDEXES_FILE}. */
    private void rememberIndexes(java.util.Set<String> indexes) throws IOException {
        Files.createDirectories(config.dir());
        Files.writeString(config.dir().resolve(INDEXES_FILE), String.join("\n", indexes));
    }

    /** The index name of a table under this sink's target template. */
    public String indexOf(TableId table) {
        return indexNames.computeIfAbsent(table, mapping.target()::renderIndex);
    }

    private synchronized Index index(String indexName) {
        Index idx = indexes.get(indexName);
        if (idx != null) {
            requireOpen(indexName, idx);
            return idx;
        }
        if (!INDEX_NAME.matcher(indexName).matches()) {
            throw new IllegalArgumentException("index name '" + indexName + "' may only hold a-z, 0-9, '.', '_' and '-'");
        }
        try {
            if (!Files.isDirectory(config.dir().resolve(indexName))) {
                java.util.Set<String> known = knownIndexes();
                if (known.contains(indexName)) {
                    // Created here before and gone: its documents are lost. A new generation says so.
                    Files.deleteIfExists(config.dir().resolve(GENERATION_FILE));
                } else {
                    known.add(indexName);
                    rememberIndexes(known);
                }
            }
            FSDirectory dir = FSDirectory.open(config.dir().resolve(indexName));
            // A commit would otherwise wait up to 500 ms for merges of small segments (Lucene 9's merge on commit):
            // capture waits for every commit, so that wait showed as the commit's tail (p99 120-160 ms against
            // 65-80 ms without, 100-document batches). Merges still run, in the background.
            IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig(analyzer).setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                    .setMaxFullFlushMergeWaitMillis(0));
            idx = new Index(dir, writer, new SearcherManager(writer, null), clock.millis());
            indexes.put(indexName, idx);
            return idx;
        } catch (IOException e) {
            throw new FatalSinkException("Lucene sink '" + name + "': cannot open index " + indexName + ": " + e.getMessage(), e);
        }
    }

    @Override
    public WriteResult write(List<ChangeEvent> batch) {
        List<WriteResult.Rejection> rejected = new ArrayList<>();
        Map<Index, VersionLookup> lookups = new java.util.IdentityHashMap<>();
        java.util.Set<Index> touched = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
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
                Index idx = index(indexName);
                Long current = idx.recent().get(id);
                if (current == null) {
                    VersionLookup lookup = lookups.get(idx);
                    if (lookup == null) {
                        lookup = new VersionLookup(idx.searchers());
                        lookups.put(idx, lookup);
                    }
                    current = lookup.version(id);
                }
                if (current != null && current >= e.version()) {
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
                    refresh(idx);
                }
            }
            // Searchable before write returns, reopened here on the writing thread: a search that reopened the
            // reader itself could wait for a commit in progress, and that wait was the freshness benchmark's tail.
            // With a refresh interval, only once it has passed: each reopen writes a segment, and small segments
            // cost their writing and then their merging again (the sinks benchmark: 44 against 17 us a document
            // in batches of 1,000, the same as Lucene's own cost in batches of 20,000).
            long now = clock.millis();
            for (Index idx : touched) {
                // A clock set back counts as the interval passed: documents are never held back longer than it.
                long since = now - idx.refreshedAt;
                if (since < 0 || since >= refreshIntervalMs) {
                    refresh(idx);
                }
            }
        } catch (IOException | UncheckedIOException | AlreadyClosedException ex) {
            putAsideClosed();
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
     * Finds the table's documents below the snapshot's version with one pass over the version doc values, then
     * replaces each with a tombstone (or its marked copy) at {@code snapshotVersion - 1}. Searchable when it returns;
     * durable at the next {@link #flush()}, like a write.
     */
    @Override
    public Map<TableId, Long> sweep(Map<TableId, Long> snapshots) {
        Map<TableId, Long> removed = new LinkedHashMap<>();
        snapshots.forEach((table, version) -> removed.put(table, sweep(table, version)));
        return removed;
    }

    private long sweep(TableId table, long snapshotVersion) {
        Index idx = existing(table);
        if (idx == null) {
            return 0;
        }
        try {
            refresh(idx);
            Query older = new BooleanQuery.Builder()
                    .add(NumericDocValuesField.newSlowRangeQuery(VERSION_DV, Long.MIN_VALUE, snapshotVersion - 1), BooleanClause.Occur.FILTER)
                    .add(new TermQuery(new Term(DELETED, "true")), BooleanClause.Occur.MUST_NOT).build();
            Map<String, String> unseen = new LinkedHashMap<>();
            IndexSearcher searcher = idx.searchers().acquire();
            try {
                var stored = searcher.storedFields();
                java.util.Set<String> fields = java.util.Set.of(ID, SOURCE);
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
            refresh(idx);
            return removed;
        } catch (IOException | UncheckedIOException | AlreadyClosedException ex) {
            putAsideClosed();
            throw new FatalSinkException("Lucene sink '" + name + "' cannot sweep " + indexOf(table) + ": " + ex.getMessage(), ex);
        }
    }

    /** Every document a query matches, by its id in the searcher, without scoring or a bound on how many. */
    private static List<Integer> matching(IndexSearcher searcher, Query query) throws IOException {
        List<Integer> docs = new ArrayList<>();
        searcher.search(query, new org.apache.lucene.search.SimpleCollector() {
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
            public org.apache.lucene.search.ScoreMode scoreMode() {
                return org.apache.lucene.search.ScoreMode.COMPLETE_NO_SCORES;
            }
        });
        return docs;
    }

    /**
     * Adds the searchable fields this sink indexes for a document: strings as text (standard analyzer) and, up to
     * {@link DocumentMapper#KEYWORD_MAX_LENGTH} characters, as an exact {@code .keyword} term; numbers and booleans
     * as a {@code .keyword} term; nested values and nulls not at all. The benchmarks' raw writes index the same.
     */
    public static void addSearchFields(Document doc, Map<String, Object> source) {
        source.forEach((field, value) -> {
            if (value instanceof String s) {
                doc.add(new TextField(field, s, Field.Store.NO));
                if (s.length() <= DocumentMapper.KEYWORD_MAX_LENGTH) {
                    doc.add(new StringField(field + ".keyword", s, Field.Store.NO));
                }
            } else if (value instanceof Number || value instanceof Boolean) {
                String text = value instanceof java.math.BigDecimal d ? d.toPlainString() : value.toString();
                doc.add(new StringField(field + ".keyword", text, Field.Store.NO));
            }
        });
    }

    /**
     * Reads stored versions (tombstones included) for one batch: one searcher, and per segment one terms
     * enumeration reused for every id, instead of a searcher and a new enumeration per id and segment (the
     * profile of the streaming benchmark showed creating those as a fifth of the Lucene sink's time). Segments
     * whose term range cannot hold the id are skipped. Not thread-safe; {@link #close()} releases the searcher.
     */
    private static final class VersionLookup implements AutoCloseable {
        private final SearcherManager searchers;
        private final IndexSearcher searcher;
        private final Segment[] segments;

        /** A segment's reusable readers; null fields until first needed. */
        private static final class Segment {
            final LeafReaderContext leaf;
            TermsEnum terms;
            BytesRef min;
            BytesRef max;
            PostingsEnum postings;
            boolean noIds;

            Segment(LeafReaderContext leaf) {
                this.leaf = leaf;
            }
        }

        VersionLookup(SearcherManager searchers) throws IOException {
            this.searchers = searchers;
            this.searcher = searchers.acquire();
            List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
            this.segments = new Segment[leaves.size()];
            // Newest segments last in the reader; look there first, where recently written ids are.
            for (int i = 0; i < leaves.size(); i++) {
                segments[i] = new Segment(leaves.get(leaves.size() - 1 - i));
            }
        }

        Long version(String id) throws IOException {
            BytesRef term = new BytesRef(id);
            for (Segment seg : segments) {
                if (seg.noIds) {
                    continue;
                }
                if (seg.terms == null) {
                    Terms terms = seg.leaf.reader().terms(ID);
                    if (terms == null) {
                        seg.noIds = true;
                        continue;
                    }
                    seg.terms = terms.iterator();
                    seg.min = terms.getMin();
                    seg.max = terms.getMax();
                }
                if ((seg.min != null && term.compareTo(seg.min) < 0) || (seg.max != null && term.compareTo(seg.max) > 0)) {
                    continue;
                }
                if (!seg.terms.seekExact(term)) {
                    continue;
                }
                seg.postings = seg.terms.postings(seg.postings, PostingsEnum.NONE);
                Bits live = seg.leaf.reader().getLiveDocs();
                for (int doc = seg.postings.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = seg.postings.nextDoc()) {
                    if (live != null && !live.get(doc)) {
                        continue;
                    }
                    // Doc values iterate forward only, and ids come in any order: a fresh iterator per hit.
                    NumericDocValues versions = seg.leaf.reader().getNumericDocValues(VERSION_DV);
                    if (versions != null && versions.advanceExact(doc)) {
                        return versions.longValue();
                    }
                    return searcher.storedFields().document(seg.leaf.docBase + doc).getField(VERSION).numericValue().longValue();
                }
            }
            return null;
        }

        @Override
        public void close() {
            try {
                searchers.release(searcher);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Makes every write visible to the searcher; afterwards the recent versions are no longer needed. */
    private void refresh(Index idx) {
        try {
            idx.searchers().maybeRefreshBlocking();
            idx.recent().clear();
            idx.refreshedAt = clock.millis();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Commits every index, after purging tombstones older than {@code tombstone.ttl.ms}. The sink's lock is held
     * only to list the indexes: a commit syncs files to disk, and searches must not wait for that.
     */
    @Override
    public void flush() {
        long horizon = clock.millis() - config.tombstoneTtlMs();
        List<Map.Entry<String, Index>> open;
        synchronized (this) {
            open = new ArrayList<>(indexes.entrySet());
        }
        for (Map.Entry<String, Index> e : open) {
            requireOpen(e.getKey(), e.getValue());
            try {
                IndexWriter w = e.getValue().writer();
                w.deleteDocuments(new BooleanQuery.Builder()
                        .add(new TermQuery(new Term(DELETED, "true")), BooleanClause.Occur.FILTER)
                        .add(LongPoint.newRangeQuery(DELETED_AT, Long.MIN_VALUE, horizon), BooleanClause.Occur.FILTER)
                        .build());
                w.commit();
                refresh(e.getValue());
            } catch (IOException | UncheckedIOException | AlreadyClosedException ex) {
                putAsideClosed();
                throw new FatalSinkException("Lucene sink '" + name + "' cannot commit index " + e.getKey() + ": " + ex.getMessage(), ex);
            }
        }
    }

    /**
     * Searches a table's index.
     *
     * @param from the first hit, from 0
     * @param size how many hits, 1 to 1000
     * @throws IllegalArgumentException for a bad page
     */
    public SearchPage search(TableId table, LuceneQuery query, int from, int size) {
        if (from < 0 || size < 1 || size > 1000) {
            throw new IllegalArgumentException("a page needs from >= 0 and size between 1 and 1000, got from=" + from + " size=" + size);
        }
        Index idx;
        synchronized (this) {
            String indexName = indexOf(table);
            if (!indexes.containsKey(indexName) && !Files.isDirectory(config.dir().resolve(indexName))) {
                return new SearchPage(0, List.of());
            }
            idx = index(indexName);
        }
        Query q = new BooleanQuery.Builder().add(luceneQuery(query), BooleanClause.Occur.MUST)
                .add(new TermQuery(new Term(DELETED, "true")), BooleanClause.Occur.MUST_NOT).build();
        try {
            IndexSearcher searcher = idx.searchers().acquire();
            try {
                TopDocs top = searcher.search(q, from + size);
                List<Map<String, Object>> hits = new ArrayList<>();
                ScoreDoc[] docs = top.scoreDocs;
                for (int i = from; i < docs.length; i++) {
                    Document d = searcher.storedFields().document(docs[i].doc);
                    Map<String, Object> hit = new LinkedHashMap<>();
                    hit.put(ID, d.get(ID));
                    hit.put(VERSION, d.getField(VERSION).numericValue().longValue());
                    hit.putAll(JSON.readValue(d.get(SOURCE), new TypeReference<LinkedHashMap<String, Object>>() { }));
                    hits.add(hit);
                }
                // Top docs count hits exactly only up to 1,000 (then "at least 1,001"): count them all instead.
                long total = top.totalHits.relation == TotalHits.Relation.EQUAL_TO ? top.totalHits.value : searcher.count(q);
                return new SearchPage(total, hits);
            } finally {
                idx.searchers().release(searcher);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Lucene sink '" + name + "' cannot search " + indexOf(table), e);
        }
    }

    private Query luceneQuery(LuceneQuery query) {
        if (query instanceof LuceneQuery.Term t) {
            return new TermQuery(new Term(t.field() + ".keyword", t.value()));
        }
        if (query instanceof LuceneQuery.Match m) {
            BooleanQuery.Builder b = new BooleanQuery.Builder();
            try (TokenStream ts = analyzer.tokenStream(m.field(), m.text())) {
                CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
                ts.reset();
                while (ts.incrementToken()) {
                    b.add(new TermQuery(new Term(m.field(), term.toString())), BooleanClause.Occur.SHOULD);
                }
                ts.end();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return b.build();
        }
        return new MatchAllDocsQuery();
    }

    /** Closes every index without committing: what was not flushed is lost, as in a crash. */
    @Override
    public synchronized void close() {
        indexes.values().forEach(LuceneSink::closeQuietly);
        indexes.clear();
    }

    /**
     * Lucene closes its writer for good when a write or a background merge fails inside it (a full or failing disk),
     * and what it held since the last commit is gone. A closed writer is put aside here, so that the index reopens at
     * its last commit on next use, rather than failing every write until the server restarts.
     *
     * @throws FatalSinkException if the writer was closed: the pipeline must not commit its offset, and replays from
     *     the last one
     */
    private synchronized void requireOpen(String indexName, Index idx) {
        if (idx.writer().isOpen()) {
            return;
        }
        putAsideClosed();
        Throwable cause = idx.writer().getTragicException();
        throw new FatalSinkException("Lucene sink '" + name + "': index " + indexName + " was closed after a failure inside Lucene ("
                + (cause == null ? "no cause given" : cause) + "); what was written since its last commit is replayed from there", cause);
    }

    /** Puts aside the indexes whose writer Lucene closed, after a failure that is being reported already. */
    private synchronized void putAsideClosed() {
        indexes.entrySet().removeIf(e -> {
            if (e.getValue().writer().isOpen()) {
                return false;
            }
            closeQuietly(e.getValue());
            return true;
        });
    }

    private static void closeQuietly(Index idx) {
        try {
            idx.searchers().close();
            idx.writer().rollback();
            idx.directory().close();
        } catch (IOException | RuntimeException e) {
            // closing anyway
        }
    }

}
