package io.sluice.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.contract.Metadata;
import io.sluice.contract.RuleSet;

import io.sluice.metadata.MetadataDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The registry's SQL, over the tables of {@code db/migration/V1__registry.sql}: {@code registry_schema} (each
 * distinct schema once, by content hash), {@code registry_version} (the versions of each subject, soft-deleted ones
 * flagged) and {@code registry_config} (compatibility levels; the row with subject {@value #GLOBAL} is the global
 * one).
 *
 * <p>Every method works on the caller's connection, inside the caller's transaction, and checks nothing: the rules
 * are {@link SchemaRegistry}'s. Thread-safe (stateless apart from the clock).
 */
final class RegistryTables {
    /** The subject under which the global configuration is stored. */
    static final String GLOBAL = "";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VERSION_COLUMNS = "SELECT v.subject, v.version, v.schema_id, s.schema_text, v.deleted, v.rule_set, v.metadata"
            + " FROM registry_version v JOIN registry_schema s ON s.id = v.schema_id";

    private final Clock clock;

    RegistryTables(Clock clock) {
        this.clock = clock;
    }

    /** Subjects with at least one version (soft-deleted ones too when asked), sorted. */
    List<String> subjects(Connection c, boolean includeDeleted) throws SQLException {
        List<String> out = new ArrayList<>();
        String sql = "SELECT DISTINCT subject FROM registry_version" + (includeDeleted ? "" : " WHERE deleted = FALSE") + " ORDER BY subject";
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** A subject's versions, oldest first; empty for an unknown subject. */
    List<SubjectVersion> versions(Connection c, String subject, boolean includeDeleted) throws SQLException {
        return versionRows(c, " WHERE v.subject = ?" + (includeDeleted ? "" : " AND v.deleted = FALSE") + " ORDER BY v.version", subject);
    }

    /** The subject versions that use a schema id, by subject and version. */
    List<SubjectVersion> versionsOf(Connection c, long id, boolean includeDeleted) throws SQLException {
        return versionRows(c, " WHERE v.schema_id = ?" + (includeDeleted ? "" : " AND v.deleted = FALSE") + " ORDER BY v.subject, v.version", id);
    }

    private static List<SubjectVersion> versionRows(Connection c, String where, Object key) throws SQLException {
        List<SubjectVersion> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(VERSION_COLUMNS + where)) {
            ps.setObject(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
        }
        return out;
    }

    private static SubjectVersion row(ResultSet rs) throws SQLException {
        return new SubjectVersion(rs.getString(1), rs.getInt(2), rs.getLong(3), rs.getString(4), rs.getBoolean(5),
                read(rs.getString(6), RuleSet.class), read(rs.getString(7), Metadata.class));
    }

    private static <T> T read(String text, Class<T> type) throws SQLException {
        if (text == null) {
            return null;
        }
        try {
            return JSON.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new SQLException("registry_version holds a " + type.getSimpleName() + " that is not readable: " + e.getOriginalMessage(), e);
        }
    }

    private static String write(Object value, boolean empty) {
        if (empty) {
            return null;
        }
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The text of the schema with a global id, if there is one. */
    Optional<String> schemaText(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT schema_text FROM registry_schema WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /** The global id of a schema in its canonical form, stored now if it is new. */
    long schemaId(Connection c, String canonical) throws SQLException {
        String hash = MetadataDb.sha256(canonical);
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM registry_schema WHERE schema_hash = ?")) {
            ps.setString(1, hash);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return rs.getLong(1);
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO registry_schema (schema_hash, schema_type, schema_text, created_at) VALUES (?, 'AVRO', ?, ?)",
                new String[] {"id"})) {
            ps.setString(1, hash);
            ps.setString(2, canonical);
            ps.setTimestamp(3, Timestamp.from(clock.instant()));
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    /**
     * Adds the next version of a subject; numbers are never reused while a version holds them.
     *
     * @return the new version's number
     */
    int addVersion(Connection c, String subject, long schemaId, RuleSet ruleSet, Metadata metadata) throws SQLException {
        int version;
        try (PreparedStatement ps = c.prepareStatement("SELECT MAX(version) FROM registry_version WHERE subject = ?")) {
            ps.setString(1, subject);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                version = rs.getInt(1) + 1;
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO registry_version (subject, version, schema_id, deleted, created_at, rule_set, metadata) VALUES (?, ?, ?, FALSE, ?, ?, ?)")) {
            ps.setString(1, subject);
            ps.setInt(2, version);
            ps.setLong(3, schemaId);
            ps.setTimestamp(4, Timestamp.from(clock.instant()));
            ps.setString(5, write(ruleSet, ruleSet.isEmpty()));
            ps.setString(6, write(metadata, metadata.isEmpty()));
            ps.executeUpdate();
        }
        return version;
    }

    /** Removes one version's row ({@code permanent}), or flags it soft-deleted. */
    void deleteVersion(Connection c, String subject, int version, boolean permanent) throws SQLException {
        MetadataDb.update(c, permanent ? "DELETE FROM registry_version WHERE subject = ? AND version = ?"
                : "UPDATE registry_version SET deleted = TRUE WHERE subject = ? AND version = ?", subject, version);
    }

    /** Removes a subject's versions and its own level ({@code permanent}), or flags every version soft-deleted. */
    void deleteSubject(Connection c, String subject, boolean permanent) throws SQLException {
        if (permanent) {
            MetadataDb.update(c, "DELETE FROM registry_version WHERE subject = ?", subject);
            MetadataDb.update(c, "DELETE FROM registry_config WHERE subject = ?", subject);
        } else {
            MetadataDb.update(c, "UPDATE registry_version SET deleted = TRUE WHERE subject = ?", subject);
        }
    }

    /** The level configured under a subject ({@value #GLOBAL} for the global one), if any. */
    Optional<CompatibilityLevel> level(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT compatibility FROM registry_config WHERE subject = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(CompatibilityLevel.valueOf(rs.getString(1))) : Optional.empty();
            }
        }
    }

    void setLevel(Connection c, String key, CompatibilityLevel level) throws SQLException {
        if (MetadataDb.update(c, "UPDATE registry_config SET compatibility = ? WHERE subject = ?", level.name(), key) == 0) {
            MetadataDb.update(c, "INSERT INTO registry_config (subject, compatibility) VALUES (?, ?)", key, level.name());
        }
    }

    void deleteLevel(Connection c, String key) throws SQLException {
        MetadataDb.update(c, "DELETE FROM registry_config WHERE subject = ?", key);
    }
}
