package io.sluice.admin.source;

import io.sluice.admin.SluiceConfig;
import io.sluice.admin.api.Keys;
import io.sluice.admin.error.ConflictException;
import io.sluice.admin.error.InvalidRequestException;
import io.sluice.admin.error.NotFoundException;
import io.sluice.metadata.MetadataDb;
import io.sluice.capture.SourceConfig;
import io.sluice.config.InvalidConfigException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
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
 * Registered sources in the metadata database. The password is encrypted with {@link SecretBox} and kept apart
 * from the rest of the configuration, so that nothing read for display can carry it. Thread-safe.
 */
@ApplicationScoped
public class SourceStore {
    @Inject
    MetadataDb db;

    @Inject
    SecretBox secrets;

    @Inject
    SluiceConfig config;

    @Inject
    Clock clock;

    /**
     * A stored source.
     *
     * @param name its name
     * @param settings its keys without password and data directory, sorted
     */
    public record Stored(String name, Map<String, String> settings) {
    }

    /**
     * The configuration a worker runs with: stored keys, the decrypted password, the server's data directory.
     *
     * @throws NotFoundException for an unknown source
     */
    public SourceConfig runtimeConfig(String name) {
        Map<String, String> keys = db.find("SELECT config, password_enc FROM source WHERE name = ?", rs -> {
            Map<String, String> m = new HashMap<>(Keys.fromJson(rs.getString(1)));
            m.put(SourceConfig.PASSWORD, secrets.decrypt(rs.getString(2)));
            return m;
        }, name).orElseThrow(() -> notFound(name));
        keys.put(SourceConfig.DATA_DIR, config.dataDir());
        return SourceConfig.parse(keys);
    }

    /**
     * Validates and stores a new source.
     *
     * @throws InvalidConfigException listing every problem
     * @throws InvalidRequestException if the request sets the data directory
     * @throws ConflictException if the name is taken
     */
    public Stored create(Map<String, String> keys) {
        if (keys.containsKey(SourceConfig.DATA_DIR)) {
            throw InvalidRequestException.of(SourceConfig.DATA_DIR, "is set by the server (sluice.data-dir); remove it from the request");
        }
        Map<String, String> full = new HashMap<>(keys);
        full.put(SourceConfig.DATA_DIR, config.dataDir());
        SourceConfig.parse(full); // every problem at once, or nothing stored
        String name = keys.get(SourceConfig.NAME);
        Map<String, String> settings = new TreeMap<>(keys);
        String password = settings.remove(SourceConfig.PASSWORD);
        return db.inTransaction(c -> {
            if (MetadataDb.find(c, "SELECT 1 FROM source WHERE name = ?", rs -> true, name).isPresent()) {
                throw new ConflictException("conflict", "A source named '" + name + "' exists already; pick another name or update that"
                        + " source.");
            }
            Timestamp now = Timestamp.from(clock.instant());
            MetadataDb.update(c, "INSERT INTO source (name, config, password_enc, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                    name, Keys.toJson(settings), secrets.encrypt(password == null ? "" : password), now, now);
            return new Stored(name, settings);
        });
    }

    public List<Stored> list() {
        return db.list("SELECT name, config FROM source ORDER BY name", SourceStore::stored);
    }

    /** @throws NotFoundException for an unknown source */
    public Stored get(String name) {
        return find(name).orElseThrow(() -> notFound(name));
    }

    public Optional<Stored> find(String name) {
        return db.find("SELECT name, config FROM source WHERE name = ?", SourceStore::stored, name);
    }

    /**
     * Replaces a source's keys. A request without a password keeps the stored one.
     *
     * @throws InvalidConfigException listing every problem
     * @throws NotFoundException for an unknown source
     * @throws InvalidRequestException if the body renames the source or sets the data directory
     */
    public Stored update(String name, Map<String, String> keys) {
        get(name);
        if (keys.containsKey(SourceConfig.DATA_DIR)) {
            throw InvalidRequestException.of(SourceConfig.DATA_DIR, "is set by the server (sluice.data-dir); remove it from the request");
        }
        if (keys.containsKey(SourceConfig.NAME) && !name.equals(keys.get(SourceConfig.NAME))) {
            throw InvalidRequestException.of(SourceConfig.NAME, "must equal the name in the path ('" + name + "'); a source cannot be"
                    + " renamed");
        }
        Map<String, String> full = new HashMap<>(keys);
        full.put(SourceConfig.NAME, name);
        String password = full.containsKey(SourceConfig.PASSWORD) ? full.get(SourceConfig.PASSWORD) : runtimeConfig(name).password();
        full.put(SourceConfig.PASSWORD, password);
        full.put(SourceConfig.DATA_DIR, config.dataDir());
        SourceConfig.parse(full);
        Map<String, String> settings = new TreeMap<>(full);
        settings.remove(SourceConfig.PASSWORD);
        settings.remove(SourceConfig.DATA_DIR);
        int changed = db.update("UPDATE source SET config = ?, password_enc = ?, updated_at = ? WHERE name = ?", Keys.toJson(settings),
                secrets.encrypt(password == null ? "" : password), Timestamp.from(clock.instant()), name);
        if (changed == 0) {
            throw notFound(name);
        }
        return new Stored(name, settings);
    }

    /**
     * Raises a source's {@code version.epoch} to at least this one: its capture moved there by itself (a change of
     * server), and whatever else writes versions for the source must follow.
     *
     * @throws NotFoundException for an unknown source
     */
    public void raiseEpoch(String name, int epoch) {
        Stored s = get(name);
        if (runtimeConfig(name).versionEpoch() >= epoch) {
            return;
        }
        Map<String, String> keys = new HashMap<>(s.settings());
        keys.put(SourceConfig.VERSION_EPOCH, Integer.toString(epoch));
        update(name, keys);
    }

    /** What a person last asked of the source. @throws NotFoundException for an unknown source */
    public DesiredState desiredState(String name) {
        return db.find("SELECT desired_state FROM source WHERE name = ?", rs -> DesiredState.of(rs.getString(1)), name)
                .orElseThrow(() -> notFound(name));
    }

    public void setDesiredState(String name, DesiredState state) {
        db.update("UPDATE source SET desired_state = ? WHERE name = ?", state.label(), name);
    }

    /**
     * @throws NotFoundException for an unknown source
     * @throws ConflictException while pipelines read from the source
     */
    public void delete(String name) {
        List<String> users = db.list("SELECT name FROM pipeline WHERE source = ? ORDER BY name", rs -> rs.getString(1), name);
        if (!users.isEmpty()) {
            throw new ConflictException("conflict", "Source '" + name + "' is read by pipelines " + users + "; delete those pipelines first.");
        }
        if (db.update("DELETE FROM source WHERE name = ?", name) == 0) {
            throw notFound(name);
        }
    }

    /** The refusal of an unknown source, naming where the sources are listed. */
    public static NotFoundException notFound(String name) {
        return new NotFoundException("No source named '" + name + "'; GET /api/v1/sources lists them.");
    }

    private static Stored stored(ResultSet rs) throws SQLException {
        return new Stored(rs.getString(1), Keys.fromJson(rs.getString(2)));
    }
}
