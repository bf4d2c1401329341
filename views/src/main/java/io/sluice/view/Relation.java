package io.sluice.view;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Rows of another table nested in a view's document, under a field of their own.
 *
 * @param name the field of the parent's document that holds them
 * @param kind one related row (a lookup) or many (a nested array)
 * @param table the related table as {@code database.table}
 * @param on the join: parent column to related column, in order (several pairs for a composite key). For
 *     {@link Kind#ONE} the related columns are a key of the related table (its primary key or a unique key); for
 *     {@link Kind#MANY} the related rows are those whose columns equal the parent's.
 * @param columns the related table's columns the nested document holds; null or empty for all
 * @param rename field names for columns, column to field; null for none
 * @param orderBy for {@link Kind#MANY}, the columns that order the array; null or empty for the primary key
 * @param relations tables nested further in each related row; null for none
 */
public record Relation(String name, Kind kind, String table, Map<String, String> on, List<String> columns, Map<String, String> rename,
        List<String> orderBy, List<Relation> relations) {

    /** How many related rows a relation nests. */
    public enum Kind {
        /** At most one: a many-to-one lookup, nested as an object (null when there is none). */
        ONE,
        /** Any number: nested as an array, empty when there are none. */
        MANY;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @throws IllegalArgumentException for anything but {@code one} or {@code many} */
        @JsonCreator
        public static Kind of(String text) {
            for (Kind k : values()) {
                if (k.label().equals(text)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("kind must be 'one' or 'many', not '" + text + "'");
        }
    }

    /** The nested relations, never null. */
    public List<Relation> relationsOrEmpty() {
        return relations == null ? List.of() : relations;
    }
}
