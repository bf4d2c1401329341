package io.sluice.registry;

/**
 * A registered version of a subject.
 *
 * @param subject the subject
 * @param version its version number, from 1
 * @param id the global schema id
 * @param schema the schema text as registered (Avro's JSON, normalized by parsing)
 * @param deleted true when soft-deleted
 */
public record SubjectVersion(String subject, int version, long id, String schema, boolean deleted) {
}
