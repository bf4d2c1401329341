package io.sluice.capture;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

/**
 * The Debezium engine settings Sluice runs a source with, each declared once in {@link #SETTINGS}: {@link #properties}
 * builds the engine's properties from these declarations, and {@link #refusal} refuses a {@code debezium.*} override
 * of any key declared there, so the settings Sluice writes and the keys it protects cannot drift apart.
 *
 * <p>Each declared setting either follows a Sluice key (a refused override names the key to set instead) or is
 * fixed because a guarantee rests on it (a refused override says which). A setting absent for one source (an
 * include list left empty) is refused all the same. The settings that name a store ({@code offset.storage},
 * {@code schema.history.internal}) also protect every key below them, which configure that store.
 *
 * <p>{@link #TUNING} holds throughput defaults that no guarantee rests on: a {@code debezium.*} override replaces
 * them. Every other key passes through unchanged (for example {@code signal.data.collection}).
 */
final class EngineSettings {
    /** Larger batches and queue and shorter polls than Debezium's defaults: a third more events per second. */
    static final Map<String, String> TUNING = Map.of("max.batch.size", "8192", "max.queue.size", "32768", "poll.interval.ms", "5");

    private static final String AVRO_TYPES = "the Avro schemas Sluice registers and the events' values depend on it";
    private static final String AVRO_NAMES = "Avro accepts only names adjusted this way";
    private static final String STORE = "Sluice keeps offsets and schema history in files under data.dir, which it checks "
            + "before each start and sets aside for a recovery";
    private static final String RETRY_PACE = "Sluice paces the engine's retries itself; set 'errors.max.retries' for how many";

    private static final List<Setting> SETTINGS = List.of(
            from("name", SourceConfig.NAME, c -> "sluice-" + c.name()),
            from("connector.class", SourceConfig.TYPE, c -> c.type().connectorClass()),
            from("topic.prefix", SourceConfig.NAME, EngineSettings::topicPrefix),
            from("database.hostname", SourceConfig.HOST, SourceConfig::host),
            from("database.port", SourceConfig.PORT, c -> Integer.toString(c.port())),
            from("database.user", SourceConfig.USER, SourceConfig::user),
            from("database.password", SourceConfig.PASSWORD, SourceConfig::password),
            from("database.server.id", SourceConfig.SERVER_ID, c -> Long.toString(c.serverId())),
            from("database.include.list", SourceConfig.DATABASES, c -> c.databases().isEmpty() ? null : String.join(",", c.databases())),
            from("table.include.list", SourceConfig.TABLES, c -> c.tables().isEmpty() ? null : String.join(",", c.tables())),
            from("snapshot.mode", SourceConfig.SNAPSHOT_MODE, c -> c.snapshotMode().debeziumName()),
            from("snapshot.locking.mode", SourceConfig.SNAPSHOT_LOCKING, c -> c.lockFreeSnapshot() ? "none" : "minimal"),
            store("offset.storage", c -> AtomicFileOffsetBackingStore.class.getName()),
            from(AtomicFileOffsetBackingStore.FILENAME, SourceConfig.DATA_DIR, c -> new StoredState(c.sourceDir()).offsetsFile().toString()),
            from("offset.flush.interval.ms", SourceConfig.OFFSET_FLUSH_MS, c -> Long.toString(c.offsetFlushIntervalMs())),
            fixed("offset.flush.timeout.ms", "10000", "a stop waits this long at most for the engine's last offset write, "
                    + "within the minute a worker's close allows"),
            store("schema.history.internal", c -> "io.debezium.storage.file.history.FileSchemaHistory"),
            from("schema.history.internal.file.filename", SourceConfig.DATA_DIR,
                    c -> new StoredState(c.sourceDir()).historyFile().toString()),
            fixed("log.position.check.enable", "false", "Sluice checks the stored position itself before each start: the binlog "
                    + "file on the same server, the GTIDs on another (a failover); Debezium's check compares only the newest GTID of"
                    + " each domain and refuses a promoted replica that has committed transactions of its own"),
            fixed("include.schema.changes", "true", "its DDL events drive schema review and tell which tables a snapshot read"),
            fixed("include.schema.comments", "true", "column comments become the docs of the registered Avro schemas"),
            fixed("tombstones.on.delete", "false", "a delete is applied from its delete event, which carries the version; a "
                    + "tombstone carries none"),
            fixed("decimal.handling.mode", "precise", AVRO_TYPES),
            fixed("bigint.unsigned.handling.mode", "precise", AVRO_TYPES),
            fixed("binary.handling.mode", "bytes", AVRO_TYPES),
            fixed("time.precision.mode", "adaptive_time_microseconds", AVRO_TYPES),
            fixed("field.name.adjustment.mode", "avro", AVRO_NAMES),
            fixed("schema.name.adjustment.mode", "avro", AVRO_NAMES),
            fixed("column.propagate.source.type", ".*", "the source column types are part of every registered Avro schema "
                    + "(connect.parameters), so another value changes every table's schema"),
            from("heartbeat.interval.ms", SourceConfig.HEARTBEAT_MS, c -> Integer.toString(c.heartbeatIntervalMs())),
            // Debezium emits heartbeats only when the binlog client hears from the server, and asks the server for one
            // every 0.8 x the keep-alive interval: asking every heartbeat interval keeps an idle source from going
            // silent past the stall timeout.
            from("connect.keep.alive.interval.ms", SourceConfig.HEARTBEAT_MS,
                    c -> Long.toString(Math.max(1000, Math.round(c.heartbeatIntervalMs() / 0.8)))),
            from("errors.max.retries", SourceConfig.MAX_RETRIES, c -> Integer.toString(c.maxRetries())),
            fixed("errors.retry.delay.initial.ms", "300", RETRY_PACE),
            fixed("errors.retry.delay.max.ms", "10000", RETRY_PACE),
            from("connect.timeout.ms", SourceConfig.CONNECT_TIMEOUT_MS, c -> Integer.toString(c.connectTimeoutMs())),
            // Debezium hands database.* keys it does not know to the JDBC driver.
            from("database.allowPublicKeyRetrieval", SourceConfig.ALLOW_PUBLIC_KEY_RETRIEVAL, c -> c.allowPublicKeyRetrieval() ? "true" : null),
            from("database.ssl.mode", SourceConfig.TLS_MODE, c -> c.tls().debeziumMode(c.type())),
            // The binlog client reads trusted certificates from a key store; the JDBC connection (MariaDB's driver)
            // takes the PEM file itself.
            from("database.ssl.truststore", SourceConfig.TLS_CA_FILE, c -> c.tls().caFile().isPresent() ? c.tls().trustStore().toString() : null),
            from("database.ssl.truststore.password", SourceConfig.TLS_CA_FILE,
                    c -> c.tls().caFile().isPresent() ? SourceTls.TRUST_STORE_PASSWORD : null),
            from("database.serverSslCert", SourceConfig.TLS_CA_FILE,
                    c -> c.type() == SourceType.MARIADB ? c.tls().caFile().map(Path::toString).orElse(null) : null),
            fixed("record.processing.order", "ORDERED", "events reach the consumer, and offsets the store, in binlog order"));

