package io.sluice.review;

import java.util.Objects;

/**
 * One field-level difference between two record schemas.
 *
 * @param kind what changed
 * @param field the field's path, for example {@code address.city}
 * @param before the old type, default or name (null for an added field)
 * @param after the new type, default or name (null for a removed field)
 */
public record FieldChange(Kind kind, String field, String before, String after) {
    public FieldChange {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(field, "field");
    }

    /** Kinds of change. */
    public enum Kind {
        ADDED, REMOVED, RENAMED, TYPE_CHANGED, DEFAULT_CHANGED, NULLABILITY_CHANGED, DOC_CHANGED
    }

    @Override
    public String toString() {
        return kind + " " + field + (before == null && after == null ? "" : ": " + before + " -> " + after);
    }
}
