package io.sluice.review;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.metadata.MetadataDb;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * A schema's meaning without what capture adds to it: docs and {@code connect.*} properties are dropped, so that a
 * schema written by hand for a planned change matches the one capture produces for it. Stateless and thread-safe.
 */
final class SchemaMeaning {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SchemaMeaning() {
    }

    /** The hash proposals are matched by ({@code semantic_hash}): the SHA-256 of {@link #of}. */
    static String hash(Schema schema) {
        return MetadataDb.sha256(of(schema));
    }

    /** The schema's canonical text without docs and {@code connect.*} properties. */
    static String of(Schema schema) {
        try {
            JsonNode tree = JSON.readTree(schema.toString());
            strip(tree);
            return new Schema.Parser().parse(JSON.writeValueAsString(tree)).toString();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Avro printed JSON that does not parse", e);
        }
    }

    private static void strip(JsonNode node) {
        if (node instanceof ObjectNode object) {
            List<String> drop = new ArrayList<>();
            object.fieldNames().forEachRemaining(name -> {
                if (name.equals("doc") || name.startsWith("connect.")) {
                    drop.add(name);
                }
            });
            object.remove(drop);
            object.elements().forEachRemaining(SchemaMeaning::strip);
        } else if (node instanceof ArrayNode array) {
            array.elements().forEachRemaining(SchemaMeaning::strip);
        }
    }
}
