package io.sluice.connect;

import io.sluice.avro.ConnectToAvro;
import io.sluice.registry.RegistryError;
import io.sluice.registry.RegistryException;
import io.sluice.serde.AvroSerde;
import io.sluice.serde.CachingRegistryClient;
import io.sluice.serde.HttpRegistryClient;
import io.sluice.serde.RegistryClient;
import io.sluice.serde.RegistryUnavailableException;
import io.sluice.serde.SerdeException;
import java.time.Duration;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.storage.Converter;

/**
 * A Kafka Connect {@link Converter} that writes Avro in Confluent's wire format under a Confluent-compatible
 * registry (Sluice's own), configured like Confluent's {@code AvroConverter}:
 * {@code schema.registry.url}, {@code basic.auth.user.info} or {@code bearer.auth.token},
 * {@code auto.register.schemas}, and the subject name strategy ({@code TopicNameStrategy} by default:
 * {@code <topic>-key} and {@code <topic>-value}).
 *
 * <p>Registry outages surface as {@link RetriableException}s, so that Connect retries instead of failing the
 * task; an incompatible schema (for example one waiting for review) is a {@link RetriableException} too, so
 * that nothing past it is committed until it is approved. Not thread-safe, like every Connect converter.
 */
public final class SluiceAvroConverter implements Converter {
    public static final String URL = "schema.registry.url";
    public static final String USER_INFO = "basic.auth.user.info";
    public static final String BEARER = "bearer.auth.token";
    public static final String AUTO_REGISTER = "auto.register.schemas";
    public static final String KEY_STRATEGY = "key.subject.name.strategy";
    public static final String VALUE_STRATEGY = "value.subject.name.strategy";
    public static final String TIMEOUT_MS = "schema.registry.request.timeout.ms";
    public static final String MAX_ATTEMPTS = "schema.registry.max.attempts";

