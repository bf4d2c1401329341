package io.sluice.admin.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.admin.activity.ActivityLog;
import io.sluice.admin.backfill.TableSchemas;
import io.sluice.admin.error.ConflictException;
import io.sluice.admin.error.NotFoundException;
import io.sluice.admin.source.SourceStore;
import io.sluice.contract.Metadata;
import io.sluice.contract.RuleSet;
import io.sluice.event.TableId;
import io.sluice.metadata.MetadataDb;
import io.sluice.registry.RegistryError;
import io.sluice.registry.RegistryException;
import io.sluice.registry.SchemaRegistry;
import io.sluice.registry.SubjectVersion;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * Data contract changes under review, like schema changes: a proposal is checked against the table's schema and dry-run
 * over the live table when it is made; approving it registers a new version of the table's value subject with the
 * proposed rules (the schema itself unchanged), which the pipelines pick up with their next batch.
 */
@ApplicationScoped
public class RuleProposals {
    /** Rows a proposal's dry run reads unless the request says otherwise. */
    public static final int DEFAULT_SAMPLE = 1_000;

    @Inject
    MetadataDb db;

    @Inject
    SchemaRegistry registry;

    @Inject
    SourceStore sources;

    @Inject
    TableSchemas schemas;

    @Inject
    RuleDryRun dryRun;

    @Inject
    ActivityLog activity;

    @Inject
    ObjectMapper json;

    @Inject
    Clock clock;

    /** A table's rules in force: those of its latest value schema version. */
    public record InForce(String source, String table, String subject, int version, RuleSet ruleSet, Metadata metadata) {
    }

    /**
     * The rules in force for a table.
     *
     * @throws NotFoundException for an unknown source
     * @throws ConflictException if capture has not registered the table's schema yet
     */
    public InForce inForce(TableId table) {
        sources.find(table.source()).orElseThrow(() -> new NotFoundException("Source '" + table.source() + "' does not exist."));
        schemas.of(table);
        SubjectVersion v = registry.version(subject(table), -1, false);
        return new InForce(table.source(), table.database() + "." + table.table(), v.subject(), v.version(), v.ruleSet(), v.metadata());
    }

    /** Every captured table whose latest value schema carries rules, optionally of one source. */
    public List<InForce> all(String source) {
        return registry.subjects(false).stream().filter(s -> s.endsWith("-value")).map(s -> registry.version(s, -1, false))
                .filter(v -> !v.ruleSet().isEmpty()).map(RuleProposals::inForce)
                .filter(r -> r != null && (source == null || source.equals(r.source()))).toList();
    }

    private static InForce inForce(SubjectVersion v) {
        String[] parts = v.subject().substring(0, v.subject().length() - "-value".length()).split("\\.", 3);
        return parts.length < 3 ? null : new InForce(parts[0], parts[1] + "." + parts[2], v.subject(), v.version(), v.ruleSet(), v.metadata());
    }

    /**
     * Proposes a table's new rule set (empty to remove every rule).
     *
     * @param sample rows the dry run reads; null for {@link #DEFAULT_SAMPLE}
     * @throws io.sluice.admin.error.InvalidRequestException naming every problem of the rules against the table's schema
     */
    public RuleProposal propose(TableId table, RuleSet ruleSet, Metadata metadata, Integer sample, String actor) {
        InForce current = inForce(table);
        Metadata meta = metadata != null ? metadata : current.metadata();
        RuleDryRun.Result result = dryRun.run(table, ruleSet, meta, sample == null ? DEFAULT_SAMPLE : sample);
        long id = db.inTransaction(c -> MetadataDb.insert(c, "INSERT INTO rule_proposal (source, table_name, base_version, rule_set, metadata,"
                + " dry_run, state, proposed_by, proposed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", table.source(), current.table(),
                current.version(), write(ruleSet), write(meta), write(result), RuleProposal.State.PENDING.label(), actor,
                Timestamp.from(clock.instant())));
        activity.record(subjectOf(table), actor, "rules proposed", "proposal " + id + ": " + RuleProposal.diff(current.ruleSet(), ruleSet).size()
                + " rule(s) changed; dry run " + result.rows() + " rows, failed " + result.failed());
        return get(id);
    }

    /** @throws NotFoundException for an unknown id */
    public RuleProposal get(long id) {
        return db.find("SELECT * FROM rule_proposal WHERE id = ?", this::row, id)
                .orElseThrow(() -> new NotFoundException("Rule proposal " + id + " does not exist."));
    }

