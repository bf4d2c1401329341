package io.sluice.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Output for people: aligned tables and "key: value" blocks, plain text without colour or control characters; and
 * the server's JSON as it came, for scripts ({@code --output json}).
 */
final class Text {
    static final String NONE = "-";
    private static final int MAX_CELL = 60;

    private Text() {
    }

    /** Text without control characters (a server's strings never move the cursor or colour the terminal). */
    static String clean(String s) {
        if (s == null) {
            return NONE;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? ' ' : c);
        }
        return b.toString();
    }

    /** A field of an object as text; {@value #NONE} when absent or null. */
    static String field(JsonNode node, String name) {
        return value(node.get(name));
    }

    /** A value as text; objects and arrays as compact JSON; {@value #NONE} when absent or null. */
    static String value(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return NONE;
        }
        if (v.isValueNode()) {
            return clean(v.asText());
        }
        if (v.isArray() && v.isEmpty()) {
            return NONE;
        }
        if (v.isArray() && allValues(v)) {
            List<String> parts = new ArrayList<>();
            v.forEach(e -> parts.add(clean(e.asText())));
            return String.join(", ", parts);
        }
        return clean(v.toString());
    }

    private static boolean allValues(JsonNode array) {
        for (JsonNode e : array) {
            if (!e.isValueNode()) {
                return false;
            }
        }
        return true;
    }

    private static final ObjectMapper YAML = new ObjectMapper(
            YAMLFactory.builder()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build());

    /** A tree as YAML, for people who read configuration rather than JSON. */
    static void yaml(PrintWriter out, JsonNode node) {
        try {
            out.print(YAML.writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static void json(PrintWriter out, JsonNode node) {
        try {
            out.println(ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Columns aligned to the widest cell; long cells cut at {@value #MAX_CELL} characters with "...". */
    static void table(PrintWriter out, List<String> headers, List<List<String>> rows) {
        int[] width = new int[headers.size()];
        List<List<String>> cells = new ArrayList<>();
        cells.add(headers);
        for (List<String> row : rows) {
            List<String> cut = new ArrayList<>();
            for (String c : row) {
                String s = c == null ? NONE : clean(c);
                cut.add(s.length() > MAX_CELL ? s.substring(0, MAX_CELL - 3) + "..." : s);
            }
            cells.add(cut);
        }
        for (List<String> row : cells) {
            for (int i = 0; i < width.length; i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        for (List<String> row : cells) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < width.length; i++) {
                String c = row.get(i);
                line.append(c);
                if (i < width.length - 1) {
                    line.append(" ".repeat(width[i] - c.length() + 2));
                }
            }
            out.println(line.toString().stripTrailing());
        }
    }

    /** "key: value" lines with the values aligned; nothing is cut. */
    static void fields(PrintWriter out, List<String[]> pairs) {
        int width = 0;
        for (String[] p : pairs) {
            width = Math.max(width, p[0].length());
        }
        for (String[] p : pairs) {
            out.println(p[0] + ":" + " ".repeat(width - p[0].length() + 1) + (p[1] == null ? NONE : clean(p[1])));
        }
    }

    static String[] pair(String key, String value) {
        return new String[] {key, value};
    }

    /**
     * An answer of a shape the CLI does not know in detail: an array of objects as a table of their simple fields,
     * an object as its fields, anything else as JSON.
     */
    static void generic(PrintWriter out, JsonNode node) {
        if (node.isArray() && !node.isEmpty() && node.get(0).isObject()) {
            List<String> headers = new ArrayList<>();
            node.get(0).fieldNames().forEachRemaining(f -> {
                if (headers.size() < 8 && !node.get(0).get(f).isContainerNode()) {
                    headers.add(f);
                }
            });
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode e : node) {
                List<String> row = new ArrayList<>();
                headers.forEach(h -> row.add(field(e, h)));
                rows.add(row);
            }
            table(out, headers.stream().map(h -> h.toUpperCase(Locale.ROOT)).toList(), rows);
        } else if (node.isObject()) {
            List<String[]> pairs = new ArrayList<>();
            node.fieldNames().forEachRemaining(f -> pairs.add(pair(f, field(node, f))));
            fields(out, pairs);
        } else {
            json(out, node);
        }
    }
}
