package io.sluice.registry;

import io.sluice.contract.Metadata;
import io.sluice.contract.RuleSet;

/**
 * A registered version of a subject.
 *
 * @param subject the subject
 * @param version its version number, from 1
 * @param id the global schema id
 * @param schema the schema text as registered (Avro's JSON, normalized by parsing)
 * @param deleted true when soft-deleted
 * @param ruleSet the version's data contract rules; {@link RuleSet#EMPTY} for none
 * @param metadata the version's metadata (field tags for the rules); {@link Metadata#EMPTY} for none
 */
public record SubjectVersion(String subject, int version, long id, String schema, boolean deleted, RuleSet ruleSet, Metadata metadata) {
    public SubjectVersion {
        ruleSet = ruleSet == null ? RuleSet.EMPTY : ruleSet;
        metadata = metadata == null ? Metadata.EMPTY : metadata;
    }

    /** A version without rules or metadata. */
    public SubjectVersion(String subject, int version, long id, String schema, boolean deleted) {
        this(subject, version, id, schema, deleted, RuleSet.EMPTY, Metadata.EMPTY);
    }
}
