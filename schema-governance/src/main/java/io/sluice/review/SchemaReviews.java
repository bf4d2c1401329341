package io.sluice.review;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.registry.CompatibilityLevel;
import io.sluice.registry.CompatibilityResult;
import io.sluice.registry.MetadataStore;
import io.sluice.registry.RegistryError;
import io.sluice.registry.RegistryException;
import io.sluice.registry.SchemaRegistry;
import io.sluice.registry.SubjectVersion;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.apache.avro.Schema;

/**
 * Schema review: policies per subject, proposals with their diff and verdicts, decisions, comments, and the audit
 * log of all of it, stored in the metadata database ({@code db/migration/V2__review.sql}).
 *
 * <p>Every change of a subject's review state (a decision, a new policy) completes the future returned by
 * {@link #nextChange(String)} for that subject, which is how a paused capture learns that it may ask again.
 *
 * <p>Thread safety: thread-safe; decisions are serialized in this object.
 */
public final class SchemaReviews {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GLOBAL = "";

    private final MetadataStore store;
    private final SchemaRegistry registry;
    private final Clock clock;
    private final Object writeLock = new Object();
    private final Map<String, CompletableFuture<Void>> changes = new ConcurrentHashMap<>();

    public SchemaReviews(DataSource dataSource, SchemaRegistry registry, Clock clock) {
        this.store = new MetadataStore(Objects.requireNonNull(dataSource, "dataSource"));
        this.registry = Objects.requireNonNull(registry, "registry");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public SchemaRegistry registry() {
        return registry;
    }

    /** Completes at the next decision or policy change that concerns the subject. */
    public CompletableFuture<Void> nextChange(String subject) {
        return changes.computeIfAbsent(subject, s -> new CompletableFuture<>());
    }

    private void changed(String subject) {
        if (subject.equals(GLOBAL)) {
            List.copyOf(changes.keySet()).forEach(this::changed);
            return;
        }
        CompletableFuture<Void> f = changes.remove(subject);
        if (f != null) {
            f.complete(null);
        }
    }

    /** The policy that applies to a subject: its own, else the global one, else {@link ReviewPolicy#DEFAULT}. */
    public ReviewPolicy policy(String subject) {
        return store.read(c -> {
            Optional<ReviewPolicy> own = configuredPolicy(c, subject);
            return own.isPresent() ? own.get() : configuredPolicy(c, GLOBAL).orElse(ReviewPolicy.DEFAULT);
        });
    }

    /** Sets the global policy ({@code subject == null}) or a subject's, and audits it. */
    public void setPolicy(String subject, ReviewPolicy policy, String actor) {
        String key = subject == null ? GLOBAL : subject;
        synchronized (writeLock) {
            store.inTransaction(c -> {
                if (MetadataStore.update(c, "UPDATE review_policy SET policy = ? WHERE subject = ?", policy.name(), key) == 0) {
                    MetadataStore.update(c, "INSERT INTO review_policy (subject, policy) VALUES (?, ?)", key, policy.name());
                }
                audit(c, actor, "policy.set", subject == null ? "policy/global" : "policy/" + subject, policy.wireName());
                return null;
            });
        }
        changed(key);
    }

    /**
     * Files a proposal, or returns the open (pending or approved) one for the same subject and schema.
     *
     * @param ddl the DDL that caused it, or null
     * @throws RegistryException INVALID_SCHEMA for a schema that does not parse
     */
    public Proposal propose(String subject, String schemaText, String ddl, Proposal.Origin origin, String actor) {
        Schema schema = SchemaRegistry.parse(schemaText);
        String canonical = schema.toString();
        String hash = MetadataStore.sha256(canonical);
        String semanticHash = MetadataStore.sha256(semanticForm(schema));
        synchronized (writeLock) {
            Optional<Proposal> open = latestFor(subject, canonical).filter(p -> p.status() != Proposal.Status.REJECTED);
            if (open.isPresent()) {
                return open.get();
            }
            SubjectVersion previous = latestVersion(subject);
            Schema previousSchema = previous == null ? null : SchemaRegistry.parse(previous.schema());
            List<FieldChange> diff = SchemaDiff.between(previousSchema, schema);
            Map<String, Proposal.Verdict> verdicts = verdicts(subject, schema);
            long id = store.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO review_proposal (subject, schema_hash, semantic_hash,"
                        + " schema_text, previous_schema_id, ddl, diff, verdicts, status, origin, created_at, created_by)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', ?, ?, ?)", new String[] {"id"})) {
                    ps.setString(1, subject);
                    ps.setString(2, hash);
                    ps.setString(3, semanticHash);
                    ps.setString(4, canonical);
                    if (previous == null) {
                        ps.setNull(5, Types.BIGINT);
                    } else {
                        ps.setLong(5, previous.id());
                    }
                    ps.setString(6, ddl);
                    ps.setString(7, json(diff));
                    ps.setString(8, json(verdicts));
                    ps.setString(9, origin.name());
                    ps.setTimestamp(10, Timestamp.from(clock.instant()));
                    ps.setString(11, actor);
                    ps.executeUpdate();
                    try (ResultSet keys = ps.getGeneratedKeys()) {
                        keys.next();
                        long newId = keys.getLong(1);
                        audit(c, actor, "proposal.create", "proposal/" + newId, "subject " + subject + ", " + origin.name().toLowerCase()
                                + (ddl == null ? "" : ", DDL: " + ddl) + ", changes: " + diff);
                        return newId;
                    }
                }
            });
            return find(id);
        }
    }

    /**
     * Files a proposal for a planned DDL: the subject's current schema with the DDL applied (see
     * {@link DdlTranslation}).
     *
     * @throws ReviewException INVALID when the DDL cannot be translated or the subject has no schema yet
     */
    public Proposal proposeDdl(String subject, String ddl, String actor) {
        SubjectVersion current = latestVersion(subject);
        if (current == null) {
            throw new ReviewException(ReviewException.Kind.INVALID, "Subject '" + subject
                    + "' has no schema yet: a DDL can only be translated against the current schema; file the schema text instead.");
        }
        return propose(subject, DdlTranslation.apply(current.schema(), ddl), ddl, Proposal.Origin.PLANNED, actor);
    }

    private SubjectVersion latestVersion(String subject) {
        try {
            return registry.version(subject, -1, false);
        } catch (RegistryException e) {
            if (e.error() == RegistryError.SUBJECT_NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    private Map<String, Proposal.Verdict> verdicts(String subject, Schema schema) {
        List<Schema> earlier = new ArrayList<>();
        try {
            for (int v : registry.versionNumbers(subject, false)) {
                earlier.add(SchemaRegistry.parse(registry.version(subject, v, false).schema()));
            }
        } catch (RegistryException e) {
            if (e.error() != RegistryError.SUBJECT_NOT_FOUND) {
                throw e;
            }
        }
        Map<String, Proposal.Verdict> out = new LinkedHashMap<>();
        for (CompatibilityLevel level : CompatibilityLevel.values()) {
            CompatibilityResult r = io.sluice.registry.Compatibility.check(level, schema, earlier);
            out.put(level.name(), new Proposal.Verdict(r.compatible(), r.messages()));
        }
        return out;
    }

    /**
     * Approves a pending proposal: registers its schema (under {@code levelOverride} instead of the subject's level
     * when given) and lets capture resume.
     *
     * @throws ReviewException NOT_FOUND, CONFLICT (not pending, or the subject is locked), INVALID (no reason)
     * @throws RegistryException INCOMPATIBLE_SCHEMA when it fails the level and no override was given
     */
    public Proposal approve(long id, String actor, String reason, CompatibilityLevel levelOverride) {
        requireReason(reason);
        Proposal p;
        synchronized (writeLock) {
            p = pending(id);
            if (policy(p.subject()) == ReviewPolicy.LOCKED) {
                throw new ReviewException(ReviewException.Kind.CONFLICT, "Subject '" + p.subject()
                        + "' is locked: change its review policy before approving proposal " + id + ".");
            }
            Long registeredId = null;
            String outcome;
            if (p.origin() == Proposal.Origin.CAPTURE) {
                SubjectVersion registered = registry.register(p.subject(), p.schema(), levelOverride);
                registeredId = registered.id();
                outcome = "registered as version " + registered.version() + " id " + registered.id();
            } else {
                // A planned change registers when capture meets it (with the properties capture adds); check it now.
                CompatibilityLevel level = levelOverride != null ? levelOverride : registry.effectiveLevel(p.subject());
                CompatibilityResult check = registry.testCompatibilityAt(p.subject(), level, p.schema());
                if (!check.compatible()) {
                    throw new RegistryException(RegistryError.INCOMPATIBLE_SCHEMA, "Proposal " + id + " is incompatible with subject '"
                            + p.subject() + "' under " + level + ": " + check.messages() + ". Approve it with a level override to let it pass.");
                }
                outcome = "approved ahead of the change; it registers when capture meets it";
            }
            Long finalId = registeredId;
            store.inTransaction(c -> {
                MetadataStore.update(c, "UPDATE review_proposal SET status = 'APPROVED', decided_at = ?, decided_by = ?, decision_reason = ?,"
                        + " level_override = ?, registered_schema_id = ? WHERE id = ?", Timestamp.from(clock.instant()), actor, reason,
                        levelOverride == null ? null : levelOverride.name(), finalId, id);
                audit(c, actor, "proposal.approve", "proposal/" + id, "subject " + p.subject() + ": " + outcome
                        + (levelOverride == null ? "" : ", level override " + levelOverride) + ": " + reason);
                return null;
            });
        }
        changed(p.subject());
        return find(id);
    }

    /**
     * Rejects a pending proposal; capture of the table stays paused.
     *
     * @throws ReviewException NOT_FOUND, CONFLICT (not pending), INVALID (no reason)
     */
    public Proposal reject(long id, String actor, String reason) {
        requireReason(reason);
        Proposal p;
        synchronized (writeLock) {
            p = pending(id);
            store.inTransaction(c -> {
                MetadataStore.update(c, "UPDATE review_proposal SET status = 'REJECTED', decided_at = ?, decided_by = ?, decision_reason = ?"
                        + " WHERE id = ?", Timestamp.from(clock.instant()), actor, reason, id);
                audit(c, actor, "proposal.reject", "proposal/" + id, "subject " + p.subject() + ": " + reason);
                return null;
            });
        }
        changed(p.subject());
        return find(id);
    }

    /** Adds a comment to a proposal. */
    public Comment comment(long id, String actor, String body) {
        if (body == null || body.isBlank()) {
            throw new ReviewException(ReviewException.Kind.INVALID, "A comment needs a body.");
        }
        find(id);
        long commentId = store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO review_comment (proposal_id, author, body, created_at)"
                    + " VALUES (?, ?, ?, ?)", new String[] {"id"})) {
                ps.setLong(1, id);
                ps.setString(2, actor);
                ps.setString(3, body);
                ps.setTimestamp(4, Timestamp.from(clock.instant()));
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    long cid = keys.getLong(1);
                    audit(c, actor, "proposal.comment", "proposal/" + id, body);
                    return cid;
                }
            }
        });
        return comments(id).stream().filter(x -> x.id() == commentId).findFirst().orElseThrow();
    }

    public List<Comment> comments(long proposalId) {
        return store.read(c -> {
            List<Comment> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, proposal_id, author, body, created_at FROM review_comment"
                    + " WHERE proposal_id = ? ORDER BY id")) {
                ps.setLong(1, proposalId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Comment(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getTimestamp(5).toInstant()));
                    }
                }
            }
            return out;
        });
    }

    /**
     * A proposal.
     *
     * @throws ReviewException NOT_FOUND
     */
    public Proposal find(long id) {
        List<Proposal> found = query("WHERE p.id = ?", id);
        if (found.isEmpty()) {
            throw new ReviewException(ReviewException.Kind.NOT_FOUND, "Proposal " + id + " not found.");
        }
        return found.get(0);
    }

    /** Proposals, newest first, optionally only those with a status. */
    public List<Proposal> list(Proposal.Status status) {
        return status == null ? query("ORDER BY p.id DESC") : query("WHERE p.status = ? ORDER BY p.id DESC", status.name());
    }

    /** The newest proposal for this subject and schema, if any. */
    public Optional<Proposal> latestFor(String subject, String canonicalSchema) {
        List<Proposal> found = query("WHERE p.subject = ? AND p.schema_hash = ? ORDER BY p.id DESC", subject, MetadataStore.sha256(canonicalSchema));
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** The newest approved proposal filed ahead of a change whose schema means the same as this one, if any. */
    public Optional<Proposal> approvedPlanFor(String subject, Schema schema) {
        List<Proposal> found = query("WHERE p.subject = ? AND p.semantic_hash = ? AND p.origin = 'PLANNED' AND p.status = 'APPROVED'"
                + " ORDER BY p.id DESC", subject, MetadataStore.sha256(semanticForm(schema)));
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /**
     * A schema's meaning without what capture adds to it: docs and {@code connect.*} properties are dropped, so
     * that a schema written by hand for a planned change matches the one capture produces for it.
     */
    static String semanticForm(Schema schema) {
        try {
            com.fasterxml.jackson.databind.JsonNode tree = JSON.readTree(schema.toString());
            strip(tree);
            return new Schema.Parser().parse(JSON.writeValueAsString(tree)).toString();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Avro printed JSON that does not parse", e);
        }
    }

    private static void strip(com.fasterxml.jackson.databind.JsonNode node) {
        if (node instanceof com.fasterxml.jackson.databind.node.ObjectNode object) {
            List<String> drop = new ArrayList<>();
            object.fieldNames().forEachRemaining(name -> {
                if (name.equals("doc") || name.startsWith("connect.")) {
                    drop.add(name);
                }
            });
            object.remove(drop);
            object.elements().forEachRemaining(SchemaReviews::strip);
        } else if (node instanceof com.fasterxml.jackson.databind.node.ArrayNode array) {
            array.elements().forEachRemaining(SchemaReviews::strip);
        }
    }

    /** The newest entries of the audit log first. */
    public List<AuditEntry> audit(int limit) {
        return store.read(c -> {
            List<AuditEntry> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, at, actor, action, target, detail FROM audit_log ORDER BY id DESC")) {
                ps.setMaxRows(limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new AuditEntry(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getString(6)));
                    }
                }
            }
            return out;
        });
    }

    /** Records an action that happened outside this class (an automatic registration, say). */
    public void audit(String actor, String action, String target, String detail) {
        store.inTransaction(c -> {
            audit(c, actor, action, target, detail);
            return null;
        });
    }

    // ---- storage ----

    private Proposal pending(long id) {
        Proposal p = find(id);
        if (p.status() != Proposal.Status.PENDING) {
            throw new ReviewException(ReviewException.Kind.CONFLICT, "Proposal " + id + " was already " + p.status().name().toLowerCase()
                    + " by " + p.decidedBy() + ".");
        }
        return p;
    }

    private static void requireReason(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new ReviewException(ReviewException.Kind.INVALID, "A decision needs a reason: say why, for the audit log.");
        }
    }

    private List<Proposal> query(String where, Object... args) {
        return store.read(c -> {
            List<Proposal> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT p.id, p.subject, p.schema_text, p.previous_schema_id, s.schema_text,"
                    + " p.ddl, p.diff, p.verdicts, p.status, p.origin, p.level_override, p.created_at, p.created_by, p.decided_at,"
                    + " p.decided_by, p.decision_reason, p.registered_schema_id FROM review_proposal p"
                    + " LEFT JOIN registry_schema s ON s.id = p.previous_schema_id " + where)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setObject(i + 1, args[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Proposal(rs.getLong(1), rs.getString(2), rs.getString(3), (Long) rs.getObject(4, Long.class),
                                rs.getString(5), rs.getString(6),
                                fromJson(rs.getString(7), new TypeReference<List<FieldChange>>() { }),
                                fromJson(rs.getString(8), new TypeReference<LinkedHashMap<String, Proposal.Verdict>>() { }),
                                Proposal.Status.valueOf(rs.getString(9)), Proposal.Origin.valueOf(rs.getString(10)), rs.getString(11),
                                rs.getTimestamp(12).toInstant(), rs.getString(13), instant(rs.getTimestamp(14)), rs.getString(15),
                                rs.getString(16), (Long) rs.getObject(17, Long.class)));
                    }
                }
            }
            return out;
        });
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static Optional<ReviewPolicy> configuredPolicy(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT policy FROM review_policy WHERE subject = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(ReviewPolicy.valueOf(rs.getString(1))) : Optional.empty();
            }
        }
    }

    private void audit(Connection c, String actor, String action, String target, String detail) throws SQLException {
        MetadataStore.update(c, "INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                Timestamp.from(clock.instant()), actor, action, target, detail);
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write review data as JSON", e);
        }
    }

    private static <T> T fromJson(String text, TypeReference<T> type) {
        try {
            return JSON.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored review data is not valid JSON: " + e.getMessage(), e);
        }
    }

}
