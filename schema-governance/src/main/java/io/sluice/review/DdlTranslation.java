package io.sluice.review;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;

/**
 * Turns a planned {@code ALTER TABLE ... ADD [COLUMN] ...} statement into the value schema capture will produce
 * after it, so that a proposal can be filed and approved before the DDL runs.
 *
 * <p>The new fields follow the same mapping as capture (Debezium with {@code decimal.handling.mode=precise},
 * {@code bigint.unsigned.handling.mode=precise}, adaptive microsecond times, then Sluice's Connect-to-Avro
 * mapping): nullable columns become unions with null, a column default becomes the field default. Proposals filed
 * this way are matched to what capture meets by meaning (docs and {@code connect.*} properties aside).
 *
 * <p>Only {@code ADD COLUMN} clauses of the types listed in {@link #avroType} are translated; anything else is
 * refused with a message that says so, and the schema text can be filed instead.
 */
public final class DdlTranslation {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern ALTER = Pattern.compile("(?is)^\\s*ALTER\\s+TABLE\\s+(\\S+)\\s+(.+?);?\\s*$");
    private static final Pattern ADD = Pattern.compile(
            "(?is)^ADD\\s+(?:COLUMN\\s+)?`?([A-Za-z_][A-Za-z0-9_]*)`?\\s+([A-Za-z]+)(\\s*\\(\\s*\\d+\\s*(?:,\\s*\\d+\\s*)?\\))?(\\s+UNSIGNED)?(.*)$");
    private static final Pattern DEFAULT = Pattern.compile("(?is)\\bDEFAULT\\s+('(?:[^']|'')*'|-?\\d+(?:\\.\\d+)?|NULL)");
    private static final Pattern COMMENT = Pattern.compile("(?is)\\bCOMMENT\\s+'((?:[^']|'')*)'");

    private DdlTranslation() {
    }

    /**
     * The schema after the DDL.
     *
     * @param current the subject's current value schema
     * @param ddl an {@code ALTER TABLE} statement with one or more {@code ADD COLUMN} clauses
     * @throws ReviewException INVALID naming what cannot be translated
     */
    public static String apply(String current, String ddl) {
        Matcher alter = ALTER.matcher(ddl == null ? "" : ddl);
        if (!alter.matches()) {
            throw invalid("expected ALTER TABLE <table> ADD COLUMN <name> <type> ..., got: " + ddl);
        }
        ObjectNode root;
        try {
            root = (ObjectNode) JSON.readTree(current);
        } catch (IOException | ClassCastException e) {
            throw invalid("the subject's current schema is not a record schema");
        }
        ArrayNode fields = (ArrayNode) root.get("fields");
        for (String clause : splitClauses(alter.group(2))) {
            fields.add(field(clause.trim()));
        }
        try {
            return new Schema.Parser().parse(root.toString()).toString();
        } catch (RuntimeException e) {
            throw invalid("the translated schema is not valid Avro: " + e.getMessage());
        }
    }

    private static ObjectNode field(String clause) {
        Matcher m = ADD.matcher(clause);
        if (!m.matches()) {
            throw invalid("only ADD COLUMN clauses can be translated; file the schema text for: " + clause);
        }
        String name = m.group(1);
        String type = m.group(2).toUpperCase(Locale.ROOT);
        String args = m.group(3) == null ? "" : m.group(3).replaceAll("[\\s()]", "");
        boolean unsigned = m.group(4) != null;
        String rest = m.group(5) == null ? "" : m.group(5);
        String upper = rest.toUpperCase(Locale.ROOT);
        boolean notNull = upper.contains("NOT NULL");
        JsonNode avro = avroType(type, args, unsigned, clause);
        ObjectNode field = NODES.objectNode().put("name", name);
        Matcher comment = COMMENT.matcher(rest);
        if (comment.find()) {
            field.put("doc", comment.group(1).replace("''", "'"));
        }
        Matcher def = DEFAULT.matcher(rest);
        JsonNode defaultValue = null;
        if (def.find() && !"NULL".equalsIgnoreCase(def.group(1))) {
            defaultValue = defaultValue(avro, def.group(1), clause);
        }
        if (notNull) {
            field.set("type", avro);
            if (defaultValue != null) {
                field.set("default", defaultValue);
            }
        } else if (defaultValue != null) {
            field.set("type", NODES.arrayNode().add(avro).add("null"));
            field.set("default", defaultValue);
        } else {
            field.set("type", NODES.arrayNode().add("null").add(avro));
            field.set("default", NODES.nullNode());
        }
        return field;
    }

