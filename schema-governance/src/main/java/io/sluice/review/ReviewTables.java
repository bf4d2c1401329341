package io.sluice.review;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.metadata.MetadataDb;
import io.sluice.registry.CompatibilityLevel;
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
import java.util.Optional;

/**
 * Schema review's SQL, over the tables of {@code db/migration/V2__review.sql}: {@code review_policy} (the row with
 * subject {@value #GLOBAL} is the global policy), {@code review_proposal} (a proposal's diff and verdicts as JSON),
 * {@code review_comment} and {@code audit_log}.
 *
 * <p>Every method works on the caller's connection, inside the caller's transaction, and checks nothing: the
 * workflow is {@link SchemaReviews}'. Thread-safe (stateless apart from the clock).
 */
final class ReviewTables {
    /** The subject under which the global policy is stored. */
    static final String GLOBAL = "";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Clock clock;

    ReviewTables(Clock clock) {
        this.clock = clock;
    }

    /** The policy configured under a subject ({@value #GLOBAL} for the global one), if any. */
    Optional<ReviewPolicy> policy(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT policy FROM review_policy WHERE subject = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(ReviewPolicy.valueOf(rs.getString(1))) : Optional.empty();
            }
        }
    }

    void setPolicy(Connection c, String key, ReviewPolicy policy) throws SQLException {
        if (MetadataDb.update(c, "UPDATE review_policy SET policy = ? WHERE subject = ?", policy.name(), key) == 0) {
            MetadataDb.update(c, "INSERT INTO review_policy (subject, policy) VALUES (?, ?)", key, policy.name());
        }
    }

    /**
     * Stores a new pending proposal, created now.
     *
     * @param previousSchemaId the id of the subject's latest schema, or null when it has none
     * @param ddl the DDL that caused it, or null
     * @return the proposal's id
     */
    long insertProposal(Connection c, String subject, String canonical, String semanticHash, Long previousSchemaId, String ddl,
            List<FieldChange> diff, Map<String, Proposal.Verdict> verdicts, Proposal.Origin origin, String actor) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO review_proposal (subject, schema_hash, semantic_hash,"
                + " schema_text, previous_schema_id, ddl, diff, verdicts, status, origin, created_at, created_by)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', ?, ?, ?)", new String[] {"id"})) {
            ps.setString(1, subject);
            ps.setString(2, MetadataDb.sha256(canonical));
            ps.setString(3, semanticHash);
            ps.setString(4, canonical);
            if (previousSchemaId == null) {
                ps.setNull(5, Types.BIGINT);
            } else {
                ps.setLong(5, previousSchemaId);
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
                return keys.getLong(1);
            }
        }
    }

    /**
     * Records an approval, decided now.
     *
     * @param levelOverride the reviewer's level for this one version, or null
     * @param registeredSchemaId the id the schema was registered under, or null when it registers later
     */
    void approve(Connection c, long id, String actor, String reason, CompatibilityLevel levelOverride, Long registeredSchemaId)
            throws SQLException {
        MetadataDb.update(c, "UPDATE review_proposal SET status = 'APPROVED', decided_at = ?, decided_by = ?, decision_reason = ?,"
                + " level_override = ?, registered_schema_id = ? WHERE id = ?", Timestamp.from(clock.instant()), actor, reason,
                levelOverride == null ? null : levelOverride.name(), registeredSchemaId, id);
    }

    /** Records a rejection, decided now. */
    void reject(Connection c, long id, String actor, String reason) throws SQLException {
        MetadataDb.update(c, "UPDATE review_proposal SET status = 'REJECTED', decided_at = ?, decided_by = ?, decision_reason = ?"
                + " WHERE id = ?", Timestamp.from(clock.instant()), actor, reason, id);
    }

    /**
     * Proposals with the previous schema's text, as a clause selects and orders them.
     *
     * @param where a SQL clause over {@code p} (the proposal), for example {@code WHERE p.id = ?}, with its arguments
     */
    List<Proposal> proposals(Connection c, String where, Object... args) throws SQLException {
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
    }

    /** @return the comment's id */
    long insertComment(Connection c, long proposalId, String author, String body) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO review_comment (proposal_id, author, body, created_at)"
                + " VALUES (?, ?, ?, ?)", new String[] {"id"})) {
            ps.setLong(1, proposalId);
            ps.setString(2, author);
            ps.setString(3, body);
            ps.setTimestamp(4, Timestamp.from(clock.instant()));
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    /** A proposal's comments, oldest first. */
    List<Comment> comments(Connection c, long proposalId) throws SQLException {
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
    }

    /** Appends a line to the audit log, dated now. */
    void audit(Connection c, String actor, String action, String target, String detail) throws SQLException {
        MetadataDb.update(c, "INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                Timestamp.from(clock.instant()), actor, action, target, detail);
    }

    /** The newest {@code limit} lines of the audit log, newest first. */
    List<AuditEntry> audit(Connection c, int limit) throws SQLException {
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
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
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
