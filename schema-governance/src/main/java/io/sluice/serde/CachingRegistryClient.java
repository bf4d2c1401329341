package io.sluice.serde;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.avro.Schema;

/**
 * Caches a {@link RegistryClient}'s answers: schema ids per subject and schema, schemas per id. Registered ids
 * and schemas never change, so entries never expire; a steady stream makes no registry calls at all
 * ({@link #remoteCalls()} counts the ones made).
 *
 * <p>The caches hold one entry per distinct (subject, schema) and per id; they are cleared if they exceed
 * {@value #MAX_ENTRIES} entries, which only a pathological stream of schemas reaches. Thread-safe.
 */
public final class CachingRegistryClient implements RegistryClient {
    static final int MAX_ENTRIES = 10_000;

    private record Key(String subject, Schema schema) {
    }

    private final RegistryClient delegate;
    private final Map<Key, Long> ids = new ConcurrentHashMap<>();
    private final Map<Long, Schema> schemas = new ConcurrentHashMap<>();
    private final AtomicLong remoteCalls = new AtomicLong();

    public CachingRegistryClient(RegistryClient delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public long register(String subject, Schema schema) {
        return cached(subject, schema, () -> delegate.register(subject, schema));
    }

    @Override
    public long lookup(String subject, Schema schema) {
        return cached(subject, schema, () -> delegate.lookup(subject, schema));
    }

    private long cached(String subject, Schema schema, LongSupplier remote) {
        Key key = new Key(subject, schema);
        Long id = ids.get(key);
        if (id != null) {
            return id;
        }
        remoteCalls.incrementAndGet();
        long found = remote.getAsLong();
        put(key, found, schema);
        return found;
    }

    @Override
    public Schema schemaById(long id) {
        Schema s = schemas.get(id);
        if (s != null) {
            return s;
        }
        remoteCalls.incrementAndGet();
        Schema fetched = delegate.schemaById(id);
        if (schemas.size() >= MAX_ENTRIES) {
            schemas.clear();
        }
        schemas.put(id, fetched);
        return fetched;
    }

    private void put(Key key, long id, Schema schema) {
        if (ids.size() >= MAX_ENTRIES) {
            ids.clear();
        }
        ids.put(key, id);
        schemas.putIfAbsent(id, schema);
    }

    /** How many calls reached the registry (cache misses) since creation. */
    public long remoteCalls() {
        return remoteCalls.get();
    }
}
