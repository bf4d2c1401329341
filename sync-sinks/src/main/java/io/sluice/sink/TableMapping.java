package io.sluice.sink;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How one sink maps the tables of a pipeline.
 *
 * @param target where a table's documents go: an index name or a key prefix, templated
 * @param id the document id or key suffix, templated from the primary key (default {@code {key}})
 * @param include fields to keep (empty: all)
 * @param exclude fields to drop
 * @param rename fields to rename, old name to new name
 * @param deleteMode how deletes are applied
 */
public record TableMapping(Template target, Template id, Set<String> include, Set<String> exclude, Map<String, String> rename,
        DeleteMode deleteMode) {
    public TableMapping {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(id, "id");
        include = Set.copyOf(include);
        exclude = Set.copyOf(exclude);
        rename = Map.copyOf(rename);
        Objects.requireNonNull(deleteMode, "deleteMode");
    }

    /** Every field, id from the key, deletes removed, target from the given template. */
    public static TableMapping defaults(String targetTemplate) {
        return new TableMapping(Template.parse(targetTemplate, false), Template.parse("{key}", true), Set.of(), Set.of(), Map.of(),
                DeleteMode.DELETE);
    }
}
