package io.sluice.sink.lucene;

import java.util.Objects;

/**
 * A query of the embedded index: a closed set of records.
 */
public sealed interface LuceneQuery {

    /** Every live document. */
    record All() implements LuceneQuery {
    }

    /**
     * Documents whose field has exactly this value (strings as written, numbers in their decimal form).
     *
     * @param field the field
     * @param value the exact value
     */
    record Term(String field, String value) implements LuceneQuery {
        public Term {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * Documents whose analyzed text field contains any of the words of {@code text}, best matches first.
     *
     * @param field the text field
     * @param text words to look for
     */
    record Match(String field, String text) implements LuceneQuery {
        public Match {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(text, "text");
        }
    }
}