    /** The Avro type capture produces for a column type. */
    static JsonNode avroType(String type, String args, boolean unsigned, String clause) {
        switch (type) {
            case "TINYINT", "SMALLINT", "MEDIUMINT":
                return NODES.textNode("int");
            case "INT", "INTEGER":
                return NODES.textNode(unsigned ? "long" : "int");
            case "BIGINT":
                return unsigned ? decimal(20, 0) : NODES.textNode("long");
            case "BOOLEAN", "BOOL":
                return NODES.textNode("int");
            case "DOUBLE", "REAL":
                return NODES.textNode("double");
            case "DECIMAL", "NUMERIC": {
                String[] ps = args.isEmpty() ? new String[] {"10", "0"} : args.split(",");
                return decimal(Integer.parseInt(ps[0]), ps.length > 1 ? Integer.parseInt(ps[1]) : 0);
            }
            case "CHAR", "VARCHAR", "TINYTEXT", "TEXT", "MEDIUMTEXT", "LONGTEXT", "JSON", "ENUM", "SET":
                return NODES.textNode("string");
            case "BINARY", "VARBINARY", "TINYBLOB", "BLOB", "MEDIUMBLOB", "LONGBLOB":
                return NODES.textNode("bytes");
            case "DATE":
                return logical("int", "date");
            case "TIME":
                return logical("long", "time-micros");
            case "DATETIME": {
                int precision = args.isEmpty() ? 0 : Integer.parseInt(args);
                return logical("long", precision <= 3 ? "local-timestamp-millis" : "local-timestamp-micros");
            }
            case "TIMESTAMP":
                return logical("long", "timestamp-micros");
            case "YEAR":
                return NODES.textNode("int");
            default:
                throw invalid("column type " + type + " cannot be translated yet; file the schema text for: " + clause);
        }
    }

    private static JsonNode defaultValue(JsonNode avro, String literal, String clause) {
        String text = literal.startsWith("'") ? literal.substring(1, literal.length() - 1).replace("''", "'") : literal;
        String type = avro.isTextual() ? avro.asText() : avro.path("type").asText();
        try {
            return switch (type) {
                case "int" -> avro.has("logicalType") ? null : NODES.numberNode(Integer.parseInt(text));
                case "long" -> avro.has("logicalType") ? null : NODES.numberNode(Long.parseLong(text));
                case "double" -> NODES.numberNode(Double.parseDouble(text));
                case "string" -> NODES.textNode(text);
                default -> throw invalid("a DEFAULT on this column type cannot be translated yet; file the schema text for: " + clause);
            };
        } catch (NumberFormatException e) {
            throw invalid("DEFAULT " + literal + " does not fit the column's type in: " + clause);
        }
    }

    private static ObjectNode decimal(int precision, int scale) {
        return NODES.objectNode().put("type", "bytes").put("logicalType", "decimal").put("precision", precision).put("scale", scale);
    }

    private static ObjectNode logical(String base, String logicalType) {
        return NODES.objectNode().put("type", base).put("logicalType", logicalType);
    }

    /** Splits clauses at top-level commas (not inside parentheses or quotes). */
    private static List<String> splitClauses(String text) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\'') {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')') {
                depth--;
            } else if (!quoted && depth == 0 && c == ',') {
                out.add(text.substring(start, i));
                start = i + 1;
            }
        }
        out.add(text.substring(start));
        return out;
    }

    private static ReviewException invalid(String message) {
        return new ReviewException(ReviewException.Kind.INVALID, message);
    }
}
