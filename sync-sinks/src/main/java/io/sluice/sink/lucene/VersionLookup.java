package io.sluice.sink.lucene;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * Reads stored versions (tombstones included) for one batch of a Lucene sink: one searcher, and per segment one terms
 * enumeration reused for every id, rather than a searcher and a new enumeration per id and segment, which cost the
 * writes dearly. Segments whose term range cannot hold the id are skipped. Not thread-safe; {@link #close()}
 * releases the searcher.
 */
final class VersionLookup implements AutoCloseable {
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

    /** The version stored for a document id, or null when no document (tombstone included) holds it. */
    Long version(String id) throws IOException {
        BytesRef term = new BytesRef(id);
        for (Segment seg : segments) {
            if (seg.noIds) {
                continue;
            }
            if (seg.terms == null) {
                Terms terms = seg.leaf.reader().terms(LuceneSink.ID);
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
                NumericDocValues versions = seg.leaf.reader().getNumericDocValues(LuceneSink.VERSION_DV);
                if (versions != null && versions.advanceExact(doc)) {
                    return versions.longValue();
                }
                return searcher.storedFields().document(seg.leaf.docBase + doc).getField(LuceneSink.VERSION).numericValue().longValue();
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
