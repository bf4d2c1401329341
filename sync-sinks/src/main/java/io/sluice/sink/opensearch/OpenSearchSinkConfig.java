package io.sluice.sink.opensearch;

import io.sluice.config.ConfigProblem;
import io.sluice.config.ConfigValidation;
import io.sluice.sink.CaCertificates;
import io.sluice.sink.MappingConfig;
import io.sluice.sink.TableMapping;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** The configuration of an {@link OpenSearchSink} (OpenSearch 2.x or Elasticsearch 8.x); every key declared once. */
public final class OpenSearchSinkConfig {
    public static final String URLS = "opensearch.urls";
    public static final String USERNAME = "opensearch.username";
    public static final String PASSWORD = "opensearch.password";
    public static final String API_KEY = "opensearch.api.key";
    public static final String TLS_INSECURE = "opensearch.tls.insecure";
    public static final String TLS_CA_FILE = "opensearch.tls.ca.file";
    public static final String TLS_CA_FINGERPRINT = "opensearch.tls.ca.fingerprint";
    public static final String TIMEOUT_MS = "opensearch.timeout.ms";
    public static final String REPLICAS = "index.replicas";
    public static final String SHARDS = "index.shards";
    public static final String MAX_DOCS = "bulk.max.docs";
    public static final String MAX_BYTES = "bulk.max.bytes";
    public static final String IN_FLIGHT = "bulk.max.in.flight";
    public static final String TOMBSTONE_TTL_MS = "tombstone.ttl.ms";

    public static final ConfigDef DEFINITION = MappingConfig.define(new ConfigDef(), "{source}.{database}.{table}")
            .define(URLS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
                    "Comma-separated base URLs of the cluster's nodes, for example https://search-1:9200; the next is tried when one is unreachable.")
            .define(USERNAME, Type.STRING, "", Importance.MEDIUM, "User for basic authentication.")
            .define(PASSWORD, Type.PASSWORD, "", Importance.MEDIUM, "Password for basic authentication.")
            .define(API_KEY, Type.PASSWORD, "", Importance.MEDIUM, "An API key (base64 id:key) sent as Authorization: ApiKey; wins over basic authentication.")
            .define(TLS_CA_FILE, Type.STRING, "", Importance.MEDIUM,
                    "PEM file of the certificate authorities to trust for https:// URLs; empty trusts the JVM's trust store.")
            .define(TLS_CA_FINGERPRINT, Type.STRING, "", Importance.MEDIUM,
                    "SHA-256 fingerprint (hex, colons allowed) of a certificate to trust in the server's chain: the one Elasticsearch"
                    + " prints for its CA at its first start.")
            .define(TLS_INSECURE, Type.BOOLEAN, false, Importance.LOW, "Accept any TLS certificate (development only).")
            .define(TIMEOUT_MS, Type.INT, 30_000, ConfigDef.Range.between(100, 600_000), Importance.LOW, "Request timeout in ms.")
            .define(SHARDS, Type.INT, 1, ConfigDef.Range.between(1, 1024), Importance.LOW, "Shards of indexes the sink creates.")
            .define(REPLICAS, Type.INT, 1, ConfigDef.Range.between(0, 16), Importance.LOW, "Replicas of indexes the sink creates.")
            .define(MAX_DOCS, Type.INT, 1000, ConfigDef.Range.between(1, 100_000), Importance.LOW, "Most actions in one _bulk request.")
            .define(MAX_BYTES, Type.INT, 5 * 1024 * 1024, ConfigDef.Range.between(1024, 100 * 1024 * 1024), Importance.LOW, "Most bytes in one _bulk request.")
            .define(IN_FLIGHT, Type.INT, 2, ConfigDef.Range.between(1, 16), Importance.LOW,
                    "_bulk requests in flight at once; documents are partitioned by id so that each document's writes stay in order.")
            .define(TOMBSTONE_TTL_MS, Type.LONG, 86_400_000L, ConfigDef.Range.atLeast(1000), Importance.LOW,
                    "index.gc_deletes of created indexes: how long a deleted document's version is remembered, so that older writes arriving later are refused.");

