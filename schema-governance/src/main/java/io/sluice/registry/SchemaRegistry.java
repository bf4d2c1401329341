package io.sluice.registry;

import io.sluice.contract.Contract;
import io.sluice.contract.InvalidRulesException;
import io.sluice.contract.Metadata;
import io.sluice.contract.RuleProblem;
import io.sluice.contract.RuleSet;
import io.sluice.metadata.MetadataDb;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A schema registry with Confluent Schema Registry's semantics, stored in the metadata database (see
 * {@link RegistryTables}).
 *
 * <ul>
 * <li>Schema ids are global, never change and are never reused; identical schemas (same Avro JSON after parsing)
 *     share one id across subjects.</li>
 * <li>Versions of a subject count from 1; soft-deleted versions keep their numbers; a hard delete needs a soft
 *     delete first.</li>
 * <li>Registration checks the subject's compatibility level (its own, else the global one, else
 *     {@link CompatibilityLevel#DEFAULT}) with Avro's {@code SchemaCompatibility}.</li>
 * </ul>
 *
 * <p>Thread safety: thread-safe. Writes are serialized in this object, which is enough for one server per
 * metadata database; the primary keys keep several servers from writing conflicting versions.
 */
public final class SchemaRegistry {
    /** Longest subject accepted (the column's size). */
    public static final int MAX_SUBJECT_LENGTH = 255;

    private final MetadataDb store;
    private final RegistryTables tables;
    private final Object writeLock = new Object();
    /** Counts writes of versions, so that a reader can cache what it read until the next one. */
    private final AtomicLong changes = new AtomicLong();
    /** Schemas are immutable once registered: cache them by id forever (bounded by the number of schemas). */
    private final Map<Long, String> schemaById = new ConcurrentHashMap<>();

    public SchemaRegistry(DataSource dataSource, Clock clock) {
        this.store = new MetadataDb(dataSource);
        this.tables = new RegistryTables(Objects.requireNonNull(clock, "clock"));
    }

    /**
     * Parses an Avro schema.
     *
     * @throws RegistryException {@link RegistryError#INVALID_SCHEMA} with Avro's message
     */
    public static Schema parse(String schemaText) {
        if (schemaText == null || schemaText.isBlank()) {
            throw new RegistryException(RegistryError.INVALID_SCHEMA, "Invalid schema: the schema is empty.");
        }
        try {
            return new Schema.Parser().setValidateDefaults(true).parse(schemaText);
        } catch (SchemaParseException | NullPointerException | IllegalArgumentException e) {
            throw new RegistryException(RegistryError.INVALID_SCHEMA, "Invalid schema: " + e.getMessage());
        } catch (RuntimeException e) {
            // Avro throws Jackson's and its own exceptions for malformed JSON.
            throw new RegistryException(RegistryError.INVALID_SCHEMA, "Invalid schema: " + e.getMessage());
        }
    }

    /**
     * Registers a schema under a subject, or returns the existing registration of the same schema.
     *
     * @return the registration (existing or new)
     * @throws RegistryException INVALID_SCHEMA, INVALID_SUBJECT, or INCOMPATIBLE_SCHEMA with Avro's messages
     */
    public SubjectVersion register(String subject, String schemaText) {
        return register(subject, schemaText, null);
    }

    /**
     * Registers a schema, optionally under a different compatibility level for this one version (an override
     * granted by a reviewer).
     *
     * @param levelOverride the level to check instead of the subject's, or null
     */
    public SubjectVersion register(String subject, String schemaText, CompatibilityLevel levelOverride) {
        return register(subject, schemaText, levelOverride, null, null);
    }

    /**
     * Registers a schema with its data contract, as Confluent's registry does: a rule set or metadata left out (null)
     * is carried over from the subject's latest version, so that a new schema of a table keeps its table's rules; the
     * same schema with other rules is a new version under the same schema id.
     *
     * @param ruleSet the version's rules, checked against the schema; null to keep the latest version's
     * @param metadata the version's metadata (field tags); null to keep the latest version's
     * @throws RegistryException INVALID_RULE_SET naming every problem of the rules against this schema, or as
     *     {@link #register(String, String)}
     */
    public SubjectVersion register(String subject, String schemaText, CompatibilityLevel levelOverride, RuleSet ruleSet, Metadata metadata) {
        validateSubject(subject);
        Schema schema = parse(schemaText);
        String canonical = schema.toString();
        synchronized (writeLock) {
            try {
                return store.inTransaction(c -> {
                    List<SubjectVersion> live = tables.versions(c, subject, false);
                    Optional<SubjectVersion> latest = live.isEmpty() ? Optional.empty() : Optional.of(live.get(live.size() - 1));
                    RuleSet rules = ruleSet != null ? ruleSet : latest.map(SubjectVersion::ruleSet).orElse(RuleSet.EMPTY);
                    Metadata meta = metadata != null ? metadata : latest.map(SubjectVersion::metadata).orElse(Metadata.EMPTY);
                    Optional<SubjectVersion> existing = live.stream()
                            .filter(v -> v.schema().equals(canonical) && v.ruleSet().equals(rules) && v.metadata().equals(meta)).findFirst();
                    if (existing.isPresent()) {
                        return existing.get();
                    }
                    if (ruleSet != null || metadata != null) {
                        try {
                            Contract.compile(rules, schema, meta.tags());
                        } catch (InvalidRulesException e) {
                            throw new RegistryException(RegistryError.INVALID_RULE_SET, "Invalid rule set for subject \"" + subject + "\": "
                                    + String.join("; ", e.problems().stream().map(RuleProblem::toString).toList()));
                        }
                    }
                    CompatibilityLevel level = levelOverride != null ? levelOverride : effectiveLevel(c, subject);
                    CompatibilityResult result = Compatibility.check(level, schema, parsedSchemas(live));
                    if (!result.compatible()) {
                        throw new RegistryException(RegistryError.INCOMPATIBLE_SCHEMA, "Schema being registered is incompatible with an"
                                + " earlier schema for subject \"" + subject + "\" under " + level + ", details: " + result.messages());
                    }
                    long id = tables.schemaId(c, canonical);
                    int version = tables.addVersion(c, subject, id, rules, meta);
                    return new SubjectVersion(subject, version, id, canonical, false, rules, meta);
                });
            } finally {
                changes.incrementAndGet();
            }
        }
    }

    /**
     * Finds the version of a subject that holds this schema.
     *
     * @param includeDeleted also look at soft-deleted versions
     * @throws RegistryException SUBJECT_NOT_FOUND, SCHEMA_NOT_FOUND or INVALID_SCHEMA
     */
    public SubjectVersion lookup(String subject, String schemaText, boolean includeDeleted) {
        String canonical = parse(schemaText).toString();
        return store.read(c -> {
            List<SubjectVersion> all = tables.versions(c, subject, includeDeleted);
            if (all.isEmpty()) {
                throw subjectNotFound(subject);
            }
            return all.stream().filter(v -> v.schema().equals(canonical)).reduce((a, b) -> b)
                    .orElseThrow(() -> new RegistryException(RegistryError.SCHEMA_NOT_FOUND, "Schema not found under subject '" + subject + "'."));
        });
    }

    /** Every subject with at least one version (soft-deleted ones too when asked), sorted. */
    public List<String> subjects(boolean includeDeleted) {
        return store.read(c -> tables.subjects(c, includeDeleted));
    }

    /**
     * The version numbers of a subject.
     *
     * @throws RegistryException SUBJECT_NOT_FOUND when it has none
     */
    public List<Integer> versionNumbers(String subject, boolean includeDeleted) {
        List<SubjectVersion> all = store.read(c -> tables.versions(c, subject, includeDeleted));
        if (all.isEmpty()) {
            throw subjectNotFound(subject);
        }
        return all.stream().map(SubjectVersion::version).toList();
    }

    /**
     * Parses a version reference as Confluent does: a number from 1 to 2^31-1, {@code latest} or {@code -1}.
     *
     * @return the version number, or -1 for the latest
     * @throws RegistryException INVALID_VERSION
     */
    public static int parseVersion(String version) {
        if ("latest".equals(version)) {
            return -1;
        }
        try {
            int v = Integer.parseInt(version);
            if (v == -1 || v >= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new RegistryException(RegistryError.INVALID_VERSION, "The specified version '" + version
                + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
    }

    /**
     * One version of a subject.
     *
     * @param version a number, or -1 for the latest
     * @throws RegistryException SUBJECT_NOT_FOUND or VERSION_NOT_FOUND
     */
    public SubjectVersion version(String subject, int version, boolean includeDeleted) {
        return store.read(c -> find(c, subject, version, includeDeleted));
    }

    private SubjectVersion find(Connection c, String subject, int version, boolean includeDeleted) throws SQLException {
        List<SubjectVersion> all = tables.versions(c, subject, includeDeleted);
        if (all.isEmpty()) {
            throw subjectNotFound(subject);
        }
        if (version == -1) {
            return all.get(all.size() - 1);
        }
        return all.stream().filter(v -> v.version() == version).findFirst().orElseThrow(() -> new RegistryException(
                RegistryError.VERSION_NOT_FOUND, "Version " + version + " not found for subject '" + subject + "'."));
    }

    /**
     * A number that changes whenever a version is registered or deleted in this server: what a reader cached from the
     * versions holds as long as it stays the same. Thread-safe.
     */
    public long changes() {
        return changes.get();
    }

    /**
     * Deletes one version: soft, or hard after a soft delete.
     *
     * @return the deleted version's number
     */
    public int deleteVersion(String subject, int version, boolean permanent) {
        synchronized (writeLock) {
            try {
                return store.inTransaction(c -> {
                    SubjectVersion v = find(c, subject, version, permanent);
                    if (permanent) {
                        if (!v.deleted()) {
                            throw new RegistryException(RegistryError.VERSION_NOT_SOFT_DELETED, "Subject '" + subject + "' Version "
                                    + v.version() + " was not deleted first before being permanently deleted");
                        }
                    } else if (v.deleted()) {
                        throw new RegistryException(RegistryError.VERSION_SOFT_DELETED, "Subject '" + subject + "' Version "
                                + v.version() + " was soft deleted. Set permanent=true to delete permanently");
                    }
                    tables.deleteVersion(c, subject, v.version(), permanent);
                    return v.version();
                });
            } finally {
                changes.incrementAndGet();
            }
        }
    }

    /**
     * Deletes every version of a subject: soft, or hard after a soft delete.
     *
     * @return the deleted versions' numbers
     */
    public List<Integer> deleteSubject(String subject, boolean permanent) {
        synchronized (writeLock) {
            try {
                return store.inTransaction(c -> {
                    List<SubjectVersion> all = tables.versions(c, subject, true);
                    if (all.isEmpty()) {
                        throw subjectNotFound(subject);
                    }
                    boolean anyLive = all.stream().anyMatch(v -> !v.deleted());
                    if (permanent) {
                        if (anyLive) {
                            throw new RegistryException(RegistryError.SUBJECT_NOT_SOFT_DELETED, "Subject '" + subject
                                    + "' was not deleted first before being permanently deleted");
                        }
                        tables.deleteSubject(c, subject, true);
                        return all.stream().map(SubjectVersion::version).toList();
                    }
                    if (!anyLive) {
                        throw new RegistryException(RegistryError.SUBJECT_SOFT_DELETED, "Subject '" + subject
                                + "' was soft deleted. Set permanent=true to delete permanently");
                    }
                    tables.deleteSubject(c, subject, false);
                    return all.stream().filter(v -> !v.deleted()).map(SubjectVersion::version).toList();
                });
            } finally {
                changes.incrementAndGet();
            }
        }
    }

    /**
     * The schema with a global id.
     *
     * @throws RegistryException SCHEMA_NOT_FOUND
     */
    public String schema(long id) {
        String cached = schemaById.get(id);
        if (cached != null) {
            return cached;
        }
        String text = store.read(c -> tables.schemaText(c, id))
                .orElseThrow(() -> new RegistryException(RegistryError.SCHEMA_NOT_FOUND, "Schema " + id + " not found"));
        schemaById.put(id, text);
        return text;
    }

    /** The subject versions that use a schema id (empty if none). */
    public List<SubjectVersion> versionsOf(long id, boolean includeDeleted) {
        schema(id);
        return store.read(c -> tables.versionsOf(c, id, includeDeleted));
    }

    /**
     * Tests a schema against a subject's versions without registering it.
     *
     * @param version the version to test against, or null for every version the subject's level asks for
     */
    public CompatibilityResult testCompatibility(String subject, Integer version, String schemaText) {
        Schema schema = parse(schemaText);
        return store.read(c -> {
            CompatibilityLevel level = effectiveLevel(c, subject);
            List<SubjectVersion> live = tables.versions(c, subject, false);
            if (version == null) {
                return Compatibility.check(level, schema, parsedSchemas(live));
            }
            SubjectVersion against = find(c, subject, version, false);
            CompatibilityLevel single = level.transitive() ? CompatibilityLevel.valueOf(level.name().replace("_TRANSITIVE", "")) : level;
            return Compatibility.check(single, schema, List.of(parse(against.schema())));
        });
    }

    /** Tests a schema against a subject's versions under a given level (for example a reviewer's override). */
    public CompatibilityResult testCompatibilityAt(String subject, CompatibilityLevel level, String schemaText) {
        Schema schema = parse(schemaText);
        return store.read(c -> Compatibility.check(level, schema, parsedSchemas(tables.versions(c, subject, false))));
    }

    /** The global level. */
    public CompatibilityLevel globalLevel() {
        return store.read(c -> tables.level(c, RegistryTables.GLOBAL)).orElse(CompatibilityLevel.DEFAULT);
    }

    /** The subject's own level, if it has one. */
    public Optional<CompatibilityLevel> subjectLevel(String subject) {
        return store.read(c -> tables.level(c, subject));
    }

    /** The level that applies to a subject: its own, else the global one. */
    public CompatibilityLevel effectiveLevel(String subject) {
        return store.read(c -> effectiveLevel(c, subject));
    }

    /** Sets the global level ({@code subject == null}) or a subject's level. */
    public void setLevel(String subject, CompatibilityLevel level) {
        if (subject != null) {
            validateSubject(subject);
        }
        String key = subject == null ? RegistryTables.GLOBAL : subject;
        synchronized (writeLock) {
            store.inTransaction(c -> {
                tables.setLevel(c, key, level);
                return null;
            });
        }
    }

    /**
     * Removes the global level ({@code subject == null}, back to the default) or a subject's level.
     *
     * @return the level that was configured
     * @throws RegistryException SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED for a subject without its own level
     */
    public CompatibilityLevel deleteLevel(String subject) {
        String key = subject == null ? RegistryTables.GLOBAL : subject;
        synchronized (writeLock) {
            return store.inTransaction(c -> {
                Optional<CompatibilityLevel> before = tables.level(c, key);
                if (before.isEmpty()) {
                    if (subject == null) {
                        return CompatibilityLevel.DEFAULT;
                    }
                    throw new RegistryException(RegistryError.SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED, "Subject '" + subject
                            + "' does not have subject-level compatibility configured");
                }
                tables.deleteLevel(c, key);
                return before.get();
            });
        }
    }

    private CompatibilityLevel effectiveLevel(Connection c, String subject) throws SQLException {
        Optional<CompatibilityLevel> own = tables.level(c, subject);
        return own.isPresent() ? own.get() : tables.level(c, RegistryTables.GLOBAL).orElse(CompatibilityLevel.DEFAULT);
    }

    private static List<Schema> parsedSchemas(List<SubjectVersion> versions) {
        List<Schema> out = new ArrayList<>(versions.size());
        for (SubjectVersion v : versions) {
            out.add(parse(v.schema()));
        }
        return out;
    }

    /**
     * Subjects are Kafka topic names with {@code -key}/{@code -value}, or Avro full names: no path separators (a
     * subject is a path segment of the REST API, and {@code ../x} would address another resource), whitespace or
     * control characters.
     */
    static void validateSubject(String subject) {
        if (subject == null || subject.isBlank() || subject.length() > MAX_SUBJECT_LENGTH
                || subject.chars().anyMatch(ch -> Character.isISOControl(ch) || Character.isWhitespace(ch) || ch == '/' || ch == '\\')) {
            throw new RegistryException(RegistryError.INVALID_SUBJECT, "Invalid subject" + (subject == null ? "" : " '"
                    + (subject.length() > 100 ? subject.substring(0, 100) + "..." : subject).replaceAll("\\p{Cntrl}", "?") + "'")
                    + ": a subject is 1 to " + MAX_SUBJECT_LENGTH + " characters without '/', '\\', whitespace or control characters,"
                    + " such as a topic name with -key or -value.");
        }
    }

    private static RegistryException subjectNotFound(String subject) {
        return new RegistryException(RegistryError.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
    }
}
