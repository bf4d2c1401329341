package io.sluice.review;

/**
 * One use, outside the registry, of a field a schema change touches: a view that reads the table's column.
 *
 * @param user who uses the field, for example {@code view orders}
 * @param field the field, a top-level column of the table
 * @param change what the schema change does to it
 * @param breaking whether the change takes the field away from its user (removed, renamed or retyped): such a change
 *     is held for review whatever the compatibility level says
 */
public record SchemaUse(String user, String field, FieldChange.Kind change, boolean breaking) {
}
