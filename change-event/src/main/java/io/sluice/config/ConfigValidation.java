package io.sluice.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;

/**
 * Validates a whole configuration against a Kafka {@link ConfigDef} and reports every problem at once, each
 * naming the key, the value (secrets masked) and what is allowed. Used by sources, sinks and connectors alike.
 */
public final class ConfigValidation {
    private ConfigValidation() {
    }

    /**
     * The problems of a configuration: unknown keys (unless their prefix is allowed), missing keys, bad values.
     *
     * @param allowedPrefixes key prefixes passed through without checking (for example {@code debezium.})
     */
    public static List<ConfigProblem> problems(ConfigDef definition, Map<String, String> raw, Set<String> allowedPrefixes) {
        List<ConfigProblem> problems = new ArrayList<>();
        Map<String, String> own = new HashMap<>();
        for (Map.Entry<String, String> e : raw.entrySet()) {
            if (definition.configKeys().containsKey(e.getKey())) {
                own.put(e.getKey(), e.getValue());
            } else if (allowedPrefixes.stream().noneMatch(e.getKey()::startsWith)) {
                problems.add(new ConfigProblem(e.getKey(), e.getValue(), "unknown key; known keys are " + definition.names()
                        + (allowedPrefixes.isEmpty() ? "" : " and keys starting with " + allowedPrefixes)));
            }
        }
        for (ConfigValue v : definition.validate(own)) {
            if (!v.errorMessages().isEmpty()) {
                ConfigDef.ConfigKey key = definition.configKeys().get(v.name());
                String given = own.get(v.name());
                String shown = given == null ? null : key.type == ConfigDef.Type.PASSWORD ? "****" : given;
                problems.add(new ConfigProblem(v.name(), shown, expected(key, v.errorMessages())));
            }
        }
        return problems;
    }

    /**
     * Throws if there are problems, sorted by the keys' declaration order.
     *
     * @throws InvalidConfigException listing every problem
     */
    public static void requireNone(ConfigDef definition, String what, List<ConfigProblem> problems) {
        if (problems.isEmpty()) {
            return;
        }
        List<String> order = new ArrayList<>(definition.configKeys().keySet());
        List<ConfigProblem> sorted = new ArrayList<>(problems);
        sorted.sort((a, b) -> Integer.compare(rank(order, a.key()), rank(order, b.key())));
        throw new InvalidConfigException(what, sorted);
    }

    private static int rank(List<String> order, String key) {
        int i = order.indexOf(key);
        return i < 0 ? Integer.MAX_VALUE : i;
    }

    private static String expected(ConfigDef.ConfigKey k, List<String> kafkaMessages) {
        String validator = k.validator == null ? "" : " (" + k.validator + ")";
        String kafka = String.join("; ", kafkaMessages);
        return "expected " + k.type.name().toLowerCase(Locale.ROOT) + validator + ". " + k.documentation
                + (kafka.contains("Missing required") ? "" : " [" + kafka.replaceAll("(?i)password[^;]*", "password") + "]");
    }
}
