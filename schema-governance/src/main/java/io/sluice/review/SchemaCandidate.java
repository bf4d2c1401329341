package io.sluice.review;

import io.sluice.event.SourcePosition;
import io.sluice.event.TableId;
import java.util.Objects;
import org.apache.avro.Schema;

/**
 * A table's value schema that capture is about to emit for the first time.
 *
 * @param table the table; never null
 * @param valueSchema the Avro schema of the row images; never null
 * @param keySchema the Avro schema of the key; null for tables without a primary key
 * @param ddl the last DDL statement capture saw for this table, or null when unknown (for example the first
 *     schema after a snapshot)
 * @param position where the first event under this schema sits in the binlog; never null
 */
public record SchemaCandidate(TableId table, Schema valueSchema, Schema keySchema, String ddl, SourcePosition position) {
    public SchemaCandidate {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(valueSchema, "valueSchema");
        Objects.requireNonNull(position, "position");
    }
}
