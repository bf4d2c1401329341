package io.sluice.sink.redis;

import io.sluice.config.ConfigProblem;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import redis.clients.jedis.HostAndPort;

/**
 * Which Redis servers a sink writes to, read from {@code redis.mode} and {@code redis.uri}.
 *
 * <p>Records, immutable.
 */
sealed interface RedisTopology {
    /** One server, the one {@code redis.uri} names, and its database. */
    record Standalone(HostAndPort server, int database) implements RedisTopology {
    }

    /** A Redis Cluster, found from any of its nodes; a cluster has only database 0. */
    record Cluster(List<HostAndPort> seeds) implements RedisTopology {
    }

    /** The primary the sentinels know by {@code master}, asked again after each lost connection. */
    record Sentinel(String master, List<HostAndPort> sentinels, int database) implements RedisTopology {
    }

    /** What {@code redis.mode} allows. */
    enum Mode {
        STANDALONE, CLUSTER, SENTINEL;

        static Mode of(String text) {
            return valueOf(text.toUpperCase(Locale.ROOT));
        }
    }

    /** Whether {@code redis.uri} asks for TLS: every address in it is {@code rediss://}. */
    static boolean tlsScheme(String uris) {
        return !uris.isBlank() && List.of(uris.split(",")).stream().allMatch(u -> u.strip().startsWith("rediss://"));
    }

    /**
     * Reads the topology, adding a problem for each address or setting that does not fit.
     *
     * @return null when a problem was added
     */
    static RedisTopology parse(Mode mode, String uris, String master, List<ConfigProblem> problems) {
        List<HostAndPort> addresses = new ArrayList<>();
        int database = 0;
        boolean valid = true;
        String expected = switch (mode) {
            case STANDALONE -> "expected redis://host:port[/database] (rediss:// for TLS)";
            case CLUSTER -> "expected the addresses of one or more cluster nodes, redis://host:port separated by commas";
            case SENTINEL -> "expected the addresses of one or more sentinels, redis://host:port[/database] separated by commas";
        };
        for (String text : uris.split(",")) {
            try {
                URI u = new URI(text.strip());
                String path = u.getPath() == null || u.getPath().length() <= 1 ? "0" : u.getPath().substring(1);
                if (!("redis".equals(u.getScheme()) || "rediss".equals(u.getScheme())) || u.getHost() == null || !path.matches("\\d{1,2}")) {
                    valid = false;
                    continue;
                }
                addresses.add(new HostAndPort(u.getHost(), u.getPort() < 0 ? 6379 : u.getPort()));
                database = Math.max(database, Integer.parseInt(path));
            } catch (URISyntaxException e) {
                valid = false;
            }
        }
        if (!valid) {
            problems.add(new ConfigProblem(RedisSinkConfig.URI, uris, expected));
            return null;
        }
        if (uris.contains("rediss://") && !tlsScheme(uris)) {
            problems.add(new ConfigProblem(RedisSinkConfig.URI, uris, "mixes redis:// and rediss://: use one scheme for every address"));
            return null;
        }
        int db = database;
        return switch (mode) {
            case STANDALONE -> addresses.size() == 1 ? new Standalone(addresses.get(0), db)
                    : problem(problems, RedisSinkConfig.URI, uris, "names " + addresses.size() + " servers, and " + RedisSinkConfig.MODE
                            + " is standalone: name one, or set " + RedisSinkConfig.MODE + "=cluster or sentinel");
            case CLUSTER -> db == 0 ? new Cluster(List.copyOf(addresses))
                    : problem(problems, RedisSinkConfig.URI, uris, "a Redis Cluster has only database 0: drop the /" + db);
            case SENTINEL -> !master.isBlank() ? new Sentinel(master, List.copyOf(addresses), db)
                    : problem(problems, RedisSinkConfig.SENTINEL_MASTER, master, "the name the sentinels monitor the primary by (their"
                            + " 'sentinel monitor <name> ...'), required with " + RedisSinkConfig.MODE + "=sentinel");
        };
    }

    private static RedisTopology problem(List<ConfigProblem> problems, String key, String value, String allowed) {
        problems.add(new ConfigProblem(key, value, allowed));
        return null;
    }
}