    /** Every key, declared once. */
    public static final ConfigDef CONFIG = new ConfigDef()
            .define(URL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Base URL of the registry, for example http://sluice:8080/registry (several URLs: the first is used).")
            .define(USER_INFO, Type.PASSWORD, "", Importance.MEDIUM, "user:password for basic authentication.")
            .define(BEARER, Type.PASSWORD, "", Importance.MEDIUM, "An API token sent as Authorization: Bearer.")
            .define(AUTO_REGISTER, Type.BOOLEAN, true, Importance.MEDIUM, "Register new schemas; when false they must exist already.")
            .define(KEY_STRATEGY, Type.STRING, "TopicNameStrategy", strategies(), Importance.LOW, "Subject name strategy of keys.")
            .define(VALUE_STRATEGY, Type.STRING, "TopicNameStrategy", strategies(), Importance.LOW, "Subject name strategy of values.")
            .define(TIMEOUT_MS, Type.INT, 10_000, ConfigDef.Range.atLeast(100), Importance.LOW, "Timeout of each registry request.")
            .define(MAX_ATTEMPTS, Type.INT, 3, ConfigDef.Range.between(1, 100), Importance.LOW, "Attempts of a registry request that failed retriably.");

    private final RegistryClient injected;
    private AvroSerde serde;
    private boolean isKey;
    private String strategy;
    private final ConnectToAvro toAvro = new ConnectToAvro();
    private final AvroToConnect toConnect = new AvroToConnect();

    /** The constructor Connect uses. */
    public SluiceAvroConverter() {
        this(null);
    }

    /** A converter over a given client (tests, or Sluice's server in-process). */
    public SluiceAvroConverter(RegistryClient client) {
        this.injected = client;
    }

    @Override
    public ConfigDef config() {
        return CONFIG;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
        // With an injected client the URL is not needed.
        AbstractConfig config = new AbstractConfig(injected == null ? CONFIG : withOptionalUrl(), configs);
        this.strategy = simpleName(config.getString(isKey ? KEY_STRATEGY : VALUE_STRATEGY));
        RegistryClient client = injected;
        if (client == null) {
            String url = config.getString(URL).split(",")[0].trim();
            client = new HttpRegistryClient(new HttpRegistryClient.Settings(url, config.getPassword(USER_INFO).value(),
                    config.getPassword(BEARER).value(), Duration.ofMillis(config.getInt(TIMEOUT_MS)), config.getInt(MAX_ATTEMPTS)));
        }
        this.serde = new AvroSerde(new CachingRegistryClient(client), config.getBoolean(AUTO_REGISTER));
    }

    private static ConfigDef withOptionalUrl() {
        ConfigDef def = new ConfigDef();
        CONFIG.configKeys().values().forEach(k -> def.define(k.name, k.type, URL.equals(k.name) ? "" : k.defaultValue,
                URL.equals(k.name) ? null : k.validator, k.importance, k.documentation));
        return def;
    }

    @Override
    public byte[] fromConnectData(String topic, org.apache.kafka.connect.data.Schema schema, Object value) {
        if (value == null) {
            return null;
        }
        try {
            Schema avro = toAvro.toAvroSchema(schema);
            Object datum = toAvro.toAvroValue(schema, value);
            return serde.serialize(subject(topic, avro), avro, datum);
        } catch (RegistryUnavailableException e) {
            throw new RetriableException("registry unavailable for topic " + topic + ": " + e.getMessage(), e);
        } catch (RegistryException e) {
            if (e.error() == RegistryError.INCOMPATIBLE_SCHEMA) {
                throw new RetriableException("schema for topic " + topic + " is not accepted (yet): " + e.getMessage(), e);
            }
            throw new DataException("registry refused the schema for topic " + topic + ": " + e.getMessage(), e);
        } catch (SerdeException | IllegalArgumentException e) {
            throw new DataException("cannot convert a " + (isKey ? "key" : "value") + " of topic " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public SchemaAndValue toConnectData(String topic, byte[] value) {
        if (value == null) {
            return SchemaAndValue.NULL;
        }
        try {
            Object datum = serde.deserialize(value);
            Schema avro = datum instanceof GenericContainer c ? c.getSchema() : schemaOfPrimitive(datum);
            return new SchemaAndValue(toConnect.toConnectSchema(avro), toConnect.toConnectValue(avro, datum));
        } catch (RegistryUnavailableException e) {
            throw new RetriableException("registry unavailable for topic " + topic + ": " + e.getMessage(), e);
        } catch (RegistryException | SerdeException | IllegalArgumentException e) {
            throw new DataException("cannot read a " + (isKey ? "key" : "value") + " of topic " + topic + ": " + e.getMessage(), e);
        }
    }

    private static Schema schemaOfPrimitive(Object datum) {
        if (datum instanceof CharSequence) {
            return Schema.create(Schema.Type.STRING);
        }
        if (datum instanceof Integer) {
            return Schema.create(Schema.Type.INT);
        }
        if (datum instanceof Long) {
            return Schema.create(Schema.Type.LONG);
        }
        throw new IllegalArgumentException("unsupported top-level Avro datum " + datum.getClass().getName());
    }

    private String subject(String topic, Schema avro) {
        String suffix = isKey ? "-key" : "-value";
        return switch (strategy) {
            case "RecordNameStrategy" -> avro.getFullName();
            case "TopicRecordNameStrategy" -> topic + "-" + avro.getFullName();
            default -> topic + suffix;
        };
    }

    private static String simpleName(String strategyClass) {
        int dot = strategyClass.lastIndexOf('.');
        return dot < 0 ? strategyClass : strategyClass.substring(dot + 1);
    }

    private static ConfigDef.Validator strategies() {
        return (name, value) -> {
            String simple = simpleName(String.valueOf(value));
            if (!simple.equals("TopicNameStrategy") && !simple.equals("RecordNameStrategy") && !simple.equals("TopicRecordNameStrategy")) {
                throw new ConfigException(name, value,
                        "expected TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy (with or without Confluent's package)");
            }
        };
    }

    /** Never shows secrets. */
    @Override
    public String toString() {
        return "SluiceAvroConverter{" + (isKey ? "key" : "value") + ", strategy=" + strategy + "}";
    }

}
