package io.sluice.sink;

import java.util.Objects;

/**
 * A search of a sink's documents ({@link Searchable}): a closed set of records.
 */
public sealed interface SearchQuery {

    /** Every live document. */
    record All() implements SearchQuery {
    }

    /**
     * Documents whose field has exactly this value (strings as written, numbers in their decimal form).
     *
     * @param field the field
     * @param value the exact value
     */
    record Term(String field, String value) implements SearchQuery {
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
    record Match(String field, String text) implements SearchQuery {
        public Match {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(text, "text");
        }
    }
}
