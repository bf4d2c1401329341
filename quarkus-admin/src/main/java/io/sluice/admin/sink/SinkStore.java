package io.sluice.admin.sink;

import io.sluice.admin.SluiceConfig;
import io.sluice.admin.api.Keys;
import io.sluice.admin.error.ConflictException;
import io.sluice.admin.error.InvalidRequestException;
import io.sluice.admin.error.NotFoundException;
import io.sluice.admin.leadership.Leadership;
import io.sluice.admin.source.SecretBox;
import io.sluice.metadata.MetadataDb;
import io.sluice.sink.GenerationWatch;
import io.sluice.sink.Sink;
import io.sluice.sink.lucene.LuceneSinkConfig;
import io.sluice.sink.redis.RedisSinkConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Sinks in the metadata database. Keys of type password are encrypted with {@link SecretBox} and kept apart from
 * the rest, so that nothing read for display can carry them. Thread-safe.
 */
@ApplicationScoped
public class SinkStore {

    @Inject
    MetadataDb db;

    @Inject
    SecretBox secrets;

    @Inject
    SluiceConfig config;

    @Inject
    Clock clock;

    @Inject
    Leadership leadership;

    /**
     * A stored sink.
     *
     * @param name its name
     * @param type its kind
     * @param settings its keys without secrets and server-set keys, sorted
     */
    public record Stored(String name, SinkType type, Map<String, String> settings) {
    }

    /** The keys a sink runs with: stored keys, decrypted secrets and the keys the server sets. */
    public Map<String, String> runtimeKeys(String name) {
        return db.find("SELECT sink_type, config, secrets_enc FROM sink WHERE name = ?", rs -> {
            Map<String, String> m = new HashMap<>(Keys.fromJson(rs.getString(2)));
            m.putAll(Keys.fromJson(secrets.decrypt(rs.getString(3))));
            m.putAll(serverKeys(SinkType.valueOf(rs.getString(1)), name));
            return m;
        }, name).orElseThrow(() -> notFound(name));
    }

    private Map<String, String> serverKeys(SinkType type, String name) {
        return switch (type) {
            case LUCENE -> Map.of(LuceneSinkConfig.DIR, Path.of(config.dataDir(), "sinks", name, "lucene").toString());
            case REDIS -> leadership.epoch() > 0 ? Map.of(RedisSinkConfig.FENCE_EPOCH, Long.toString(leadership.epoch())) : Map.of();
            case OPENSEARCH -> Map.of();
        };
    }

