package io.sluice.capture;

import io.sluice.config.ConfigProblem;
import io.sluice.config.ConfigValidation;
import io.sluice.config.InvalidConfigException;
import io.sluice.event.TableId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * The configuration of one captured source. Every key is declared once in {@link #DEFINITION}: type, default,
 * validation and documentation. {@link #parse} validates a whole configuration and reports every problem at once.
 *
 * <p>Keys that start with {@code debezium.} are passed to the Debezium engine without the prefix, for tuning that
 * Sluice does not model. One that names an engine setting Sluice writes itself (see {@link EngineSettings}) is
 * refused, with the Sluice key to set instead or the reason it is fixed; Sluice's throughput defaults
 * ({@code max.batch.size}, {@code max.queue.size}, {@code poll.interval.ms}) may be overridden.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the password.
 */
public final class SourceConfig {
    public static final String NAME = "name";
    public static final String TYPE = "type";
    public static final String HOST = "host";
    public static final String PORT = "port";
    public static final String USER = "user";
    public static final String PASSWORD = "password";
    public static final String DATABASES = "databases";
    public static final String TABLES = "tables";
    public static final String SERVER_ID = "server.id";
    public static final String SNAPSHOT_MODE = "snapshot.mode";
    public static final String SNAPSHOT_LOCKING = "snapshot.locking";
    public static final String DATA_DIR = "data.dir";
    public static final String VERSION_EPOCH = "version.epoch";
    public static final String HEARTBEAT_MS = "heartbeat.interval.ms";
    public static final String OFFSET_FLUSH_MS = "offset.flush.interval.ms";
    public static final String SINK_FLUSH_MS = "sink.flush.interval.ms";
    public static final String MAX_RETRIES = "errors.max.retries";
    public static final String STALL_TIMEOUT_MS = "stall.timeout.ms";
    public static final String CONNECT_TIMEOUT_MS = "connect.timeout.ms";
    public static final String ALLOW_PUBLIC_KEY_RETRIEVAL = "allow.public.key.retrieval";
    public static final String TLS_MODE = "tls.mode";
    public static final String TLS_CA_FILE = "tls.ca.file";
    public static final String ENGINE_PREFIX = "debezium.";

    private static final Pattern SOURCE_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");

    /** The declaration of every key. */
    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(NAME, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, nameValidator(), Importance.HIGH,
                    "The source's name in Sluice: lower-case letters, digits, '_' and '-', starting with a letter, at most 63 characters. It prefixes subjects and Debezium's topic prefix, so it must be unique.")
            .define(TYPE, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.CaseInsensitiveValidString.in("mysql", "mariadb"), Importance.HIGH,
                    "The database flavour: mysql or mariadb.")
            .define(HOST, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Host name or IP address of the source database.")
            .define(PORT, Type.INT, 3306, ConfigDef.Range.between(1, 65535), Importance.HIGH,
                    "TCP port of the source database.")
            .define(USER, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "User that Sluice connects as; it needs REPLICATION SLAVE, REPLICATION CLIENT and SELECT (see the preflight check).")
            .define(PASSWORD, Type.PASSWORD, "", Importance.HIGH, "Password of that user.")
            .define(DATABASES, Type.LIST, "", Importance.HIGH,
                    "Comma-separated regular expressions of databases to capture; empty captures every database the user can read.")
            .define(TABLES, Type.LIST, "", Importance.HIGH,
                    "Comma-separated regular expressions of tables to capture, as database.table; empty captures every table of the captured databases.")
            .define(SERVER_ID, Type.LONG, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Range.between(1, 4294967295L), Importance.HIGH,
                    "The replication server id Sluice uses for this source, 1 to 4294967295; it must differ from the source's own server_id and from every other replica and source.")
            .define(SNAPSHOT_MODE, Type.STRING, "initial", ConfigDef.CaseInsensitiveValidString.in("initial", "no_data", "when_needed"), Importance.MEDIUM,
                    "initial: snapshot rows at first start; no_data: structure only; when_needed: also snapshot again when the stored binlog position is gone.")
            .define(SNAPSHOT_LOCKING, Type.STRING, "minimal", ConfigDef.CaseInsensitiveValidString.in("minimal", "none"), Importance.MEDIUM,
                    "minimal: a short global read lock at snapshot start (needs RELOAD and LOCK TABLES); none: no lock (safe only if no DDL runs during the snapshot).")
            .define(DATA_DIR, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Directory where this source's offsets and schema history are stored; it must survive restarts.")
            .define(VERSION_EPOCH, Type.INT, 0, ConfigDef.Range.between(0, 15), Importance.LOW,
                    "Version epoch, 0 to 15: everything written under a higher epoch beats everything written before. The server raises it by itself when the source's server changes (a failover); raise it by one, with a new snapshot, after the binlog went backwards on the same server (RESET MASTER).")
            .define(HEARTBEAT_MS, Type.INT, 2000, ConfigDef.Range.between(100, 3_600_000), Importance.LOW,
                    "How often an idle source reports that it is alive, in milliseconds.")
            .define(OFFSET_FLUSH_MS, Type.LONG, 1000L, ConfigDef.Range.between(0, 600_000), Importance.LOW,
                    "How often acknowledged offsets are written to disk, in milliseconds; a crash replays at most this much.")
            .define(SINK_FLUSH_MS, Type.LONG, 0L, ConfigDef.Range.between(0, 600_000), Importance.LOW,
                    "How often, in milliseconds, the sinks are made durable (a Lucene commit): the source offset moves only past what they hold. 0 flushes after every batch, which keeps a Lucene target's search freshest; more means fewer commits (less CPU at high rates) and a longer replay after a crash.")
            .define(STALL_TIMEOUT_MS, Type.LONG, 30_000L, ConfigDef.Range.between(1_000, 3_600_000), Importance.LOW,
                    "How long a streaming source may stay silent (no event, no heartbeat) before Sluice restarts its engine from the stored offset; it must exceed twice heartbeat.interval.ms. Debezium 3.5 stops reading without an error when the server shuts down cleanly: this brings it back.")
            .define(MAX_RETRIES, Type.INT, 30, ConfigDef.Range.between(-1, 1_000_000), Importance.LOW,
                    "How often the engine retries after a retriable error (a lost connection) before the source is failed; -1 retries forever.")
            .define(CONNECT_TIMEOUT_MS, Type.INT, 10_000, ConfigDef.Range.between(100, 600_000), Importance.LOW,
                    "How long a connection attempt to the source may take, in milliseconds.")
            .define(ALLOW_PUBLIC_KEY_RETRIEVAL, Type.BOOLEAN, false, Importance.LOW,
                    "Let the client ask the server for its RSA public key to send the password: needed by a user that authenticates with MySQL 8's caching_sha2_password over a connection without TLS. Applies to every connection Sluice opens to the source (capture, preflight, backfill, verify).")
            .define(TLS_MODE, Type.STRING, SourceTls.Mode.PREFERRED.text(), ConfigDef.CaseInsensitiveValidString.in(
                    Arrays.stream(SourceTls.Mode.values()).map(SourceTls.Mode::text).toArray(String[]::new)), Importance.MEDIUM,
                    "TLS on every connection to the source (capture, preflight, backfill, verify): preferred leaves it to the driver"
                    + " (MySQL's uses TLS when the server offers it, unverified; MariaDB's does not); disabled; required (encrypted,"
                    + " the certificate not checked); verify-ca (signed by a CA of tls.ca.file, or of the JVM's trust store);"
                    + " verify-identity (also naming the host).")
            .define(TLS_CA_FILE, Type.STRING, "", Importance.MEDIUM,
                    "PEM file of the certificate authorities that sign the source's certificate, for tls.mode verify-ca or"
                    + " verify-identity.");

    private final Map<String, Object> values;
    private final Map<String, String> engineOverrides;
    /** {@link #captures(List, List)} of this source's settings, compiled once. */
    private final Predicate<TableId> captured;

    private SourceConfig(Map<String, Object> values, Map<String, String> engineOverrides) {
        this.values = values;
        this.engineOverrides = engineOverrides;
        this.captured = captures(databases(), tables());
    }

    /**
     * Validates and parses a configuration.
     *
     * @throws InvalidConfigException listing every problem: missing keys, bad values, unknown keys
     */
    public static SourceConfig parse(Map<String, String> raw) {
        List<ConfigProblem> problems = new ArrayList<>(ConfigValidation.problems(DEFINITION, raw, Set.of(ENGINE_PREFIX)));
        Map<String, String> own = new HashMap<>();
        Map<String, String> engine = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : raw.entrySet()) {
            if (DEFINITION.configKeys().containsKey(e.getKey())) {
                own.put(e.getKey(), e.getValue());
            } else if (e.getKey().startsWith(ENGINE_PREFIX)) {
                String engineKey = e.getKey().substring(ENGINE_PREFIX.length());
                Optional<String> refusal = EngineSettings.refusal(engineKey);
                if (refusal.isPresent()) {
                    problems.add(new ConfigProblem(e.getKey(), EngineSettings.shown(engineKey, e.getValue()), refusal.get()));
                } else {
                    engine.put(engineKey, e.getValue());
                }
            }
        }
        problems.addAll(regexProblems(own.get(DATABASES), DATABASES));
        problems.addAll(regexProblems(own.get(TABLES), TABLES));
        problems.addAll(stallProblems(own));
        problems.addAll(tlsProblems(own));
        ConfigValidation.requireNone(DEFINITION, "source '" + own.getOrDefault(NAME, "?") + "'", problems);
        return new SourceConfig(DEFINITION.parse(own), Map.copyOf(engine));
    }

    private static List<ConfigProblem> regexProblems(String list, String key) {
        List<ConfigProblem> out = new ArrayList<>();
        if (list == null || list.isBlank()) {
            return out;
        }
        for (String part : list.split(",")) {
            try {
                Pattern.compile(part.trim());
            } catch (PatternSyntaxException e) {
                out.add(new ConfigProblem(key, part.trim(), "expected a regular expression: " + e.getDescription()));
            }
        }
        return out;
    }

    private static List<ConfigProblem> tlsProblems(Map<String, String> own) {
        String ca = own.getOrDefault(TLS_CA_FILE, "");
        if (ca.isBlank()) {
            return List.of();
        }
        if (!Files.isReadable(Path.of(ca)) || ca.matches(".*[&=?#;].*")) {
            return List.of(new ConfigProblem(TLS_CA_FILE, ca, "a readable PEM file of CA certificates on this machine, its path"
                    + " without & = ? # or ; (it goes into the JDBC URL)"));
        }
        String mode = own.getOrDefault(TLS_MODE, SourceTls.Mode.PREFERRED.text());
        if (!mode.equalsIgnoreCase(SourceTls.Mode.VERIFY_CA.text()) && !mode.equalsIgnoreCase(SourceTls.Mode.VERIFY_IDENTITY.text())) {
            return List.of(new ConfigProblem(TLS_MODE, mode, "verify-ca or verify-identity: " + TLS_CA_FILE + " is set, and only those"
                    + " modes check the server's certificate against it"));
        }
        return List.of();
    }

    private static List<ConfigProblem> stallProblems(Map<String, String> own) {
        try {
            long stall = Long.parseLong(own.getOrDefault(STALL_TIMEOUT_MS, String.valueOf(DEFINITION.configKeys().get(STALL_TIMEOUT_MS).defaultValue)));
            long heartbeat = Long.parseLong(own.getOrDefault(HEARTBEAT_MS, String.valueOf(DEFINITION.configKeys().get(HEARTBEAT_MS).defaultValue)));
            if (stall <= 2 * heartbeat) {
                return List.of(new ConfigProblem(STALL_TIMEOUT_MS, Long.toString(stall), "expected more than twice "
                        + HEARTBEAT_MS + " (" + heartbeat + "), or a silent but healthy source would be restarted"));
            }
        } catch (NumberFormatException e) {
            // the type check reports it
        }
        return List.of();
    }

    private static ConfigDef.Validator nameValidator() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (value != null && !SOURCE_NAME.matcher(value.toString()).matches()) {
                    throw new ConfigException(name, value, "not a valid source name");
                }
            }

            @Override
            public String toString() {
                return "matching " + SOURCE_NAME.pattern();
            }
        };
    }

    public String name() {
        return (String) values.get(NAME);
    }

    public SourceType type() {
        return SourceType.valueOf(((String) values.get(TYPE)).toUpperCase(Locale.ROOT));
    }

    public String host() {
        return (String) values.get(HOST);
    }

    public int port() {
        return (Integer) values.get(PORT);
    }

    public String user() {
        return (String) values.get(USER);
    }

    /** The password; handle with care, never log it. */
    public String password() {
        return ((Password) values.get(PASSWORD)).value();
    }

    @SuppressWarnings("unchecked")
    public List<String> databases() {
        return (List<String>) values.get(DATABASES);
    }

    @SuppressWarnings("unchecked")
    public List<String> tables() {
        return (List<String>) values.get(TABLES);
    }

    /** Databases of the server itself, which Debezium never captures. */
    public static final Set<String> SYSTEM_DATABASES = Set.of("mysql", "information_schema", "performance_schema", "sys");

    /** Whether this source captures a table; see {@link #captures(List, List)}. */
    public boolean captures(TableId table) {
        return captured.test(table);
    }

    /**
     * Which tables a source captures, as Debezium picks them: its {@code databases} and {@code tables} settings are
     * regular expressions that must match the whole name ({@code tables} as {@code database.table}),
     * case-insensitively; empty takes every database or table; the server's own databases never count.
     */
    public static Predicate<TableId> captures(List<String> databases, List<String> tables) {
        Predicate<String> database = matchesAny(databases);
        Predicate<String> table = matchesAny(tables);
        return t -> !SYSTEM_DATABASES.contains(t.database().toLowerCase(Locale.ROOT)) && database.test(t.database())
                && table.test(t.database() + "." + t.table());
    }

    private static Predicate<String> matchesAny(List<String> expressions) {
        List<Pattern> patterns = expressions.stream().map(String::trim).filter(e -> !e.isEmpty())
                .map(e -> Pattern.compile(e, Pattern.CASE_INSENSITIVE)).toList();
        return patterns.isEmpty() ? name -> true : name -> patterns.stream().anyMatch(p -> p.matcher(name).matches());
    }

    public long serverId() {
        return (Long) values.get(SERVER_ID);
    }

    public SnapshotMode snapshotMode() {
        return SnapshotMode.valueOf(((String) values.get(SNAPSHOT_MODE)).toUpperCase(Locale.ROOT));
    }

    /** True when the snapshot takes no lock at all. */
    public boolean lockFreeSnapshot() {
        return "none".equalsIgnoreCase((String) values.get(SNAPSHOT_LOCKING));
    }

    /**
     * The files of a source's directory that hold its capture state (Debezium's offsets and schema history, the
     * version guard): what another server needs to resume capture where this one stopped.
     */
    public static final List<String> STATE_FILES = List.of(StoredState.OFFSETS_FILE, StoredState.HISTORY_FILE, StoredState.VERSION_GUARD_FILE);

    /** The one of {@link #STATE_FILES} that Debezium appends to, a record per line. */
    public static final String SCHEMA_HISTORY_FILE = StoredState.HISTORY_FILE;

    /** This source's own directory under the data directory. */
    public Path sourceDir() {
        return Path.of((String) values.get(DATA_DIR)).resolve("sources").resolve(name());
    }

    public int versionEpoch() {
        return (Integer) values.get(VERSION_EPOCH);
    }

    public int heartbeatIntervalMs() {
        return (Integer) values.get(HEARTBEAT_MS);
    }

    public long sinkFlushIntervalMs() {
        return (Long) values.get(SINK_FLUSH_MS);
    }

    public long offsetFlushIntervalMs() {
        return (Long) values.get(OFFSET_FLUSH_MS);
    }

    public long stallTimeoutMs() {
        return (Long) values.get(STALL_TIMEOUT_MS);
    }

    public int maxRetries() {
        return (Integer) values.get(MAX_RETRIES);
    }

    public int connectTimeoutMs() {
        return (Integer) values.get(CONNECT_TIMEOUT_MS);
    }

    public boolean allowPublicKeyRetrieval() {
        return (Boolean) values.get(ALLOW_PUBLIC_KEY_RETRIEVAL);
    }

    /**
     * The JDBC URL of every connection Sluice opens to the source itself (preflight, probes, backfills, verification,
     * views): the database left empty, with the connection options of the source's settings.
     */
    public String jdbcUrl() {
        return type().jdbcUrl(host(), port()) + "?connectTimeout=" + connectTimeoutMs() + (allowPublicKeyRetrieval() ? "&allowPublicKeyRetrieval=true" : "")
                + tls().jdbcQuery(type());
    }

    /** How the source's connections use TLS. */
    public SourceTls tls() {
        String ca = (String) values.get(TLS_CA_FILE);
        return new SourceTls(SourceTls.Mode.of((String) values.get(TLS_MODE)), ca.isBlank() ? Optional.empty() : Optional.of(Path.of(ca)), sourceDir());
    }

    /** Debezium settings given with the {@code debezium.} prefix, without it. */
    public Map<String, String> engineOverrides() {
        return engineOverrides;
    }

    @Override
    public String toString() {
        return "SourceConfig{" + name() + " " + type() + " " + user() + "@" + host() + ":" + port() + ", server.id="
                + serverId() + ", snapshot=" + snapshotMode() + "}";
    }
}
