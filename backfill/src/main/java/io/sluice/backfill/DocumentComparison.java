package io.sluice.backfill;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.sink.DocumentMapper;
import java.util.Comparator;

/**
 * How verify compares the document a row should be with what a sink holds: as JSON trees, numbers by value
 * ({@code 1.50} equals {@code 1.5}), null fields equal to absent ones, and a document marked deleted
 * ({@link DocumentMapper#DELETED_FIELD}) as absent. Thread-safe.
 */
public final class DocumentComparison {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Comparator<JsonNode> BY_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    private DocumentComparison() {
    }

    /** The held document, or null when absent or marked deleted; text that is not JSON compares as text. */
    public static JsonNode live(String held) {
        if (held == null) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(held);
            return n.path(DocumentMapper.DELETED_FIELD).asBoolean(false) ? null : n;
        } catch (JsonProcessingException e) {
            return JSON.getNodeFactory().textNode(held); // not JSON: compared as text, so it shows as stale
        }
    }

    /** Whether the sink holds the expected document. @param held what the sink read back, or null */
    public static boolean same(String expected, String held) {
        JsonNode h = live(held);
        if (h == null) {
            return false;
        }
        try {
            return withoutNulls(JSON.readTree(expected)).equals(BY_VALUE, withoutNulls(h));
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    /**
     * A field that is null and a field that is absent say the same: documents written before a nullable column
     * was added lack it, and are not stale for that.
     */
    private static JsonNode withoutNulls(JsonNode n) {
        if (n.isObject()) {
            ObjectNode out = JSON.createObjectNode();
            n.fields().forEachRemaining(f -> {
                if (!f.getValue().isNull()) {
                    out.set(f.getKey(), withoutNulls(f.getValue()));
                }
            });
            return out;
        }
        if (n.isArray()) {
            ArrayNode out = JSON.createArrayNode();
            n.forEach(e -> out.add(withoutNulls(e)));
            return out;
        }
        return n;
    }
}
