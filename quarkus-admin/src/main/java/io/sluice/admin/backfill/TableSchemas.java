package io.sluice.admin.backfill;

import io.sluice.admin.error.ConflictException;
import io.sluice.backfill.BackfillRun;
import io.sluice.event.TableId;
import io.sluice.registry.RegistryException;
import io.sluice.registry.SchemaRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.apache.avro.Schema;

/** The Avro schemas a table's rows are written under when the server reads them itself: the latest registered. */
@ApplicationScoped
public class TableSchemas {

    @Inject
    SchemaRegistry registry;

    /**
     * The table's latest registered value and key schemas.
     *
     * @throws ConflictException if capture has not registered them yet
     */
    public BackfillRun.Schemas of(TableId table) {
        String stem = table.subjectStem();
        try {
            Schema value = SchemaRegistry.parse(registry.version(stem + "-value", -1, false).schema());
            Schema key = SchemaRegistry.parse(registry.version(stem + "-key", -1, false).schema());
            return new BackfillRun.Schemas(value, key);
        } catch (RegistryException e) {
            throw new ConflictException("no_schema", "Table " + table + " has no registered schema yet (subjects " + stem + "-value and"
                    + " -key): capture registers it with the table's first change it sees. Change a row of it, or start the source with"
                    + " snapshot.mode=initial, then try again.");
        }
    }

    /** The table's latest registered value schema, if capture registered one. */
    public Optional<Schema> value(TableId table) {
        try {
            return Optional.of(SchemaRegistry.parse(registry.version(table.subjectStem() + "-value", -1, false).schema()));
        } catch (RegistryException e) {
            return Optional.empty();
        }
    }

    /** Whether capture registered the table's schemas. */
    public boolean registered(TableId table) {
        try {
            of(table);
            return true;
        } catch (ConflictException e) {
            return false;
        }
    }
}
