package io.sluice.admin.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import redis.clients.jedis.Jedis;

/**
 * The {@code items} table of the server-process tests ({@link MariaDbServer#recreateItemsDatabase}): a write load on
 * it, its rows, the same rows as a target holds them, and what a target has wrong. Rows read as {@code name|qty}.
 */
final class ItemsTable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ItemsTable() {
    }

    /** What a target has wrong, in a few words per key: missing, stale or extra. */
    static List<String> drift(Map<Integer, String> target, Map<Integer, String> source) {
        List<String> out = new ArrayList<>();
        source.forEach((k, v) -> {
            if (!target.containsKey(k)) {
                out.add("missing " + k + "=" + v);
            } else if (!target.get(k).equals(v)) {
                out.add("stale " + k + "=" + target.get(k) + " (source " + v + ")");
            }
        });
        target.keySet().stream().filter(k -> !source.containsKey(k)).forEach(k -> out.add("extra " + k + "=" + target.get(k)));
        return out.size() > 20 ? out.subList(0, 20) : out;
    }

    /** Random inserts (after the highest id), updates and deletes, one transaction each. */
    static void load(MariaDbServer db, String database, AtomicBoolean writing, AtomicReference<Exception> failure, long seed) {
        Random random = new Random(seed);
        try (Connection c = db.connect(database); Statement s = c.createStatement()) {
            int next;
            try (ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(id), 0) + 1 FROM items")) {
                rs.next();
                next = rs.getInt(1);
            }
            while (writing.get()) {
                int op = random.nextInt(10);
                if (op < 5) {
                    s.execute("INSERT INTO items VALUES (" + next + ", 'new " + next + "', " + next + ")");
                    next++;
                } else if (op < 8) {
                    s.execute("UPDATE items SET name = 'updated " + random.nextInt(1000) + "', qty = qty + 1 WHERE id = " + (1 + random.nextInt(next - 1)));
                } else {
                    s.execute("DELETE FROM items WHERE id = " + (1 + random.nextInt(next - 1)));
                }
                Thread.sleep(5);
            }
        } catch (Exception e) {
            failure.set(e);
        }
    }

    static Map<Integer, String> sourceRows(MariaDbServer db, String database) throws Exception {
        Map<Integer, String> out = new TreeMap<>();
        try (Connection c = db.connect(database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, name, qty FROM items")) {
            while (rs.next()) {
                out.put(rs.getInt(1), rs.getString(2) + "|" + rs.getInt(3));
            }
        }
        return out;
    }

    static String row(JsonNode doc) {
        return doc.path("name").asText() + "|" + doc.path("qty").asInt();
    }

    static Map<Integer, String> redisRows(RedisServer redis, String prefix) throws Exception {
        Map<Integer, String> out = new TreeMap<>();
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            for (String key : jedis.keys(prefix + "{*}")) {
                String value = jedis.get(key);
                if (value != null) {
                    out.put(Integer.parseInt(key.substring(key.indexOf('{') + 1, key.indexOf('}'))), row(JSON.readTree(value)));
                }
            }
        }
        return out;
    }
}
