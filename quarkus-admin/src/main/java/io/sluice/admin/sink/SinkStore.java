package io.sluice.admin.sink;

import io.sluice.admin.SluiceConfig;
import io.sluice.admin.api.Keys;
import io.sluice.admin.error.ConflictException;
import io.sluice.admin.error.InvalidRequestException;
import io.sluice.admin.error.NotFoundException;
import io.sluice.admin.source.SecretBox;
import io.sluice.admin.metadata.MetadataDb;
import io.sluice.sink.lucene.LuceneSinkConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
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
        Map<String, String> keys = db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT sink_type, config, secrets_enc FROM sink WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    Map<String, String> m = new HashMap<>(Keys.fromJson(rs.getString(2)));
                    m.putAll(Keys.fromJson(secrets.decrypt(rs.getString(3))));
                    m.putAll(serverKeys(SinkType.valueOf(rs.getString(1)), name));
                    return m;
                }
            }
        });
        if (keys == null) {
            throw notFound(name);
        }
        return keys;
    }

    private Map<String, String> serverKeys(SinkType type, String name) {
        return switch (type) {
            case LUCENE -> Map.of(LuceneSinkConfig.DIR, Path.of(config.dataDir(), "sinks", name, "lucene").toString());
            case REDIS, OPENSEARCH -> Map.of();
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
            if (exists(c, name)) {
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
    public io.sluice.sink.GenerationWatch.Record generations(String name) {
        return new io.sluice.sink.GenerationWatch.Record() {
            @Override
            public Optional<String> last() {
                return Optional.ofNullable(db.read(c -> {
                    try (PreparedStatement ps = c.prepareStatement("SELECT generation FROM sink WHERE name = ?")) {
                        ps.setString(1, name);
                        try (ResultSet rs = ps.executeQuery()) {
                            return rs.next() ? rs.getString(1) : null;
                        }
                    }
                }));
            }

            @Override
            public void seen(String generation) {
                db.inTransaction(c -> MetadataDb.update(c, "UPDATE sink SET generation = ? WHERE name = ?", generation, name));
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
        db.inTransaction(c -> MetadataDb.update(c, "UPDATE sink SET config = ?, secrets_enc = ?, updated_at = ? WHERE name = ?",
                Keys.toJson(split.settings), secrets.encrypt(Keys.toJson(split.secrets)), Timestamp.from(clock.instant()), name));
        return new Stored(name, type, split.settings);
    }

    private void validate(String name, SinkType type, Map<String, String> keys) {
        if (name == null || !name.matches("[a-z0-9][a-z0-9_-]{0,62}")) {
            throw InvalidRequestException.of("name", "must be 1 to 63 characters of a-z, 0-9, '_' and '-', starting with a letter or digit"
                    + (name == null ? " (it is missing)" : ", not '" + name + "'"));
        }
        for (String key : type.serverKeys()) {
            if (keys.containsKey(key)) {
                throw InvalidRequestException.of(key, "is set by the server (under sluice.data-dir); remove it from the request");
            }
        }
        Map<String, String> full = new HashMap<>(keys);
        full.putAll(serverKeys(type, name));
        try (io.sluice.sink.Sink probe = type.create(name, full, clock)) { // validates the whole configuration; connects nothing
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
        return db.read(c -> {
            List<Stored> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT name, sink_type, config FROM sink ORDER BY name"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Stored(rs.getString(1), SinkType.valueOf(rs.getString(2)), Keys.fromJson(rs.getString(3))));
                }
            }
            return out;
        });
    }

    /** @throws NotFoundException */
    public Stored get(String name) {
        return find(name).orElseThrow(() -> notFound(name));
    }

    public Optional<Stored> find(String name) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT name, sink_type, config FROM sink WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new Stored(rs.getString(1), SinkType.valueOf(rs.getString(2)), Keys.fromJson(rs.getString(3))))
                            : Optional.empty();
                }
            }
        });
    }

    /** @throws NotFoundException, or ConflictException while pipelines write to the sink */
    public void delete(String name, List<String> pipelinesUsingIt) {
        if (!pipelinesUsingIt.isEmpty()) {
            throw new ConflictException("conflict", "Sink '" + name + "' is used by pipelines " + pipelinesUsingIt
                    + "; remove it from those pipelines first.");
        }
        int removed = db.inTransaction(c -> MetadataDb.update(c, "DELETE FROM sink WHERE name = ?", name));
        if (removed == 0) {
            throw notFound(name);
        }
    }

    private static boolean exists(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM sink WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** @return a NotFoundException naming the sink */
    public static NotFoundException notFound(String name) {
        return new NotFoundException("No sink named '" + name + "'; GET /api/v1/sinks lists them.");
    }
}
