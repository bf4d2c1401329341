package io.sluice.review;

import io.sluice.registry.CompatibilityLevel;
import io.sluice.registry.RegistryError;
import io.sluice.registry.RegistryException;
import io.sluice.registry.SchemaRegistry;
import io.sluice.registry.SubjectVersion;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.apache.avro.Schema;

/**
 * The {@link SchemaGate} backed by the registry and schema review: a schema already registered under its subject
 * passes; under the {@code auto} policy a compatible one is registered and passes; everything else becomes (or
 * waits on) a proposal that a reviewer decides. Subjects follow Confluent's TopicNameStrategy:
 * {@code <source>.<database>.<table>-value} and {@code -key}.
 *
 * <p>Thread-safe, and restart-safe: all state is in the metadata database, so a capture that restarts while a
 * proposal is pending finds the same proposal and keeps waiting.
 */
public final class ReviewGate implements SchemaGate {
    private final SchemaReviews reviews;
    private final SchemaRegistry registry;
    private final SchemaUses uses;

    public ReviewGate(SchemaReviews reviews) {
        this(reviews, SchemaUses.NONE);
    }

    /** @param uses who uses the tables' fields beyond the registry; a change that breaks a use waits for review */
    public ReviewGate(SchemaReviews reviews, SchemaUses uses) {
        this.reviews = Objects.requireNonNull(reviews, "reviews");
        this.registry = reviews.registry();
        this.uses = Objects.requireNonNull(uses, "uses");
    }

    @Override
    public GateDecision check(SchemaCandidate candidate) {
        String actor = "capture:" + candidate.table().source();
        String stem = candidate.table().subjectStem();
        GateDecision value = decide(stem + "-value", candidate.valueSchema(), candidate.ddl(), actor);
        if (value instanceof GateDecision.Wait || candidate.keySchema() == null) {
            return value;
        }
        return decide(stem + "-key", candidate.keySchema(), candidate.ddl(), actor);
    }

    /**
     * Decides one subject's schema as a producer's registration asks it (a Kafka Connect converter writing
     * Debezium's records): the same rules as for capture, one subject at a time.
     *
     * @param actor who asks, for the audit trail
     * @return proceed once the schema is registered (or was registered now under the auto policy or an approved
     *     plan); wait while its proposal is open or was rejected
     */
    public GateDecision checkSubject(String subject, Schema schema, String actor) {
        return decide(subject, schema, null, actor);
    }

    private GateDecision decide(String subject, Schema schema, String ddl, String actor) {
        String canonical = schema.toString();
        if (registered(subject, canonical)) {
            return GateDecision.proceed();
        }
        var change = reviews.nextChange(subject);
        var existing = reviews.latestFor(subject, canonical);
        if (existing.isPresent()) {
            Proposal p = existing.get();
            switch (p.status()) {
                case APPROVED:
                    // Approved but no longer registered (deleted since): register again under the approved override.
                    registry.register(subject, canonical, p.levelOverride() == null ? null
                            : CompatibilityLevel.valueOf(p.levelOverride()));
                    return GateDecision.proceed();
                case REJECTED:
                    return GateDecision.waitFor("Proposal " + p.id() + " for " + subject + " was rejected by " + p.decidedBy() + " ("
                            + p.decisionReason() + "). Choices: exclude the table from the source, or file and approve a new proposal"
                            + " for this schema; capture stays paused at " + subject + " until then.", change);
                case PENDING:
                default:
                    return GateDecision.waitFor(waitReason(p), change);
            }
        }
        var plan = reviews.approvedPlanFor(subject, schema);
        if (plan.isPresent()) {
            Proposal p = plan.get();
            SubjectVersion v = registry.register(subject, canonical, p.levelOverride() == null ? null
                    : CompatibilityLevel.valueOf(p.levelOverride()));
            reviews.audit(actor, "schema.register-planned", "proposal/" + p.id(), "subject " + subject + " version " + v.version()
                    + " id " + v.id() + (ddl == null ? "" : " after DDL: " + ddl));
            return GateDecision.proceed();
        }
        List<SchemaUse> broken = broken(subject, schema);
        if (reviews.policy(subject) == ReviewPolicy.AUTO && broken.isEmpty()) {
            try {
                SubjectVersion v = registry.register(subject, canonical);
                reviews.audit(actor, "schema.auto-register", "subject/" + subject, "version " + v.version() + " id " + v.id()
                        + (ddl == null ? "" : " after DDL: " + ddl));
                return GateDecision.proceed();
            } catch (RegistryException e) {
                if (e.error() != RegistryError.INCOMPATIBLE_SCHEMA) {
                    throw e;
                }
            }
        }
        Proposal p = reviews.propose(subject, canonical, ddl, Proposal.Origin.CAPTURE, actor);
        if (!broken.isEmpty()) {
            reviews.audit(actor, "schema.held-for-users", "proposal/" + p.id(), "breaks " + broken);
        }
        return GateDecision.waitFor(waitReason(p) + held(broken), change);
    }

    /** The uses a schema breaks against the subject's latest registered schema; none for a subject's first schema. */
    private List<SchemaUse> broken(String subject, Schema schema) {
        SubjectVersion latest;
        try {
            latest = registry.version(subject, -1, false);
        } catch (RegistryException e) {
            if (e.error() == RegistryError.SUBJECT_NOT_FOUND || e.error() == RegistryError.VERSION_NOT_FOUND) {
                return List.of();
            }
            throw e;
        }
        List<FieldChange> changes = SchemaDiff.between(SchemaRegistry.parse(latest.schema()), schema);
        return uses.of(subject, changes).stream().filter(SchemaUse::breaking).toList();
    }

    private static String held(List<SchemaUse> broken) {
        if (broken.isEmpty()) {
            return "";
        }
        return " It is held whatever the compatibility level says: it breaks " + String.join(", ", broken.stream().map(u -> u.user() + " ("
                + u.change().name().toLowerCase(Locale.ROOT) + " " + u.field() + ")").distinct().toList()) + ".";
    }

    private boolean registered(String subject, String canonical) {
        try {
            registry.lookup(subject, canonical, false);
            return true;
        } catch (RegistryException e) {
            if (e.error() == RegistryError.SUBJECT_NOT_FOUND || e.error() == RegistryError.SCHEMA_NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    private static String waitReason(Proposal p) {
        return "Schema change of " + p.subject() + " awaits review as proposal " + p.id() + " (" + p.diff().size() + " field change"
                + (p.diff().size() == 1 ? "" : "s") + ": " + p.diff() + ").";
    }
}