    private final AbstractConfig config;

    private OpenSearchSinkConfig(AbstractConfig config) {
        this.config = config;
    }

    /**
     * Validates a whole configuration.
     *
     * @throws io.sluice.config.InvalidConfigException listing every problem
     */
    public static OpenSearchSinkConfig parse(String sinkName, Map<String, String> raw) {
        List<ConfigProblem> problems = new ArrayList<>(ConfigValidation.problems(DEFINITION, raw, Set.of()));
        problems.addAll(MappingConfig.problems(raw));
        String urls = raw.get(URLS);
        if (urls != null) {
            for (String url : urls.split(",")) {
                try {
                    URI u = new URI(url.trim());
                    if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                        problems.add(new ConfigProblem(URLS, url.trim(), "expected http(s)://host:port"));
                    }
                } catch (URISyntaxException e) {
                    problems.add(new ConfigProblem(URLS, url.trim(), "expected http(s)://host:port: " + e.getReason()));
                }
            }
        }
        String ca = raw.getOrDefault(TLS_CA_FILE, "");
        String fingerprint = raw.getOrDefault(TLS_CA_FINGERPRINT, "");
        if (!ca.isBlank() && !Files.isReadable(Path.of(ca))) {
            problems.add(new ConfigProblem(TLS_CA_FILE, ca, "a readable PEM file of CA certificates on this machine"));
        }
        if (!fingerprint.isBlank() && !CaCertificates.isFingerprint(fingerprint)) {
            problems.add(new ConfigProblem(TLS_CA_FINGERPRINT, fingerprint, "64 hex digits (SHA-256), colons allowed"));
        }
        int trusts = (ca.isBlank() ? 0 : 1) + (fingerprint.isBlank() ? 0 : 1) + ("true".equalsIgnoreCase(raw.get(TLS_INSECURE)) ? 1 : 0);
        if (trusts > 1) {
            problems.add(new ConfigProblem(TLS_CA_FILE, ca, "set one of " + TLS_CA_FILE + ", " + TLS_CA_FINGERPRINT + " and " + TLS_INSECURE
                    + ", not several"));
        }
        ConfigValidation.requireNone(DEFINITION, "OpenSearch sink '" + sinkName + "'", problems);
        return new OpenSearchSinkConfig(new AbstractConfig(DEFINITION, raw, false));
    }

    public List<URI> urls() {
        return config.getList(URLS).stream().map(String::trim).map(u -> URI.create(u.endsWith("/") ? u : u + "/")).toList();
    }

    public String username() {
        return config.getString(USERNAME);
    }

    public String password() {
        return config.getPassword(PASSWORD).value();
    }

    public String apiKey() {
        return config.getPassword(API_KEY).value();
    }

    public boolean tlsInsecure() {
        return config.getBoolean(TLS_INSECURE);
    }

    /** The CA file to trust, if one is set. */
    public Optional<Path> tlsCaFile() {
        String file = config.getString(TLS_CA_FILE);
        return file.isBlank() ? Optional.empty() : Optional.of(Path.of(file));
    }

    /** The fingerprint of a certificate to trust, or empty. */
    public String tlsCaFingerprint() {
        return config.getString(TLS_CA_FINGERPRINT);
    }

    public int timeoutMs() {
        return config.getInt(TIMEOUT_MS);
    }

    public int shards() {
        return config.getInt(SHARDS);
    }

    public int replicas() {
        return config.getInt(REPLICAS);
    }

    public int maxDocs() {
        return config.getInt(MAX_DOCS);
    }

    public int maxBytes() {
        return config.getInt(MAX_BYTES);
    }

    public int inFlight() {
        return config.getInt(IN_FLIGHT);
    }

    public long tombstoneTtlMs() {
        return config.getLong(TOMBSTONE_TTL_MS);
    }

    public TableMapping mapping() {
        return MappingConfig.mapping(config);
    }
}