    /**
     * Validates and stores a new sink.
     *
     * @throws io.sluice.config.InvalidConfigException listing every problem
     * @throws ConflictException if the name is taken, InvalidRequestException for a bad name or a server-set key
     */
    public Stored create(String name, SinkType type, Map<String, String> keys) {
        validate(name, type, keys);
        Split split = split(type, keys);
        return db.inTransaction(c -> {
            if (MetadataDb.find(c, "SELECT 1 FROM sink WHERE name = ?", rs -> true, name).isPresent()) {
                throw new ConflictException("conflict", "A sink named '" + name + "' exists already; pick another name or"
                        + " update that sink.");
            }
            Timestamp now = Timestamp.from(clock.instant());
            MetadataDb.update(c, "INSERT INTO sink (name, sink_type, config, secrets_enc, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                    name, type.name(), Keys.toJson(split.settings), secrets.encrypt(Keys.toJson(split.secrets)), now, now);
            return new Stored(name, type, split.settings);
        });
    }

    /**
     * Where the last generation seen of a sink's target is kept (see {@link io.sluice.sink.GenerationWatch}): with the
     * sink, so that a sink deleted and created again starts without one.
     */
    public GenerationWatch.Record generations(String name) {
        return new GenerationWatch.Record() {
            @Override
            public Optional<String> last() {
                return db.find("SELECT generation FROM sink WHERE name = ?", rs -> Optional.ofNullable(rs.getString(1)), name)
                        .flatMap(g -> g);
            }

            @Override
            public void seen(String generation) {
                db.update("UPDATE sink SET generation = ? WHERE name = ?", generation, name);
            }
        };
    }

    /**
     * Replaces a sink's keys; secrets the request leaves out keep their stored values. The type cannot change.
     *
     * @throws io.sluice.config.InvalidConfigException listing every problem
     * @throws NotFoundException, or InvalidRequestException if the type differs
     */
    public Stored update(String name, SinkType type, Map<String, String> keys) {
        Stored old = get(name);
        if (old.type() != type) {
            throw InvalidRequestException.of("type", "must stay '" + old.type().label() + "'; to change a sink's type, create a new sink");
        }
        Map<String, String> merged = new HashMap<>(keys);
        Map<String, String> stored = runtimeKeys(name);
        for (String secret : type.secretKeys()) {
            if (!merged.containsKey(secret) && stored.containsKey(secret)) {
                merged.put(secret, stored.get(secret));
            }
        }
        validate(name, type, merged);
        Split split = split(type, merged);
        db.update("UPDATE sink SET config = ?, secrets_enc = ?, updated_at = ? WHERE name = ?", Keys.toJson(split.settings),
                secrets.encrypt(Keys.toJson(split.secrets)), Timestamp.from(clock.instant()), name);
        return new Stored(name, type, split.settings);
    }

    private void validate(String name, SinkType type, Map<String, String> keys) {
        if (name == null || !name.matches("[a-z0-9][a-z0-9_-]{0,62}")) {
            throw InvalidRequestException.of("name", "must be 1 to 63 characters of a-z, 0-9, '_' and '-', starting with a letter or digit"
                    + (name == null ? " (it is missing)" : ", not '" + name + "'"));
        }
        for (String key : type.serverKeys()) {
            if (keys.containsKey(key)) {
                throw InvalidRequestException.of(key, "is set by the server; remove it from the request");
            }
        }
        Map<String, String> full = new HashMap<>(keys);
        full.putAll(serverKeys(type, name));
        try (Sink probe = type.create(name, full, clock)) { // validates the whole configuration; connects nothing
            assert probe != null;
        }
    }

    private record Split(Map<String, String> settings, Map<String, String> secrets) {
    }

    private static Split split(SinkType type, Map<String, String> keys) {
        Map<String, String> settings = new TreeMap<>(keys);
        Map<String, String> secretValues = new TreeMap<>();
        for (String secret : type.secretKeys()) {
            String value = settings.remove(secret);
            if (value != null) {
                secretValues.put(secret, value);
            }
        }
        return new Split(settings, secretValues);
    }

    public List<Stored> list() {
        return db.list("SELECT name, sink_type, config FROM sink ORDER BY name", SinkStore::stored);
    }

    /** @throws NotFoundException for an unknown sink */
    public Stored get(String name) {
        return find(name).orElseThrow(() -> notFound(name));
    }

    public Optional<Stored> find(String name) {
        return db.find("SELECT name, sink_type, config FROM sink WHERE name = ?", SinkStore::stored, name);
    }

    /** @throws NotFoundException, or ConflictException while pipelines write to the sink */
    public void delete(String name, List<String> pipelinesUsingIt) {
        if (!pipelinesUsingIt.isEmpty()) {
            throw new ConflictException("conflict", "Sink '" + name + "' is used by pipelines " + pipelinesUsingIt
                    + "; remove it from those pipelines first.");
        }
        if (db.update("DELETE FROM sink WHERE name = ?", name) == 0) {
            throw notFound(name);
        }
    }

    /** @return a NotFoundException naming the sink */
    public static NotFoundException notFound(String name) {
        return new NotFoundException("No sink named '" + name + "'; GET /api/v1/sinks lists them.");
    }

    private static Stored stored(ResultSet rs) throws SQLException {
        return new Stored(rs.getString(1), SinkType.valueOf(rs.getString(2)), Keys.fromJson(rs.getString(3)));
    }
}
