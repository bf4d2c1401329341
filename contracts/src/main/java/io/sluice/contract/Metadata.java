package io.sluice.contract;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A schema version's metadata, in the shape of Confluent's: {@code tags} give fields tags by path
 * ({@code "Patient.ssn"}, {@code "**.email"}) for {@code CEL_FIELD} rules to select, {@code properties} are free
 * key-value pairs, {@code sensitive} names properties not to show.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Metadata(Map<String, List<String>> tags, Map<String, String> properties, Set<String> sensitive) {

    public static final Metadata EMPTY = new Metadata(Map.of(), Map.of(), Set.of());

    public Metadata {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        sensitive = sensitive == null ? Set.of() : Set.copyOf(sensitive);
    }

    @JsonIgnore
    public boolean isEmpty() {
        return tags.isEmpty() && properties.isEmpty() && sensitive.isEmpty();
    }
}
