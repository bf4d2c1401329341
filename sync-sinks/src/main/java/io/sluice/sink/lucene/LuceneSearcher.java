package io.sluice.sink.lucene;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.event.ChangeEvent;
import io.sluice.event.TableId;
import io.sluice.sink.SearchPage;
import io.sluice.sink.SearchQuery;
import io.sluice.sink.TableMapping;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TotalHits;

/**
 * The reads of a Lucene sink's indexes: searches, and the read-back and id listing of verify. Tombstones are never
 * returned.
 *
 * <p>Thread-safe: searches run from any thread at the same time as the writes, and never reopen a searcher (the
 * writing thread does, see {@link LuceneSink#write}); read-back and listing refresh the searchers first, so that
 * they see every write before them.
 */
final class LuceneSearcher {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> OBJECT = new TypeReference<>() { };
    /** Ids per batch of {@link #scanIds}. */
    private static final int IDS_PER_BATCH = 5000;

    private final String sink;
    private final LuceneDirectory directory;
    private final Function<TableId, String> indexOf;
    private final TableMapping mapping;
    private final Analyzer analyzer;

    LuceneSearcher(String sink, LuceneDirectory directory, Function<TableId, String> indexOf, TableMapping mapping, Analyzer analyzer) {
        this.sink = sink;
        this.directory = directory;
        this.indexOf = indexOf;
        this.mapping = mapping;
        this.analyzer = analyzer;
    }

    /** See {@link LuceneSink#search}. */
    SearchPage search(TableId table, SearchQuery query, int from, int size) {
        if (from < 0 || size < 1 || size > 1000) {
            throw new IllegalArgumentException("a page needs from >= 0 and size between 1 and 1000, got from=" + from + " size=" + size);
        }
        LuceneIndex idx = directory.existing(indexOf.apply(table));
        if (idx == null) {
            return new SearchPage(0, List.of());
        }
        Query q = new BooleanQuery.Builder().add(luceneQuery(query), BooleanClause.Occur.MUST)
                .add(new TermQuery(new Term(LuceneSink.DELETED, "true")), BooleanClause.Occur.MUST_NOT).build();
        try {
            IndexSearcher searcher = idx.searchers().acquire();
            try {
                TopDocs top = searcher.search(q, from + size);
                List<Map<String, Object>> hits = new ArrayList<>();
                ScoreDoc[] docs = top.scoreDocs;
                for (int i = from; i < docs.length; i++) {
                    Document d = searcher.storedFields().document(docs[i].doc);
                    Map<String, Object> hit = new LinkedHashMap<>();
                    hit.put(LuceneSink.ID, d.get(LuceneSink.ID));
                    hit.put(LuceneSink.VERSION, d.getField(LuceneSink.VERSION).numericValue().longValue());
                    hit.putAll(JSON.readValue(d.get(LuceneSink.SOURCE), OBJECT));
                    hits.add(hit);
                }
                // Top docs count hits exactly only up to 1,000 (then "at least 1,001"): count them all instead.
                long total = top.totalHits.relation == TotalHits.Relation.EQUAL_TO ? top.totalHits.value : searcher.count(q);
                return new SearchPage(total, hits);
            } finally {
                idx.searchers().release(searcher);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Lucene sink '" + sink + "' cannot search " + indexOf.apply(table), e);
        }
    }

    private Query luceneQuery(SearchQuery query) {
        if (query instanceof SearchQuery.Term t) {
            return new TermQuery(new Term(t.field() + ".keyword", t.value()));
        }
        if (query instanceof SearchQuery.Match m) {
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

    /** See {@link LuceneSink#readBack}. */
    List<String> readBack(List<ChangeEvent> rows) {
        List<String> out = new ArrayList<>(rows.size());
        if (rows.isEmpty()) {
            return out;
        }
        LuceneIndex idx = directory.existing(indexOf.apply(rows.get(0).table()));
        if (idx == null) {
            rows.forEach(e -> out.add(null));
            return out;
        }
        try {
            idx.searchers().maybeRefresh();
            IndexSearcher searcher = idx.searchers().acquire();
            try {
                for (ChangeEvent e : rows) {
                    TopDocs top = searcher.search(new TermQuery(new Term(LuceneSink.ID, mapping.id().render(e))), 1);
                    out.add(top.scoreDocs.length == 0 ? null : searcher.storedFields().document(top.scoreDocs[0].doc).get(LuceneSink.SOURCE));
                }
            } finally {
                idx.searchers().release(searcher);
            }
            return out;
        } catch (IOException ex) {
            throw new UncheckedIOException("Lucene sink '" + sink + "' cannot read " + indexOf.apply(rows.get(0).table()), ex);
        }
    }

    /** See {@link LuceneSink#scanIds}. */
    void scanIds(TableId table, Consumer<List<String>> batch) {
        LuceneIndex idx = directory.existing(indexOf.apply(table));
        if (idx == null) {
            return;
        }
        try {
            idx.searchers().maybeRefresh();
            IndexSearcher searcher = idx.searchers().acquire();
            try {
                Query live = new BooleanQuery.Builder().add(new MatchAllDocsQuery(), BooleanClause.Occur.MUST)
                        .add(new TermQuery(new Term(LuceneSink.DELETED, "true")), BooleanClause.Occur.MUST_NOT).build();
                List<String> ids = new ArrayList<>();
                StoredFields stored = searcher.storedFields();
                for (ScoreDoc d : searcher.search(live, Math.max(1, searcher.getIndexReader().maxDoc())).scoreDocs) {
                    ids.add(stored.document(d.doc, Set.of(LuceneSink.ID)).get(LuceneSink.ID));
                    if (ids.size() == IDS_PER_BATCH) {
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
            throw new UncheckedIOException("Lucene sink '" + sink + "' cannot list " + indexOf.apply(table), ex);
        }
    }
}
