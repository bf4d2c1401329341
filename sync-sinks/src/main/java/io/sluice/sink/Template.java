package io.sluice.sink;

import io.sluice.event.ChangeEvent;
import io.sluice.event.TableId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.generic.GenericRecord;

/**
 * A name template such as {@code {source}_{database}_{table}} or {@code {table}:{id}}. Placeholders are
 * {@code {source}}, {@code {database}}, {@code {table}}, {@code {key}} (every key field, joined by {@code :}) and
 * the name of any key field. Immutable and thread-safe.
 */
public final class Template {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z0-9_]+)}");
    /** Placeholders that do not come from the key. */
    public static final Set<String> BUILT_IN = Set.of("source", "database", "table", "key");

    private final String text;
    private final List<String> parts;

    private Template(String text, List<String> parts) {
        this.text = text;
        this.parts = parts;
    }

    /**
     * Parses a template.
     *
     * @param allowKeyFields whether placeholders other than the built-in ones (key field names) are allowed
     * @throws IllegalArgumentException naming the bad placeholder or brace
     */
    public static Template parse(String text, boolean allowKeyFields) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a template must not be empty");
        }
        List<String> parts = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(text);
        int last = 0;
        while (m.find()) {
            String literal = text.substring(last, m.start());
            if (literal.contains("{") || literal.contains("}")) {
                throw new IllegalArgumentException("unbalanced brace in template '" + text + "'");
            }
            parts.add(literal);
            String name = m.group(1);
            if (!allowKeyFields && !BUILT_IN.contains(name)) {
                throw new IllegalArgumentException("unknown placeholder {" + name + "} in '" + text + "'; allowed: {source}, {database}, {table}");
            }
            parts.add("{" + name);
            last = m.end();
        }
        String tail = text.substring(last);
        if (tail.contains("{") || tail.contains("}")) {
            throw new IllegalArgumentException("unbalanced brace in template '" + text + "'");
        }
        parts.add(tail);
        return new Template(text, List.copyOf(parts));
    }

    /** Renders the template for an event. */
    public String render(ChangeEvent event) {
        StringBuilder out = new StringBuilder();
        for (String part : parts) {
            if (!part.startsWith("{")) {
                out.append(part);
                continue;
            }
            String name = part.substring(1);
            switch (name) {
                case "source" -> out.append(event.table().source());
                case "database" -> out.append(event.table().database());
                case "table" -> out.append(event.table().table());
                case "key" -> out.append(keyString(event.key()));
                default -> {
                    GenericRecord key = event.key();
                    if (key == null || key.getSchema().getField(name) == null) {
                        throw new IllegalArgumentException("template '" + text + "' names key field {" + name + "} that table "
                                + event.table() + " does not have");
                    }
                    out.append(key.get(name));
                }
            }
        }
        return out.toString();
    }

    /**
     * Renders a template of built-in placeholders for a table, lower-cased (index names must be).
     *
     * @throws IllegalArgumentException if the template names key fields
     */
    public String renderIndex(TableId table) {
        return renderTable(table).toLowerCase(Locale.ROOT);
    }

    /**
     * Renders a template of built-in placeholders for a table, as written (a Redis key prefix keeps its case).
     *
     * @throws IllegalArgumentException if the template names key fields
     */
    public String renderTable(TableId table) {
        StringBuilder out = new StringBuilder();
        for (String part : parts) {
            if (!part.startsWith("{")) {
                out.append(part);
                continue;
            }
            switch (part.substring(1)) {
                case "source" -> out.append(table.source());
                case "database" -> out.append(table.database());
                case "table" -> out.append(table.table());
                default -> throw new IllegalArgumentException("template '" + text + "' names a key field; a target may only use"
                        + " {source}, {database} and {table}");
            }
        }
        return out.toString();
    }

    /** Every key field's value, in key order, joined by {@code :}. */
    public static String keyString(GenericRecord key) {
        if (key == null) {
            throw new IllegalArgumentException("the table has no primary key; give it one or map it with an explicit key template");
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < key.getSchema().getFields().size(); i++) {
            if (i > 0) {
                out.append(':');
            }
            out.append(key.get(i));
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return text;
    }
}
