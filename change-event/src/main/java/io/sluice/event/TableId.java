package io.sluice.event;

import java.util.Objects;

/**
 * A table of a registered source.
 *
 * @param source the source's name in Sluice
 * @param database the database (schema) in the source
 * @param table the table's name
 */
public record TableId(String source, String database, String table) {
    public TableId {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(table, "table");
    }

    /** The Confluent TopicNameStrategy subject stem: {@code <source>.<database>.<table>}. */
    public String subjectStem() {
        return source + "." + database + "." + table;
    }

    @Override
    public String toString() {
        return subjectStem();
    }
}