    private EngineSettings() {
    }

    /** Debezium's topic prefix for a source: unique per source, so that two engines in one JVM do not clash in JMX. */
    static String topicPrefix(SourceConfig config) {
        return "sluice_" + config.name().replace('-', '_');
    }

    /** The engine's properties for a source: the declared settings, the tuning defaults, then its overrides. */
    static Properties properties(SourceConfig config) {
        Properties p = new Properties();
        for (Setting s : SETTINGS) {
            String value = s.value().apply(config);
            if (value != null) {
                p.setProperty(s.key(), value);
            }
        }
        TUNING.forEach(p::setProperty);
        config.engineOverrides().forEach(p::setProperty);
        return p;
    }

    /**
     * Why a {@code debezium.*} override of an engine key is refused.
     *
     * @param engineKey the key without the {@code debezium.} prefix
     * @return what to do instead, in words; empty when the override is allowed
     */
    static Optional<String> refusal(String engineKey) {
        for (Setting s : SETTINGS) {
            if (s.key().equals(engineKey)) {
                return Optional.of(s.refusal());
            }
        }
        for (Setting s : SETTINGS) {
            if (s.store() && engineKey.startsWith(s.key() + ".")) {
                return Optional.of("Sluice sets '" + s.key() + "' itself and configures that store, so '" + engineKey
                        + "' cannot be overridden: " + s.reason() + "; remove this key");
            }
        }
        return Optional.empty();
    }

    /** The value to show in a refusal: masked when the key names a password. */
    static String shown(String engineKey, String value) {
        return engineKey.toLowerCase(Locale.ROOT).contains("password") ? "****" : value;
    }

    private static Setting from(String key, String sluiceKey, Function<SourceConfig, String> value) {
        return new Setting(key, value, sluiceKey, null, false);
    }

    private static Setting fixed(String key, String value, String reason) {
        return new Setting(key, c -> value, null, reason, false);
    }

    private static Setting store(String key, Function<SourceConfig, String> value) {
        return new Setting(key, value, null, STORE, true);
    }

    /**
     * One declared engine setting.
     *
     * @param value its value for a source, or null where the source leaves it to Debezium
     * @param sluiceKey the Sluice key it follows, or null when it is fixed
     * @param reason why a fixed setting cannot be overridden, or null when it follows a Sluice key
     * @param store whether it names a store whose own keys lie below it
     */
    private record Setting(String key, Function<SourceConfig, String> value, String sluiceKey, String reason, boolean store) {
        String refusal() {
            return sluiceKey != null
                    ? "Sluice sets '" + key + "' from its own key '" + sluiceKey + "'; remove this key and set '" + sluiceKey + "' instead"
                    : "Sluice sets '" + key + "' itself and it cannot be overridden: " + reason + "; remove this key";
        }
    }
}
