package io.sluice.serde;

import io.sluice.registry.SchemaRegistry;
import java.util.Objects;
import org.apache.avro.Schema;

/** A {@link RegistryClient} over Sluice's registry in the same process. */
public final class LocalRegistryClient implements RegistryClient {
    private final SchemaRegistry registry;

    public LocalRegistryClient(SchemaRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public long register(String subject, Schema schema) {
        return registry.register(subject, schema.toString()).id();
    }

    @Override
    public long lookup(String subject, Schema schema) {
        return registry.lookup(subject, schema.toString(), false).id();
    }

    @Override
    public Schema schemaById(long id) {
        return new Schema.Parser().parse(registry.schema(id));
    }
}