    /** Proposals, newest first, optionally in one state. */
    public List<RuleProposal> list(RuleProposal.State state) {
        return state == null ? db.list("SELECT * FROM rule_proposal ORDER BY id DESC", this::row)
                : db.list("SELECT * FROM rule_proposal WHERE state = ? ORDER BY id DESC", this::row, state.label());
    }

    /**
     * Approves a pending proposal: its rules become a new version of the table's value subject.
     *
     * @throws ConflictException if it was decided already, or its rules no longer check against the table's schema
     */
    public RuleProposal approve(long id, String actor, String reason) {
        RuleProposal p = pending(id);
        TableId table = tableOf(p);
        SubjectVersion latest = registry.version(subject(table), -1, false);
        SubjectVersion registered;
        try {
            registered = registry.register(subject(table), latest.schema(), null, p.ruleSet(), p.metadata());
        } catch (RegistryException e) {
            if (e.error() == RegistryError.INVALID_RULE_SET) {
                throw new ConflictException("rules_outdated", "The table's schema changed since proposal " + id + " was made (version "
                        + p.baseVersion() + ", now " + latest.version() + ") and its rules no longer check against it: " + e.getMessage()
                        + ". Reject it and propose the rules again.");
            }
            throw e;
        }
        decide(id, RuleProposal.State.APPROVED, actor, reason, registered.version());
        activity.record(subjectOf(table), actor, "rules approved", "proposal " + id + " is version " + registered.version() + " of "
                + registered.subject());
        return get(id);
    }

    /** @throws ConflictException if it was decided already */
    public RuleProposal reject(long id, String actor, String reason) {
        RuleProposal p = pending(id);
        decide(id, RuleProposal.State.REJECTED, actor, reason, null);
        activity.record(subjectOf(tableOf(p)), actor, "rules rejected", "proposal " + id + (reason == null ? "" : ": " + reason));
        return get(id);
    }

    private RuleProposal pending(long id) {
        RuleProposal p = get(id);
        if (p.state() != RuleProposal.State.PENDING) {
            throw new ConflictException("already_decided", "Rule proposal " + id + " was " + p.state().label() + " by " + p.decidedBy()
                    + "; propose the rules again to change them.");
        }
        return p;
    }

    private void decide(long id, RuleProposal.State state, String actor, String reason, Integer version) {
        db.update("UPDATE rule_proposal SET state = ?, decided_by = ?, decided_at = ?, reason = ?, version = ? WHERE id = ?", state.label(),
                actor, Timestamp.from(clock.instant()), reason, version, id);
    }

    private static TableId tableOf(RuleProposal p) {
        int dot = p.table().indexOf('.');
        return new TableId(p.source(), p.table().substring(0, dot), p.table().substring(dot + 1));
    }

    private static String subject(TableId table) {
        return table.subjectStem() + "-value";
    }

    private static String subjectOf(TableId table) {
        return "rules:" + table.subjectStem();
    }

    private RuleProposal row(ResultSet rs) throws SQLException {
        String source = rs.getString("source");
        String table = rs.getString("table_name");
        RuleSet ruleSet = read(rs.getString("rule_set"), RuleSet.class);
        int dot = table.indexOf('.');
        RuleSet before;
        try {
            before = registry.version(new TableId(source, table.substring(0, dot), table.substring(dot + 1)).subjectStem() + "-value",
                    rs.getInt("base_version"), true).ruleSet();
        } catch (RegistryException gone) {
            before = RuleSet.EMPTY;
        }
        Timestamp decided = rs.getTimestamp("decided_at");
        int version = rs.getInt("version");
        Integer registered = rs.wasNull() ? null : version;
        return new RuleProposal(rs.getLong("id"), source, table, rs.getInt("base_version"), ruleSet, Objects.requireNonNullElse(read(
                rs.getString("metadata"), Metadata.class), Metadata.EMPTY), RuleProposal.diff(before, ruleSet), read(rs.getString("dry_run"), RuleDryRun.Result.class),
                RuleProposal.State.of(rs.getString("state")), rs.getString("proposed_by"), rs.getTimestamp("proposed_at").toInstant(),
                rs.getString("decided_by"), decided == null ? null : decided.toInstant(), rs.getString("reason"), registered);
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private <T> T read(String text, Class<T> type) throws SQLException {
        if (text == null) {
            return null;
        }
        try {
            return json.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new SQLException("rule_proposal holds a " + type.getSimpleName() + " that is not readable: " + e.getOriginalMessage(), e);
        }
    }
}
