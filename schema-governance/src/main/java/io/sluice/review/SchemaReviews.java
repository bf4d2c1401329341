package io.sluice.review;

import io.sluice.contract.Verdict;
import io.sluice.metadata.MetadataDb;
import io.sluice.registry.Compatibility;
import io.sluice.registry.CompatibilityLevel;
import io.sluice.registry.CompatibilityResult;
import io.sluice.registry.RegistryError;
import io.sluice.registry.RegistryException;
import io.sluice.registry.SchemaRegistry;
import io.sluice.registry.SubjectVersion;
import java.time.Clock;
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
 * log of all of it, stored in the metadata database (see {@link ReviewTables}).
 *
 * <p>Every change of a subject's review state (a decision, a new policy) completes the future returned by
 * {@link #nextChange(String)} for that subject, which is how a paused capture learns that it may ask again.
 *
 * <p>Thread safety: thread-safe; decisions are serialized in this object.
 */
public final class SchemaReviews {
    /** What overriding the compatibility level means, added to every refusal of an incompatible proposal. */
    static final String OVERRIDE = " Overriding the level registers this one version anyway (levelOverride NONE: the API's field, the UI's"
            + " choice, the CLI's --level NONE): readers that still use the previous schema may fail on its records, so update them"
            + " first; later versions are checked under the subject's own level again.";

    private final MetadataDb store;
    private final ReviewTables tables;
    private final SchemaRegistry registry;
    private final Object writeLock = new Object();
    private final Map<String, CompletableFuture<Void>> changes = new ConcurrentHashMap<>();

    public SchemaReviews(DataSource dataSource, SchemaRegistry registry, Clock clock) {
        this.store = new MetadataDb(Objects.requireNonNull(dataSource, "dataSource"));
        this.registry = Objects.requireNonNull(registry, "registry");
        this.tables = new ReviewTables(Objects.requireNonNull(clock, "clock"));
    }

    public SchemaRegistry registry() {
        return registry;
    }

    /** Completes at the next decision or policy change that concerns the subject. */
    public CompletableFuture<Void> nextChange(String subject) {
        return changes.computeIfAbsent(subject, s -> new CompletableFuture<>());
    }

    private void changed(String subject) {
        if (subject.equals(ReviewTables.GLOBAL)) {
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
            Optional<ReviewPolicy> own = tables.policy(c, subject);
            return own.isPresent() ? own.get() : tables.policy(c, ReviewTables.GLOBAL).orElse(ReviewPolicy.DEFAULT);
        });
    }

    /** Sets the global policy ({@code subject == null}) or a subject's, and audits it. */
    public void setPolicy(String subject, ReviewPolicy policy, String actor) {
        String key = subject == null ? ReviewTables.GLOBAL : subject;
        synchronized (writeLock) {
            store.inTransaction(c -> {
                tables.setPolicy(c, key, policy);
                tables.audit(c, actor, "policy.set", subject == null ? "policy/global" : "policy/" + subject, policy.wireName());
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
        String semanticHash = SchemaMeaning.hash(schema);
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
                long newId = tables.insertProposal(c, subject, canonical, semanticHash, previous == null ? null : previous.id(), ddl,
                        diff, verdicts, origin, actor);
                tables.audit(c, actor, "proposal.create", "proposal/" + newId, "subject " + subject + ", " + origin.name().toLowerCase()
                        + (ddl == null ? "" : ", DDL: " + ddl) + ", changes: " + diff);
                return newId;
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
            CompatibilityResult r = Compatibility.check(level, schema, earlier);
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
                SubjectVersion registered;
                try {
                    registered = registry.register(p.subject(), p.schema(), levelOverride);
                } catch (RegistryException e) {
                    if (e.error() != RegistryError.INCOMPATIBLE_SCHEMA) {
                        throw e;
                    }
                    throw new RegistryException(RegistryError.INCOMPATIBLE_SCHEMA, "Proposal " + id + " is incompatible with subject '"
                            + p.subject() + "': " + e.getMessage() + OVERRIDE);
                }
                registeredId = registered.id();
                outcome = "registered as version " + registered.version() + " id " + registered.id();
            } else {
                // A planned change registers when capture meets it (with the properties capture adds); check it now.
                CompatibilityLevel level = levelOverride != null ? levelOverride : registry.effectiveLevel(p.subject());
                CompatibilityResult check = registry.testCompatibilityAt(p.subject(), level, p.schema());
                if (!check.compatible()) {
                    throw new RegistryException(RegistryError.INCOMPATIBLE_SCHEMA, "Proposal " + id + " is incompatible with subject '"
                            + p.subject() + "' under " + level + ": " + check.messages() + "." + OVERRIDE);
                }
                outcome = "approved ahead of the change; it registers when capture meets it";
            }
            Long finalId = registeredId;
            store.inTransaction(c -> {
                tables.approve(c, id, actor, reason, levelOverride, finalId);
                tables.audit(c, actor, "proposal.approve", "proposal/" + id, "subject " + p.subject() + ": " + outcome
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
                tables.reject(c, id, actor, reason);
                tables.audit(c, actor, "proposal.reject", "proposal/" + id, "subject " + p.subject() + ": " + reason);
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
            long cid = tables.insertComment(c, id, actor, body);
            tables.audit(c, actor, "proposal.comment", "proposal/" + id, body);
            return cid;
        });
        return comments(id).stream().filter(x -> x.id() == commentId).findFirst().orElseThrow();
    }

    /** A proposal's comments, oldest first. */
    public List<Comment> comments(long proposalId) {
        return store.read(c -> tables.comments(c, proposalId));
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
        List<Proposal> found = query("WHERE p.subject = ? AND p.schema_hash = ? ORDER BY p.id DESC", subject, MetadataDb.sha256(canonicalSchema));
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** The newest approved proposal filed ahead of a change whose schema means the same as this one, if any. */
    public Optional<Proposal> approvedPlanFor(String subject, Schema schema) {
        List<Proposal> found = query("WHERE p.subject = ? AND p.semantic_hash = ? AND p.origin = 'PLANNED' AND p.status = 'APPROVED'"
                + " ORDER BY p.id DESC", subject, SchemaMeaning.hash(schema));
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** The newest entries of the audit log first. */
    public List<AuditEntry> audit(int limit) {
        return store.read(c -> tables.audit(c, limit));
    }

    /** Records an action that happened outside this class (an automatic registration, say). */
    public void audit(String actor, String action, String target, String detail) {
        store.inTransaction(c -> {
            tables.audit(c, actor, action, target, detail);
            return null;
        });
    }

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
        return store.read(c -> tables.proposals(c, where, args));
    }
}
