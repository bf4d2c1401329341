package io.sluice.sink;

import io.sluice.config.ConfigProblem;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** The mapping keys every sink shares: target and id templates, field selection, delete mode. */
public final class MappingConfig {
    public static final String TARGET = "target";
    public static final String ID = "id";
    public static final String INCLUDE = "fields.include";
    public static final String EXCLUDE = "fields.exclude";
    public static final String RENAME = "fields.rename";
    public static final String DELETE_MODE = "delete.mode";

    private MappingConfig() {
    }

    /**
     * Adds the mapping keys to a sink's definition.
     *
     * @param defaultTarget the sink's default target template
     */
    public static ConfigDef define(ConfigDef def, String defaultTarget) {
        return def.define(TARGET, Type.STRING, defaultTarget, Importance.HIGH,
                        "Where a table's documents go (index name or key prefix), with {source}, {database} and {table} placeholders.")
                .define(ID, Type.STRING, "{key}", Importance.MEDIUM,
                        "The document id or key suffix: {key} (every primary-key field joined by ':') or key field names in braces.")
                .define(INCLUDE, Type.LIST, "", Importance.LOW, "Fields to keep; empty keeps all.")
                .define(EXCLUDE, Type.LIST, "", Importance.LOW, "Fields to drop.")
                .define(RENAME, Type.LIST, "", Importance.LOW, "Fields to rename, as old:new pairs separated by commas.")
                .define(DELETE_MODE, Type.STRING, "delete", ConfigDef.CaseInsensitiveValidString.in("delete", "mark"), Importance.LOW,
                        "delete: remove the document (a versioned tombstone stops older events from bringing it back); mark: keep it with __deleted=true.");
    }

    /** Problems of the templates and renames that ConfigDef cannot see. */
    public static List<ConfigProblem> problems(Map<String, String> raw) {
        List<ConfigProblem> out = new ArrayList<>();
        String target = raw.get(TARGET);
        if (target != null) {
            try {
                Template.parse(target, false);
            } catch (IllegalArgumentException e) {
                out.add(new ConfigProblem(TARGET, target, "expected a template with {source}, {database}, {table}: " + e.getMessage()));
            }
        }
        String id = raw.get(ID);
        if (id != null) {
            try {
                Template.parse(id, true);
            } catch (IllegalArgumentException e) {
                out.add(new ConfigProblem(ID, id, "expected a template of key fields: " + e.getMessage()));
            }
        }
        String rename = raw.get(RENAME);
        if (rename != null && !rename.isBlank()) {
            for (String pair : rename.split(",")) {
                if (!pair.trim().matches("[^:\\s]+:[^:\\s]+")) {
                    out.add(new ConfigProblem(RENAME, pair.trim(), "expected old:new"));
                }
            }
        }
        return out;
    }

    /** The mapping of a validated configuration. */
    public static TableMapping mapping(AbstractConfig config) {
        Map<String, String> rename = new LinkedHashMap<>();
        for (String pair : config.getList(RENAME)) {
            String[] p = pair.trim().split(":");
            rename.put(p[0], p[1]);
        }
        return new TableMapping(Template.parse(config.getString(TARGET), false), Template.parse(config.getString(ID), true),
                new HashSet<>(config.getList(INCLUDE)), new HashSet<>(config.getList(EXCLUDE)), rename,
                DeleteMode.valueOf(config.getString(DELETE_MODE).toUpperCase(Locale.ROOT)));
    }
}
