package io.sluice.registry;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/** Compatibility checks with Avro's own {@link SchemaCompatibility}, as Confluent Schema Registry does them. */
public final class Compatibility {
    private Compatibility() {
    }

    /**
     * Checks a candidate against earlier versions.
     *
     * @param level the level to enforce
     * @param candidate the schema to check
     * @param earlier the earlier versions, oldest first; non-transitive levels check the last one only
     * @return compatible, or the incompatibilities with Avro's messages
     */
    public static CompatibilityResult check(CompatibilityLevel level, Schema candidate, List<Schema> earlier) {
        if (level == CompatibilityLevel.NONE || earlier.isEmpty()) {
            return CompatibilityResult.ok();
        }
        List<Schema> against = level.transitive() ? earlier : List.of(earlier.get(earlier.size() - 1));
        List<String> messages = new ArrayList<>();
        for (int i = against.size() - 1; i >= 0; i--) {
            Schema previous = against.get(i);
            String which = level.transitive() ? "version " + (i + 1) + " of " + against.size() : "the latest version";
            if (level.backward()) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, previous),
                        "BACKWARD: the new schema cannot read data written with " + which, messages);
            }
            if (level.forward()) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(previous, candidate),
                        "FORWARD: " + which + " cannot read data written with the new schema", messages);
            }
        }
        return new CompatibilityResult(messages.isEmpty(), messages);
    }

    private static void describe(SchemaPairCompatibility pair, String prefix, List<String> messages) {
        for (Incompatibility i : pair.getResult().getIncompatibilities()) {
            messages.add(prefix + ": " + i.getType() + " at '" + i.getLocation() + "': " + i.getMessage());
        }
    }
}
