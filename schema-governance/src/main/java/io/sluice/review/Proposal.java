package io.sluice.review;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A proposed schema for a subject, waiting for or carrying a reviewer's decision.
 *
 * @param id the proposal's id
 * @param subject the registry subject, for example {@code shop.inventory.orders-value}
 * @param schema the proposed schema (Avro JSON)
 * @param previousSchemaId the id of the subject's latest schema when proposed, or null for a new subject
 * @param previousSchema that schema's text, or null
 * @param ddl the DDL that caused it when known, else null
 * @param diff the field-level changes from the previous schema
 * @param verdicts for each compatibility level, Avro's verdict against the subject's versions
 * @param status pending, approved, rejected
 * @param origin where it came from: capture met the schema, or a person filed it ahead of a planned change
 * @param levelOverride the level the approval registered it under instead of the subject's, or null
 * @param createdAt when it was filed
 * @param createdBy who filed it ({@code capture:<source>} for capture)
 * @param decidedAt when it was decided, or null
 * @param decidedBy who decided, or null
 * @param decisionReason the reviewer's reason, or null
 * @param registeredSchemaId the id it was registered under once approved, or null
 */
public record Proposal(long id, String subject, String schema, Long previousSchemaId, String previousSchema, String ddl,
        List<FieldChange> diff, Map<String, Verdict> verdicts, Status status, Origin origin, String levelOverride,
        Instant createdAt, String createdBy, Instant decidedAt, String decidedBy, String decisionReason, Long registeredSchemaId) {

    /** A proposal's state. */
    public enum Status { PENDING, APPROVED, REJECTED }

    /** Where a proposal came from. */
    public enum Origin { CAPTURE, PLANNED }

    /**
     * Avro's verdict under one compatibility level.
     *
     * @param compatible whether the proposed schema passes
     * @param messages Avro's reasons when it does not
     */
    public record Verdict(boolean compatible, List<String> messages) {
    }
}
