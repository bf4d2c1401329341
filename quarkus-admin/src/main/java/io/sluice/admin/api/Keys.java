package io.sluice.admin.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.admin.error.InvalidRequestException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Flat string configurations (sources, sinks) as they travel in requests and rest in the metadata database. */
public final class Keys {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Keys() {
    }

    /**
     * The keys of a request body as strings; numbers and booleans are written as text, nulls are dropped.
     *
     * @param what what the keys configure, for the error message (for example "source keys (name, type, host, ...)")
     * @throws InvalidRequestException if the body is not a flat JSON object
     */
    public static Map<String, String> fromBody(JsonNode body, String what) {
        if (body == null || !body.isObject()) {
            throw InvalidRequestException.of("body", "must be a JSON object of " + what);
        }
        return fromObject(body, "");
    }

    /** The keys of a flat JSON object; {@code prefix} names the object in error messages. */
    public static Map<String, String> fromObject(JsonNode object, String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> {
            if (e.getValue().isContainerNode()) {
                throw InvalidRequestException.of(prefix + e.getKey(), "must be a string, number or boolean");
            }
            if (!e.getValue().isNull()) {
                out.put(e.getKey(), e.getValue().asText());
            }
        });
        return out;
    }

    public static String toJson(Map<String, String> keys) {
        try {
            return JSON.writeValueAsString(new TreeMap<>(keys));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws IllegalStateException if the stored text is not a JSON object of strings */
    public static Map<String, String> fromJson(String json) {
        try {
            return new TreeMap<>(JSON.readValue(json, new TypeReference<Map<String, String>>() { }));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored configuration is not a JSON object of strings", e);
        }
    }
}
