package io.sluice.sink.redis;

import io.sluice.sink.DocumentMapper;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The compare-and-set script of a Redis sink, and how its calls are built and its answers read. The script applies
 * several rows in one call, in order, each only if its version is newer than the one its version key holds.
 *
 * <p>Versions are passed and stored as 19-digit zero-padded decimal strings and compared as strings inside the
 * script: Lua numbers are doubles and would lose the low bits of a 64-bit version. A delete removes the row and
 * keeps the version key for {@code tombstone.ttl.ms} as a tombstone.
 *
 * <p>Immutable.
 */
final class RedisScript {
    /**
     * Applies several rows in one call, in order. KEYS hold each row's key and version key; ARGV per row its
     * version (19 digits), kind (DEL, JSON or HASH), ttl ms, tombstone ttl ms, a value count n and then the n
     * values. Answers one entry per row: 1 applied, 0 older than the stored version, or the error text Redis
     * gave for that row (the other rows still apply, as they would if each row were a call of its own).
     */
    static final String SCRIPT = """
            local function apply(key, vkey, version, kind, ttl, tomb, first, n)
              local cur = redis.call('GET', vkey)
              if cur and cur > version then return 0 end
              if kind == 'DEL' then
                redis.call('DEL', key)
                redis.call('SET', vkey, version, 'PX', tomb)
                return 1
              end
              if kind == 'JSON' then
                if ttl > 0 then
                  redis.call('SET', key, ARGV[first], 'PX', ttl)
                  redis.call('SET', vkey, version, 'PX', ttl)
                else
                  redis.call('MSET', key, ARGV[first], vkey, version)
                end
                return 1
              else
                redis.call('DEL', key)
                redis.call('HSET', key, unpack(ARGV, first, first + n - 1))
                if ttl > 0 then redis.call('PEXPIRE', key, ttl) end
              end
              if ttl > 0 then redis.call('SET', vkey, version, 'PX', ttl) else redis.call('SET', vkey, version) end
              return 1
            end
            local out = {}
            local a = 1
            for i = 1, #KEYS, 2 do
              local n = tonumber(ARGV[a + 4])
              local ok, res = pcall(apply, KEYS[i], KEYS[i + 1], ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2]), ARGV[a + 3], a + 5, n)
              if ok then out[#out + 1] = res else out[#out + 1] = tostring(type(res) == 'table' and res.err or res) end
              a = a + 5 + n
            end
            return out
            """;

    /**
     * Rows per script call: a call per row would cost the server about as much CPU as everything else the pipeline
     * asks of it, and a call holds the server for its rows, so not too many either.
     */
    static final int ROWS_PER_CALL = 100;

    private static final Pattern SCRIPT_ERROR = Pattern.compile("@user_script: ?\\d+: -?(.*)", Pattern.DOTALL);

    private final String ttl;
    private final String tombstoneTtl;
    private final boolean hashFormat;

    RedisScript(RedisSinkConfig config) {
        this.ttl = Long.toString(config.ttlMs());
        this.tombstoneTtl = Long.toString(config.tombstoneTtlMs());
        this.hashFormat = config.hashFormat();
    }

    /** Appends the arguments of a row's delete at a version (19 digits): it leaves a tombstone. */
    void addDelete(List<String> args, String version) {
        args.add(version);
        args.add("DEL");
        args.add("0");
        args.add(tombstoneTtl);
        args.add("0");
    }

    /** Appends the arguments of a row's document at a version (19 digits): its JSON text, or its hash fields. */
    void addValue(List<String> args, String version, Map<String, Object> doc) {
        args.add(version);
        args.add(hashFormat ? "HASH" : "JSON");
        args.add(ttl);
        args.add(tombstoneTtl);
        if (hashFormat) {
            Map<String, String> fields = hashFields(doc);
            args.add(Integer.toString(fields.size() * 2));
            fields.forEach((k, v) -> {
                args.add(k);
                args.add(v);
            });
        } else {
            args.add("1");
            args.add(DocumentMapper.json(doc));
        }
    }

    /**
     * A hash's fields: strings as they are, null as the empty string, every other value as its JSON text (so
     * {@code 42}, {@code true}, {@code {"a":1}}).
     */
    static Map<String, String> hashFields(Map<String, Object> doc) {
        Map<String, String> fields = new LinkedHashMap<>();
        doc.forEach((k, v) -> fields.put(k, v == null ? "" : v instanceof String s ? s : DocumentMapper.jsonValue(v)));
        return fields;
    }

    /**
     * The version as 19 digits, so that the script compares versions as strings (built by hand: this runs for every
     * row).
     *
     * @throws IllegalArgumentException if the version is negative
     */
    static String paddedVersion(long version) {
        if (version < 0) {
            throw new IllegalArgumentException("version " + version + " is negative");
        }
        String digits = Long.toString(version);
        return "0".repeat(19 - digits.length()) + digits;
    }

    /** The error text of the script's answer for one row, or null when it applied the row or found it not newer. */
    static String refusal(Object outcome) {
        if (outcome instanceof Long) {
            return null;
        }
        return scriptError(outcome instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(outcome));
    }

    /**
     * A Redis error caught in the script without the script's location: {@code @user_script: 10: -OOM ...} becomes
     * {@code OOM ...}, so that its code can be told.
     */
    static String scriptError(String text) {
        Matcher m = SCRIPT_ERROR.matcher(text);
        return m.matches() ? m.group(1) : text;
    }

    static boolean isTransient(JedisDataException e) {
        return isTransient(e.getMessage());
    }

    /**
     * Whether a refusal is the server's state rather than the row's, so that the write is retried (the pipeline
     * waits) instead of its rows going to the dead-letter queue: a server that restarts answers LOADING while it
     * reads its dataset back; BUSY, TRYAGAIN, MASTERDOWN and CLUSTERDOWN pass by themselves; OOM (at maxmemory
     * with no eviction), READONLY (a replica after a failover), MISCONF (persistence failing) and NOREPLICAS
     * refuse every write until an operator or the server itself makes room.
     */
    static boolean isTransient(String message) {
        String m = message == null ? "" : message;
        return m.startsWith("LOADING") || m.startsWith("BUSY") || m.startsWith("TRYAGAIN") || m.startsWith("MASTERDOWN")
                || m.startsWith("CLUSTERDOWN") || m.startsWith("OOM") || m.startsWith("READONLY") || m.startsWith("MISCONF")
                || m.startsWith("NOREPLICAS");
    }
}
