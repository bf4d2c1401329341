package io.sluice.serde;

import org.apache.avro.Schema;

/**
 * What the serde needs from a schema registry. Implementations: {@link HttpRegistryClient} (any
 * Confluent-compatible registry over HTTP, Sluice's own included) and {@link LocalRegistryClient} (Sluice's
 * registry in the same process); {@link CachingRegistryClient} puts caches in front of either.
 *
 * <p>Implementations are thread-safe.
 */
public interface RegistryClient {

    /**
     * Registers a schema under a subject, or finds its existing registration.
     *
     * @return the global schema id
     * @throws io.sluice.registry.RegistryException with Confluent's error (for example INCOMPATIBLE_SCHEMA)
     * @throws RegistryUnavailableException when the registry cannot be reached (retriable)
     */
    long register(String subject, Schema schema);

    /**
     * The id of a schema already registered under a subject, without registering it.
     *
     * @throws io.sluice.registry.RegistryException SUBJECT_NOT_FOUND or SCHEMA_NOT_FOUND
     * @throws RegistryUnavailableException when the registry cannot be reached (retriable)
     */
    long lookup(String subject, Schema schema);

    /**
     * The schema with a global id.
     *
     * @throws io.sluice.registry.RegistryException SCHEMA_NOT_FOUND
     * @throws RegistryUnavailableException when the registry cannot be reached (retriable)
     */
    Schema schemaById(long id);
}
