package io.sluice.sink.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.sink.DocumentMapper;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** Compares the customers a Redis target holds ({@code <prefix>{id}} → JSON) with a table of id → name, row by row. */
final class HeldNames {
    static final String PREFIX = "shop:inventory:customers:{";

    private HeldNames() {
    }

    /** Asserts that the target holds exactly the table's rows, listing the rows that differ (not the whole table). */
    static void assertEqual(Map<String, String> held, Map<Integer, String> table) {
        Map<Integer, String> names = new HashMap<>();
        held.forEach((key, json) -> names.put(Integer.parseInt(key.substring(PREFIX.length(), key.length() - 1)),
                (String) DocumentMapper.parse(json).get("name")));
        Map<Integer, String> wrong = new TreeMap<>();
        table.forEach((id, name) -> {
            if (!name.equals(names.get(id))) {
                wrong.put(id, names.get(id) + " instead of " + name);
            }
        });
        names.keySet().stream().filter(id -> !table.containsKey(id)).forEach(id -> wrong.put(id, "held, and not in the table"));
        assertThat(wrong).as("rows that differ from the table's " + table.size()).isEmpty();
    }
}
