package io.sluice.admin.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.debezium.connector.mariadb.MariaDbConnector;
import io.debezium.connector.mysql.MySqlConnector;
import io.sluice.admin.SluiceConfig;
import io.sluice.connect.SluiceAvroConverter;
import io.sluice.sink.connect.OpenSearchSinkConnector;
import io.sluice.sink.connect.RedisSinkConnector;
import io.sluice.sink.opensearch.OpenSearchSinkConfig;
import io.sluice.sink.redis.RedisSinkConfig;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.io.IOException;
import java.io.StringReader;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.connector.Connector;
import org.apache.kafka.connect.runtime.SinkConnectorConfig;
import org.apache.kafka.connect.runtime.SourceConnectorConfig;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Checks the files under {@code deploy/} against the code they configure: server keys against {@link SluiceConfig},
 * connector keys against the connectors' and the converter's {@link ConfigDef}s, the worker against Kafka Connect's
 * own configuration, ports, paths, topics and the plugin archive's name against each other and the root pom. A plain
 * unit test: nothing is started.
 */
class DeployFilesTest {

    private static final Path REPO = Path.of("..");
    private static final Path DEPLOY = REPO.resolve("deploy");
    /** The dashboard and alert rules: not configuration of Sluice or Connect. */
    private static final Path MONITORING = DEPLOY.resolve("monitoring");
    private static final Path CONNECT = DEPLOY.resolve("connect");
    private static final Path WORKER = CONNECT.resolve("worker.properties");
    private static final Path COMPOSE = DEPLOY.resolve("compose/compose.yaml");
    private static final Path K8S_BASE = DEPLOY.resolve("kubernetes/base");
    private static final Path APPLICATION_PROPERTIES = Path.of("src/main/resources/application.properties");

    private static final String SERVER_IMAGE = "sluice-server";
    private static final String CONNECT_IMAGE = "sluice-connect";
    private static final String PLUGIN = "sluice-connect-plugin-";
    private static final String CONVERTER = SluiceAvroConverter.class.getName();
    private static final Set<String> SOURCE_CONNECTORS = Set.of(MariaDbConnector.class.getName(), MySqlConnector.class.getName());
    private static final Set<String> SINK_CONNECTORS = Set.of(RedisSinkConnector.class.getName(), OpenSearchSinkConnector.class.getName());
    /** Keys Connect hands through to the converters, transforms, predicates and clients it builds for a connector. */
    private static final List<String> CONNECT_PREFIXES = List.of("key.converter.", "value.converter.", "header.converter.", "transforms.",
            "predicates.", "consumer.override.", "producer.override.", "admin.override.");
    /** Debezium's keys that go to the JDBC driver, the schema history, signal and notification channels. */
    private static final List<String> DEBEZIUM_PREFIXES = List.of("database.", "driver.", "schema.history.internal.", "signal.", "notification.",
            "key.converter", "value.converter", "transforms", "errors.");
    /** Worker keys that configure things the worker builds (converters, clients, config providers, REST listeners). */
    private static final List<String> WORKER_PREFIXES = List.of("key.converter.", "value.converter.", "header.converter.", "config.providers.",
            "producer.", "consumer.", "admin.", "listeners.https.");

    private static final Pattern SERVER_ENV = Pattern.compile("\\bSLUICE_[A-Z0-9_]*[A-Z0-9]\\b");
    private static final Pattern SYSTEM_PROPERTY = Pattern.compile("-D(sluice\\.[a-z0-9.-]*[a-z0-9])");
    private static final Pattern PLUGIN_VERSION = Pattern.compile(Pattern.quote(PLUGIN) + "(\\d[0-9A-Za-z.-]*?)(?=\\.zip|[^0-9A-Za-z.-]|$)");
    /** An image reference (after {@code image:} or {@code docker build -t}) of Sluice's two images, with its tag. */
    private static final Pattern IMAGE_TAG = Pattern.compile("(?:image:\\s*|-t\\s+)(?:[\\w.-]+/)*(" + SERVER_IMAGE + "|" + CONNECT_IMAGE + "):([0-9A-Za-z._-]+)");
    private static final Pattern FILE_REFERENCE = Pattern.compile("\\$\\{file:([^:}]+):([^}]+)}");

    private static final ObjectMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final ObjectMapper YAML = YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    @Test
    void shouldParseEveryYamlPropertiesAndJsonFile() throws IOException {
        List<Path> files = files(".yaml", ".yml", ".properties", ".env", ".json");
        assertThat(files).as("configuration files under deploy/").hasSizeGreaterThan(10);
        List<String> problems = new ArrayList<>();
        for (Path file : files) {
            try {
                String name = file.getFileName().toString();
                if (file.startsWith(MONITORING)) {
                    (name.endsWith(".json") ? JSON : YAML).readTree(file.toFile()); // checked against /q/metrics by PipelineApiIT
                } else if (name.endsWith(".json")) {
                    connectorConfig(file);
                } else if (name.endsWith(".properties") || name.endsWith(".env")) {
                    properties(file);
                } else {
                    embeddedProperties(file);
                }
            } catch (AssertionError e) {
                problems.add(e.getMessage());
            }
        }
        assertNone(problems);
    }

    @Test
    void shouldUseOnlyConfigKeysTheServerDeclares() throws IOException {
        Set<String> keys = serverKeys();
        Map<String, String> keyOfEnv = keys.stream().collect(Collectors.toMap(DeployFilesTest::envName, k -> k));
        List<String> problems = new ArrayList<>();
        for (Path file : files("")) {
            String text = Files.readString(file);
            Matcher env = SERVER_ENV.matcher(text);
            while (env.find()) {
                if (!keyOfEnv.containsKey(env.group())) {
                    problems.add(name(file) + ": " + env.group() + " is the environment name of no key in SluiceConfig (known: "
                            + new TreeSet<>(keyOfEnv.keySet()) + ")");
                }
            }
            Matcher property = SYSTEM_PROPERTY.matcher(text);
            while (property.find()) {
                checkServerKey(name(file), property.group(1), keys, problems);
            }
        }
        for (Path file : files(".properties", ".env")) {
            for (String key : properties(file).stringPropertyNames()) {
                checkServerKey(name(file), key, keys, problems);
            }
        }
        for (Path file : files(".yaml", ".yml")) {
            for (JsonNode doc : yaml(file)) {
                if ("ConfigMap".equals(doc.path("kind").asText())) {
                    doc.path("data").fieldNames().forEachRemaining(key -> checkServerKey(name(file), key, keys, problems));
                }
            }
            embeddedProperties(file).forEach((where, props) -> props.stringPropertyNames().forEach(key -> checkServerKey(where, key, keys, problems)));
        }
        assertNone(problems);
    }

    @Test
    void shouldProbeHealthAndServeOnTheServersHttpPort() throws IOException {
        int port = Integer.parseInt(applicationProperty("quarkus.http.port"));
        String metricsPath = applicationProperty("quarkus.micrometer.export.prometheus.path");
        List<String> problems = new ArrayList<>();
        JsonNode deployment = deploymentWithImage(SERVER_IMAGE);
        String file = name(K8S_BASE) + "/" + deployment.path("metadata").path("name").asText() + " Deployment";
        JsonNode container = containerWithImage(deployment, SERVER_IMAGE);
        Map<String, Integer> ports = containerPorts(container);
        expect(problems, file, "containerPort", ports.values().stream().toList(), List.of(port));
        expect(problems, file, "livenessProbe path", container.path("livenessProbe").path("httpGet").path("path").asText(), "/q/health/live");
        expect(problems, file, "readinessProbe path", container.path("readinessProbe").path("httpGet").path("path").asText(), "/q/health/ready");
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            JsonNode httpGet = container.path(probe).path("httpGet");
            if (!httpGet.isMissingNode()) {
                expect(problems, file, probe + " port", resolvePort(httpGet.path("port"), ports), port);
            }
        }
        JsonNode annotations = deployment.path("spec").path("template").path("metadata").path("annotations");
        expect(problems, file, "prometheus.io/scrape", annotations.path("prometheus.io/scrape").asText(), "true");
        expect(problems, file, "prometheus.io/path", annotations.path("prometheus.io/path").asText(), metricsPath);
        expect(problems, file, "prometheus.io/port", annotations.path("prometheus.io/port").asText(), String.valueOf(port));
        JsonNode service = service("sluice");
        expect(problems, "kubernetes Service sluice", "port", service.path("spec").path("ports").path(0).path("port").asInt(), port);
        expect(problems, "kubernetes Service sluice", "targetPort", resolvePort(service.path("spec").path("ports").path(0).path("targetPort"), ports), port);

        JsonNode compose = composeService("sluice");
        if (!composePorts(compose).contains(port)) {
            problems.add(name(COMPOSE) + ": service sluice publishes " + composePorts(compose) + ", not quarkus.http.port " + port);
        }
        if (!compose.path("healthcheck").toString().contains("/q/health/ready")) {
            problems.add(name(COMPOSE) + ": service sluice: healthcheck should ask /q/health/ready");
        }
        assertNone(problems);
    }

    @Test
    void shouldPointEveryRegistryUrlAtTheServersRegistry() throws IOException {
        int port = Integer.parseInt(applicationProperty("quarkus.http.port"));
        List<String> problems = new ArrayList<>();
        Map<String, Map<String, String>> configs = workerAndConnectorConfigs();
        configs.forEach((file, config) -> {
            for (String side : List.of("key.converter.", "value.converter.")) {
                String key = side + SluiceAvroConverter.URL;
                String url = config.get(key);
                if (url == null) {
                    problems.add(file + ": " + key + " is missing");
                    continue;
                }
                URI uri = URI.create(url);
                if (!uri.getPath().endsWith("/registry") || !"sluice".equals(uri.getHost()) || uri.getPort() != port) {
                    problems.add(file + ": " + key + "=" + url + " should be http://sluice:" + port + "/registry (the server's service and quarkus.http.port)");
                }
            }
        });
        assertThat(configs).as("worker and connector configurations").hasSizeGreaterThanOrEqualTo(5);
        assertNone(problems);
    }

    @Test
    void shouldConfigureTheSluiceConverterWithItsOwnKeys() throws IOException {
        List<String> problems = new ArrayList<>();
        workerAndConnectorConfigs().forEach((file, config) -> {
            for (String side : List.of("key.converter", "value.converter")) {
                if (!CONVERTER.equals(config.get(side))) {
                    problems.add(file + ": " + side + " is " + config.get(side) + ", expected " + CONVERTER);
                    continue;
                }
                Map<String, String> own = withPrefix(config, side + ".");
                own.keySet().stream().filter(k -> !SluiceAvroConverter.CONFIG.configKeys().containsKey(k))
                        .forEach(k -> problems.add(file + ": " + side + "." + k + " is no key of SluiceAvroConverter.CONFIG"));
                try {
                    SluiceAvroConverter.CONFIG.parse(own);
                } catch (ConfigException e) {
                    problems.add(file + ": " + side + ".*: " + e.getMessage());
                }
            }
        });
        assertNone(problems);
    }

    @Test
    void shouldNameOnlyKnownConnectorClasses() throws IOException {
        List<String> problems = new ArrayList<>();
        Map<String, Map<String, String>> connectors = connectorConfigs();
        connectors.forEach((file, config) -> {
            String type = config.get("connector.class");
            if (!SOURCE_CONNECTORS.contains(type) && !SINK_CONNECTORS.contains(type)) {
                problems.add(file + ": connector.class=" + type + " is none of " + new TreeSet<>(SOURCE_CONNECTORS) + " " + new TreeSet<>(SINK_CONNECTORS));
            }
        });
        assertNone(problems);
        Set<String> used = connectors.values().stream().map(c -> c.get("connector.class")).collect(Collectors.toSet());
        assertThat(used).as("connector classes of deploy/connect/*.json").containsAll(SOURCE_CONNECTORS).containsAll(SINK_CONNECTORS);
    }

    @Test
    void shouldUseOnlyKeysTheSluiceSinkConnectorsDeclare() throws Exception {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> e : connectorConfigs(SINK_CONNECTORS).entrySet()) {
            checkConnectorKeys(e.getKey(), e.getValue(), SinkConnectorConfig.configDef(), CONNECT_PREFIXES,
                    List.of("topics.regex", "errors.tolerance", "errors.deadletterqueue.topic.name"), problems);
            expect(problems, e.getKey(), "errors.tolerance", e.getValue().get("errors.tolerance"), "all");
        }
        assertNone(problems);
    }

    @Test
    void shouldUseOnlyDebeziumKeysOrItsPassThroughPrefixes() throws Exception {
        List<String> required = List.of("database.server.id", "topic.prefix", "database.include.list", "table.include.list",
                "schema.history.internal.kafka.bootstrap.servers", "schema.history.internal.kafka.topic", "signal.data.collection",
                "signal.kafka.topic", "signal.kafka.bootstrap.servers", "snapshot.mode");
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> e : connectorConfigs(SOURCE_CONNECTORS).entrySet()) {
            checkConnectorKeys(e.getKey(), e.getValue(), SourceConnectorConfig.configDef(), DEBEZIUM_PREFIXES, required, problems);
            expect(problems, e.getKey(), "signal.enabled.channels", e.getValue().get("signal.enabled.channels"), "source,kafka");
            expect(problems, e.getKey(), "tombstones.on.delete", e.getValue().get("tombstones.on.delete"), "true");
        }
        assertNone(problems);
    }

    @Test
    void shouldRouteEveryCapturedTableToASinkButNeverTheSignalTable() throws IOException {
        String bootstrap = workerConfig().get("bootstrap.servers");
        List<String> problems = new ArrayList<>();
        Set<String> dataTopics = new TreeSet<>();
        Set<String> otherTopics = new TreeSet<>();
        Map<String, String> seen = new HashMap<>();
        for (Map.Entry<String, Map<String, String>> e : connectorConfigs(SOURCE_CONNECTORS).entrySet()) {
            String file = e.getKey();
            Map<String, String> config = e.getValue();
            String prefix = config.get("topic.prefix");
            String signal = config.get("signal.data.collection");
            List<String> tables = list(config.get("table.include.list"));
            List<String> databases = list(config.get("database.include.list"));
            if (!tables.contains(signal)) {
                problems.add(file + ": signal.data.collection " + signal + " is not in table.include.list (Debezium reads signals only from a captured table)");
            }
            tables.stream().filter(t -> !databases.contains(t.substring(0, t.indexOf('.'))))
                    .forEach(t -> problems.add(file + ": table " + t + " is outside database.include.list " + databases));
            tables.stream().filter(t -> !t.equals(signal)).forEach(t -> dataTopics.add(prefix + "." + t));
            otherTopics.addAll(List.of(prefix, prefix + "." + signal, config.get("schema.history.internal.kafka.topic"), config.get("signal.kafka.topic")));
            for (String key : List.of("topic.prefix", "database.server.id", "schema.history.internal.kafka.topic", "signal.kafka.topic")) {
                String other = seen.put(key + "=" + config.get(key), file);
                if (other != null) {
                    problems.add(file + ": " + key + "=" + config.get(key) + " is also " + other + "'s: it must differ per source");
                }
            }
            for (String key : List.of("schema.history.internal.kafka.bootstrap.servers", "signal.kafka.bootstrap.servers")) {
                expect(problems, file, key, config.get(key), bootstrap);
            }
        }
        Set<String> routed = new TreeSet<>();
        for (Map.Entry<String, Map<String, String>> e : connectorConfigs(SINK_CONNECTORS).entrySet()) {
            String file = e.getKey();
            Pattern topics = Pattern.compile(e.getValue().get("topics.regex"));
            List<String> matched = dataTopics.stream().filter(t -> topics.matcher(t).matches()).toList();
            if (matched.isEmpty()) {
                problems.add(file + ": topics.regex " + topics + " matches none of the source examples' tables " + dataTopics);
            }
            routed.addAll(matched);
            otherTopics.stream().filter(t -> topics.matcher(t).matches())
                    .forEach(t -> problems.add(file + ": topics.regex " + topics + " matches " + t + ", which holds no table's rows"));
            otherTopics.add(e.getValue().get("errors.deadletterqueue.topic.name"));
        }
        dataTopics.stream().filter(t -> !routed.contains(t)).forEach(t -> problems.add("deploy/connect: no sink example reads topic " + t));
        assertNone(problems);
    }

    @Test
    void shouldConfigureTheWorkerWithKeysKafkaConnectKnows() throws IOException {
        Map<String, String> worker = workerConfig();
        String file = name(WORKER);
        List<String> problems = new ArrayList<>();
        Map<String, String> checked = new HashMap<>(worker);
        checked.keySet().removeIf(k -> k.startsWith("config.providers")); // no ${file:...} resolution here
        try {
            Set<String> known = new DistributedConfig(checked).values().keySet();
            checked.keySet().stream().filter(k -> !known.contains(k) && WORKER_PREFIXES.stream().noneMatch(k::startsWith))
                    .forEach(k -> problems.add(file + ": " + k + " is no key of Kafka Connect's distributed worker"));
        } catch (ConfigException e) {
            problems.add(file + ": " + e.getMessage());
        }
        for (String provider : list(worker.getOrDefault("config.providers", ""))) {
            String key = "config.providers." + provider + ".class";
            try {
                Class.forName(worker.getOrDefault(key, "(missing)"));
            } catch (ClassNotFoundException e) {
                problems.add(file + ": " + key + "=" + worker.get(key) + " is no class on Connect's classpath");
            }
        }
        expect(problems, file, "config.providers.file.class", worker.get("config.providers.file.class"),
                "org.apache.kafka.common.config.provider.FileConfigProvider");
        expect(problems, file, "plugin.path", worker.get("plugin.path"), "/opt/connect/plugins");
        expect(problems, file, "connector.client.config.override.policy", worker.get("connector.client.config.override.policy"), "All");
        expect(problems, file, "listeners port", URI.create(worker.get("listeners")).getPort(), 8083);
        for (String key : List.of("bootstrap.servers", "group.id", "config.storage.topic", "config.storage.replication.factor", "offset.storage.topic",
                "offset.storage.replication.factor", "offset.storage.partitions", "status.storage.topic", "status.storage.replication.factor",
                "status.storage.partitions", "offset.flush.interval.ms")) {
            if (!worker.containsKey(key)) {
                problems.add(file + ": " + key + " is missing");
            }
        }
        assertNone(problems);
    }

    @Test
    void shouldShipTheSameWorkerConfigurationInTheImageAndTheConfigMap() throws IOException {
        Map<String, String> worker = workerConfig();
        String pluginPath = worker.get("plugin.path");
        List<String> problems = new ArrayList<>();
        Map<String, Properties> embedded = embeddedProperties(K8S_BASE.resolve("connect-configmap.yaml"));
        assertThat(embedded).as("worker.properties in " + name(K8S_BASE.resolve("connect-configmap.yaml"))).hasSize(1);
        Map<String, String> copy = map(embedded.values().iterator().next());
        Set<String> keys = new TreeSet<>(worker.keySet());
        keys.addAll(copy.keySet());
        keys.stream().filter(k -> !Objects.equals(worker.get(k), copy.get(k)))
                .forEach(k -> problems.add(name(K8S_BASE.resolve("connect-configmap.yaml")) + ": " + k + "=" + copy.get(k) + " but "
                        + name(WORKER) + " has " + worker.get(k)));

        String dockerfile = Files.readString(CONNECT.resolve("Dockerfile"));
        if (!dockerfile.contains("deploy/connect/worker.properties") || !dockerfile.contains(pluginPath)) {
            problems.add(name(CONNECT.resolve("Dockerfile")) + ": should copy deploy/connect/worker.properties and install into plugin.path " + pluginPath);
        }
        if (!Files.readString(CONNECT.resolve("install-plugin.sh")).contains("=" + pluginPath + "\n")) {
            problems.add(name(CONNECT.resolve("install-plugin.sh")) + ": its default plugin dir should be plugin.path " + pluginPath);
        }
        JsonNode deployment = deploymentWithImage(CONNECT_IMAGE);
        JsonNode container = containerWithImage(deployment, CONNECT_IMAGE);
        int listener = URI.create(worker.get("listeners")).getPort();
        expect(problems, "kubernetes " + CONNECT_IMAGE + " Deployment", "containerPort", containerPorts(container).values().stream().toList(), List.of(listener));
        expect(problems, "kubernetes Service sluice-connect", "port", service("sluice-connect").path("spec").path("ports").path(0).path("port").asInt(), listener);
        String configPath = container.path("args").path(0).asText();
        Set<String> mounts = mountPaths(container);
        if (!mounts.contains(configPath.substring(0, configPath.lastIndexOf('/')))) {
            problems.add("kubernetes " + CONNECT_IMAGE + " Deployment: the worker configuration " + configPath + " is not under a mounted ConfigMap " + mounts);
        }
        assertNone(problems);
    }

    @Test
    void shouldMountTheSecretFilesTheConfigurationsReferTo() throws IOException {
        Set<String> directories = new TreeSet<>();
        workerAndConnectorConfigs().forEach((file, config) -> config.values().forEach(value -> {
            Matcher m = FILE_REFERENCE.matcher(value);
            while (m.find()) {
                directories.add(m.group(1).substring(0, m.group(1).lastIndexOf('/')));
            }
        }));
        assertThat(directories).as("directories of ${file:...} references").isNotEmpty();
        List<String> problems = new ArrayList<>();
        Set<String> k8s = mountPaths(containerWithImage(deploymentWithImage(CONNECT_IMAGE), CONNECT_IMAGE));
        Set<String> compose = composeMountTargets(composeService("connect"));
        for (String directory : directories) {
            if (!k8s.contains(directory)) {
                problems.add("kubernetes " + CONNECT_IMAGE + " Deployment: mounts " + k8s + ", not " + directory + " that ${file:...} references read");
            }
            if (!compose.contains(directory)) {
                problems.add(name(COMPOSE) + ": service connect mounts " + compose + ", not " + directory + " that ${file:...} references read");
            }
        }
        assertNone(problems);
    }

    @Test
    void shouldKeepTheDataDirectoryOnAVolume() throws IOException {
        List<String> problems = new ArrayList<>();
        String env = envName("sluice.data-dir");

        JsonNode deployment = deploymentWithImage(SERVER_IMAGE);
        String k8sDir = configMap("sluice-config").path("data").path(env).asText(null);
        String claimVolume = null;
        for (JsonNode volume : deployment.path("spec").path("template").path("spec").path("volumes")) {
            if (volume.has("persistentVolumeClaim")) {
                claimVolume = volume.path("name").asText();
            }
        }
        String mounted = null;
        for (JsonNode mount : containerWithImage(deployment, SERVER_IMAGE).path("volumeMounts")) {
            if (mount.path("name").asText().equals(claimVolume)) {
                mounted = mount.path("mountPath").asText();
            }
        }
        expect(problems, "kubernetes sluice-config ConfigMap", env + " (mountPath of the PersistentVolumeClaim)", k8sDir, mounted);

        JsonNode compose = composeService("sluice");
        String composeDir = composeEnvironment(compose).get(env);
        if (composeDir == null || !composeMountTargets(compose).contains(composeDir)) {
            problems.add(name(COMPOSE) + ": service sluice: " + env + "=" + composeDir + " is not a mounted volume " + composeMountTargets(compose));
        }

        Path unit = DEPLOY.resolve("systemd/sluice.service");
        String systemdDir = map(properties(DEPLOY.resolve("systemd/sluice.env"))).get(env);
        List<String> writable = Files.readAllLines(unit).stream().filter(l -> l.startsWith("ReadWritePaths="))
                .flatMap(l -> Arrays.stream(l.substring("ReadWritePaths=".length()).trim().split("\\s+"))).toList();
        if (!writable.contains(systemdDir)) {
            problems.add(name(unit) + ": ReadWritePaths " + writable + " should hold " + env + "=" + systemdDir + " of sluice.env");
        }
        assertNone(problems);
    }

    @Test
    void shouldNameThePluginArchiveAfterTheRootPomVersion() throws Exception {
        String version = rootPomVersion();
        String archive = PLUGIN + version;
        List<String> problems = new ArrayList<>();
        for (Path file : files("")) {
            String text = Files.readString(file);
            Matcher named = PLUGIN_VERSION.matcher(text);
            while (named.find()) {
                if (!named.group(1).equals(version)) {
                    problems.add(name(file) + ": " + PLUGIN + named.group(1) + " should be " + archive + " (version of the root pom.xml)");
                }
            }
            Matcher image = IMAGE_TAG.matcher(text);
            while (image.find()) {
                if (!image.group(2).equals(version)) {
                    problems.add(name(file) + ": image " + image.group() + " should be tagged " + version + " (version of the root pom.xml)");
                }
            }
        }
        for (Path file : files(".yaml")) {
            for (JsonNode doc : yaml(file)) {
                for (JsonNode image : doc.path("images")) {
                    if (image.path("name").asText().startsWith("sluice-") && !image.path("newTag").asText().equals(version)) {
                        problems.add(name(file) + ": images " + image.path("name").asText() + " newTag " + image.path("newTag").asText()
                                + " should be " + version + " (version of the root pom.xml)");
                    }
                }
            }
        }
        String script = Files.readString(CONNECT.resolve("install-plugin.sh"));
        if (!script.contains(PLUGIN.substring(0, PLUGIN.length() - 1)) || !script.contains("pom.xml")) {
            problems.add(name(CONNECT.resolve("install-plugin.sh")) + ": should name " + PLUGIN + "<version>.zip with the version of the root pom.xml");
        }
        List<Path> mustName = new ArrayList<>(List.of(CONNECT.resolve("Dockerfile"), COMPOSE));
        mustName.add(files(".yaml").stream().filter(f -> f.startsWith(K8S_BASE)).filter(f -> read(f).contains(archive)).findFirst()
                .orElse(K8S_BASE.resolve("(any file)")));
        for (Path file : mustName) {
            if (!Files.exists(file) || !Files.readString(file).contains(archive + (file.endsWith("Dockerfile") ? ".zip" : ""))) {
                problems.add(name(file) + ": should name the plugin archive " + archive + ".zip");
            }
        }
        assertNone(problems);
    }

    /**
     * The script run from a copy of the repository that holds only it and the root pom, so that no archive a build
     * left in {@code connect-plugin/target} decides what is checked: the default archive is always missing there.
     */
    @Test
    void shouldAskForTheBuildWhenThePluginArchiveIsMissing(@TempDir Path repo) throws Exception {
        String version = rootPomVersion();
        Path script = Files.createDirectories(repo.resolve("deploy/connect")).resolve("install-plugin.sh");
        Files.copy(CONNECT.resolve("install-plugin.sh"), script);
        Files.copy(REPO.resolve("pom.xml"), repo.resolve("pom.xml"));
        Result result = run(List.of("bash", script.toString()));
        assertThat(result.exit()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains(repo.toAbsolutePath() + "/connect-plugin/target/" + PLUGIN + version + ".zip",
                "mvn -pl connect-plugin -am package -DskipTests");
    }

    @Test
    void shouldInstallThePluginArchiveReplacingAnOlderCopy(@TempDir Path temp) throws Exception {
        Assumptions.assumeTrue(Stream.of("/usr/bin/unzip", "/bin/unzip").anyMatch(p -> Files.isExecutable(Path.of(p))), "unzip is not installed");
        String top = PLUGIN + rootPomVersion();
        Path zip = temp.resolve(top + ".zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (String entry : List.of(top + "/manifest.json", top + "/lib/sluice-sync-sinks.jar", top + "/doc/README.md")) {
                out.putNextEntry(new ZipEntry(entry));
                out.write("x".getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        Path plugins = temp.resolve("plugins");
        Files.createDirectories(plugins.resolve(PLUGIN + "0.0.1/lib"));
        Files.createDirectories(plugins.resolve("debezium-connector-mysql"));

        Result result = run(List.of("bash", CONNECT.resolve("install-plugin.sh").toString(), zip.toString(), plugins.toString()));

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("removed " + plugins.resolve(PLUGIN + "0.0.1"), "installed " + top + ".zip");
        try (Stream<Path> left = Files.list(plugins)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(top, "debezium-connector-mysql");
        }
        assertThat(plugins.resolve(top + "/lib/sluice-sync-sinks.jar")).exists();
    }

    @Test
    void shouldWireComposeServicesOnThePortsTheOtherFilesUse() throws Exception {
        Map<String, String> worker = workerConfig();
        Map<String, Map<String, String>> connectors = connectorConfigs();
        JsonNode services = yaml(COMPOSE).get(0).path("services");
        List<String> problems = new ArrayList<>();
        for (String service : List.of("mysql", "kafka", "connect", "sluice", "redis", "opensearch")) {
            if (!services.has(service)) {
                problems.add(name(COMPOSE) + ": service " + service + " is missing");
            }
        }
        assertNone(problems);

        for (String server : list(worker.get("bootstrap.servers"))) {
            URI uri = URI.create("kafka://" + server);
            String advertised = composeEnvironment(services.path(uri.getHost())).getOrDefault("KAFKA_ADVERTISED_LISTENERS", "");
            if (!advertised.contains("//" + server)) {
                problems.add(name(COMPOSE) + ": service " + uri.getHost() + " advertises " + advertised + ", not bootstrap.servers " + server + " of " + name(WORKER));
            }
        }
        int listener = URI.create(worker.get("listeners")).getPort();
        if (!composePorts(services.path("connect")).contains(listener)) {
            problems.add(name(COMPOSE) + ": service connect publishes " + composePorts(services.path("connect")) + ", not the worker's listener " + listener);
        }
        // Where the examples that run in compose connect to (the sinks, and the sources whose database is there).
        Path secrets = COMPOSE.resolveSibling("secrets");
        Map<String, List<String>> addresses = new TreeMap<>();
        connectors.forEach((file, config) -> {
            String database = config.get("database.hostname");
            if (database == null) {
                addresses.put(file, Stream.concat(list(config.get(RedisSinkConfig.URI)).stream(), list(config.get(OpenSearchSinkConfig.URLS)).stream())
                        .map(DeployFilesTest::hostAndPort).toList());
            } else if (services.has(database)) {
                addresses.put(file, List.of(database + ":" + config.get("database.port")));
            }
        });
        expect(problems, "deploy/connect", "number of source examples whose database runs in compose",
                addresses.keySet().stream().filter(f -> connectors.get(f).containsKey("database.hostname")).count(), 1L);
        addresses.forEach((file, targets) -> {
            if (targets.isEmpty()) {
                problems.add(file + ": names no target (" + RedisSinkConfig.URI + " or " + OpenSearchSinkConfig.URLS + ")");
            }
            for (String address : targets) {
                String host = address.substring(0, address.lastIndexOf(':'));
                int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
                if (!services.has(host) || !composePorts(services.path(host)).contains(port)) {
                    problems.add(file + ": " + address + " is no service and port of " + name(COMPOSE));
                }
            }
            checkSecretFiles(file, connectors.get(file), secrets, problems);
        });
        checkSecretFiles(name(WORKER), worker, secrets, problems);
        Map<String, String> mysql = composeEnvironment(services.path("mysql"));
        expect(problems, name(secrets.resolve("mysql.properties")), "password (MYSQL_PASSWORD of compose)",
                map(properties(secrets.resolve("mysql.properties"))).get("password"), mysql.get("MYSQL_PASSWORD"));
        String admin = SluiceConfig.Admin.class.getMethod("initialUser").getAnnotation(WithDefault.class).value();
        expect(problems, name(secrets.resolve("registry.properties")), "user.info (the admin of compose's sluice service)",
                map(properties(secrets.resolve("registry.properties"))).get("user.info"),
                admin + ":" + composeEnvironment(services.path("sluice")).get(envName("sluice.admin.initial-password")));
        assertNone(problems);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The server's keys

    /** Every key of {@link SluiceConfig}, as SmallRye names them: {@code sluice.} plus kebab-cased method names. */
    static Set<String> serverKeys() {
        Set<String> keys = new TreeSet<>();
        collectKeys("sluice", SluiceConfig.class, keys);
        return keys;
    }

    private static void collectKeys(String prefix, Class<?> type, Set<String> keys) {
        for (Method method : type.getDeclaredMethods()) {
            if (method.isSynthetic() || Modifier.isStatic(method.getModifiers()) || method.getParameterCount() > 0) {
                continue;
            }
            WithName named = method.getAnnotation(WithName.class);
            String key = prefix + "." + (named != null ? named.value() : kebab(method.getName()));
            Class<?> value = method.getReturnType();
            if (value == Optional.class && method.getGenericReturnType() instanceof ParameterizedType p && p.getActualTypeArguments()[0] instanceof Class<?> c) {
                value = c;
            }
            if (value.isInterface() && value.getName().startsWith("io.sluice.")) {
                collectKeys(key, value, keys);
            } else {
                keys.add(key);
            }
        }
    }

    private static String kebab(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** SmallRye's environment name of a key: upper case, every character but letters and digits an underscore. */
    private static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    private static void checkServerKey(String where, String key, Set<String> keys, List<String> problems) {
        if (key.startsWith("sluice.") && !keys.contains(key)) {
            problems.add(where + ": " + key + " is no key of SluiceConfig (known: " + keys + ")");
        }
    }

    private static String applicationProperty(String key) throws IOException {
        Properties props = new Properties();
        try (var in = Files.newBufferedReader(APPLICATION_PROPERTIES)) {
            props.load(in);
        }
        return Optional.ofNullable(props.getProperty(key)).orElseThrow(() -> new AssertionError(APPLICATION_PROPERTIES + " has no " + key));
    }

    private static String rootPomVersion() throws Exception {
        Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(REPO.resolve("pom.xml").toFile()).getDocumentElement();
        for (Node child = project.getFirstChild(); child != null; child = child.getNextSibling()) {
            if ("version".equals(child.getNodeName())) {
                return child.getTextContent().trim();
            }
        }
        throw new AssertionError("the root pom.xml has no <version>");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Connect

    private static Map<String, String> workerConfig() {
        return map(properties(WORKER));
    }

    /** The example connector configurations, by file, in the form Connect's {@code PUT /connectors/<name>/config} takes. */
    private static Map<String, Map<String, String>> connectorConfigs() throws IOException {
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (Path file : files(".json")) {
            if (file.startsWith(CONNECT)) {
                out.put(name(file), connectorConfig(file));
            }
        }
        return out;
    }

    private static Map<String, Map<String, String>> connectorConfigs(Set<String> classes) throws IOException {
        Map<String, Map<String, String>> out = new TreeMap<>(connectorConfigs());
        out.values().removeIf(c -> !classes.contains(c.get("connector.class")));
        assertThat(out).as("examples of " + classes).isNotEmpty();
        return out;
    }

    private static Map<String, Map<String, String>> workerAndConnectorConfigs() throws IOException {
        Map<String, Map<String, String>> out = new TreeMap<>(connectorConfigs());
        out.put(name(WORKER), workerConfig());
        return out;
    }

    private static Connector connector(String type) throws ReflectiveOperationException {
        return (Connector) Class.forName(type).getDeclaredConstructor().newInstance();
    }

    /**
     * Every key of a connector configuration is the connector's own (then its {@link ConfigDef} must parse it), one
     * of Connect's for every connector of its kind, or under a prefix that is handed on to something else.
     */
    private static void checkConnectorKeys(String file, Map<String, String> config, ConfigDef connect, List<String> prefixes, List<String> required,
            List<String> problems) throws ReflectiveOperationException {
        String type = config.get("connector.class");
        ConfigDef definition = connector(type).config();
        Map<String, String> own = new HashMap<>();
        config.forEach((key, value) -> {
            if (definition.configKeys().containsKey(key)) {
                own.put(key, value);
            } else if (!connect.configKeys().containsKey(key) && prefixes.stream().noneMatch(key::startsWith)) {
                problems.add(file + ": " + key + " is neither a key of " + simpleName(type) + ".config() nor one of Connect's, nor under " + prefixes);
            }
        });
        try {
            definition.parse(own);
        } catch (ConfigException e) {
            problems.add(file + ": " + e.getMessage());
        }
        required.stream().filter(k -> !config.containsKey(k)).forEach(k -> problems.add(file + ": " + k + " is missing"));
    }

    private static String hostAndPort(String url) {
        URI uri = URI.create(url.trim());
        return uri.getHost() + ":" + uri.getPort();
    }

    private static void checkSecretFiles(String file, Map<String, String> config, Path secrets, List<String> problems) {
        config.forEach((key, value) -> {
            Matcher m = FILE_REFERENCE.matcher(value);
            while (m.find()) {
                Path secret = secrets.resolve(Path.of(m.group(1)).getFileName().toString());
                if (!Files.exists(secret) || !properties(secret).containsKey(m.group(2))) {
                    problems.add(file + ": " + key + " reads " + m.group(2) + " of " + m.group(1) + ", which " + name(secret) + " (compose's secrets) lacks");
                }
            }
        });
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Kubernetes and compose

    private static List<JsonNode> k8sBase() throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        for (Path file : files(".yaml")) {
            if (file.startsWith(K8S_BASE)) {
                docs.addAll(yaml(file));
            }
        }
        return docs;
    }

    private static JsonNode ofKind(String kind, String name) throws IOException {
        return k8sBase().stream().filter(d -> kind.equals(d.path("kind").asText()) && name.equals(d.path("metadata").path("name").asText())).findFirst()
                .orElseThrow(() -> new AssertionError(name(K8S_BASE) + ": no " + kind + " " + name));
    }

    private static JsonNode service(String name) throws IOException {
        return ofKind("Service", name);
    }

    private static JsonNode configMap(String name) throws IOException {
        return ofKind("ConfigMap", name);
    }

    private static JsonNode deploymentWithImage(String image) throws IOException {
        return k8sBase().stream().filter(d -> "Deployment".equals(d.path("kind").asText()))
                .filter(d -> containerWithImageOrNull(d, image) != null).findFirst()
                .orElseThrow(() -> new AssertionError(name(K8S_BASE) + ": no Deployment runs image " + image));
    }

    private static JsonNode containerWithImage(JsonNode deployment, String image) {
        return Optional.ofNullable(containerWithImageOrNull(deployment, image)).orElseThrow();
    }

    private static JsonNode containerWithImageOrNull(JsonNode deployment, String image) {
        for (JsonNode container : deployment.path("spec").path("template").path("spec").path("containers")) {
            if (container.path("image").asText().startsWith(image + ":")) {
                return container;
            }
        }
        return null;
    }

    private static Map<String, Integer> containerPorts(JsonNode container) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (JsonNode port : container.path("ports")) {
            ports.put(port.path("name").asText(String.valueOf(port.path("containerPort").asInt())), port.path("containerPort").asInt());
        }
        return ports;
    }

    private static int resolvePort(JsonNode port, Map<String, Integer> named) {
        return port.isInt() ? port.asInt() : named.getOrDefault(port.asText(), -1);
    }

    private static Set<String> mountPaths(JsonNode container) {
        Set<String> out = new TreeSet<>();
        container.path("volumeMounts").forEach(m -> out.add(m.path("mountPath").asText()));
        return out;
    }

    private static JsonNode composeService(String name) throws IOException {
        JsonNode service = yaml(COMPOSE).get(0).path("services").path(name);
        if (service.isMissingNode()) {
            throw new AssertionError(name(COMPOSE) + ": no service " + name);
        }
        return service;
    }

    /** The container side of a compose service's published ports. */
    private static Set<Integer> composePorts(JsonNode service) {
        Set<Integer> out = new TreeSet<>();
        for (JsonNode port : service.path("ports")) {
            String text = port.asText();
            out.add(Integer.parseInt(text.substring(text.lastIndexOf(':') + 1).replaceAll("/.*", "")));
        }
        return out;
    }

    private static Map<String, String> composeEnvironment(JsonNode service) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode env = service.path("environment");
        if (env.isArray()) {
            env.forEach(e -> out.put(e.asText().replaceAll("=.*", ""), e.asText().contains("=") ? e.asText().substring(e.asText().indexOf('=') + 1) : ""));
        } else {
            env.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        }
        return out;
    }

    private static Set<String> composeMountTargets(JsonNode service) {
        Set<String> out = new TreeSet<>();
        for (JsonNode volume : service.path("volumes")) {
            String[] parts = volume.isTextual() ? volume.asText().split(":") : new String[] {"", volume.path("target").asText()};
            out.add(parts[1]);
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Files

    private static List<Path> files(String... endings) throws IOException {
        try (Stream<Path> walk = Files.walk(DEPLOY)) {
            return walk.filter(Files::isRegularFile).filter(f -> Arrays.stream(endings).anyMatch(e -> f.getFileName().toString().endsWith(e)))
                    .sorted().toList();
        }
    }

    private static String name(Path file) {
        return REPO.relativize(file).toString();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new AssertionError(name(file) + ": " + e, e);
        }
    }

    private static List<JsonNode> yaml(Path file) {
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            return docs.readAll().stream().filter(d -> d != null && !d.isNull() && !d.isMissingNode()).toList();
        } catch (IOException | RuntimeException e) {
            throw new AssertionError(name(file) + ": not valid YAML: " + e.getMessage(), e);
        }
    }

    /** The {@code *.properties} entries of a YAML file's ConfigMaps, parsed, by "file: ConfigMap name/key". */
    private static Map<String, Properties> embeddedProperties(Path file) {
        Map<String, Properties> out = new TreeMap<>();
        for (JsonNode doc : yaml(file)) {
            if ("ConfigMap".equals(doc.path("kind").asText())) {
                Iterator<Map.Entry<String, JsonNode>> data = doc.path("data").fields();
                while (data.hasNext()) {
                    Map.Entry<String, JsonNode> entry = data.next();
                    if (entry.getKey().endsWith(".properties")) {
                        String where = name(file) + ": ConfigMap " + doc.path("metadata").path("name").asText() + "/" + entry.getKey();
                        out.put(where, properties(where, entry.getValue().asText()));
                    }
                }
            }
        }
        return out;
    }

    private static Map<String, String> connectorConfig(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new AssertionError(name(file) + ": not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new AssertionError(name(file) + ": expected one JSON object of connector keys (PUT /connectors/<name>/config)");
        }
        Map<String, String> out = new TreeMap<>();
        root.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) {
                throw new AssertionError(name(file) + ": " + e.getKey() + " is a JSON " + e.getValue().getNodeType() + "; Connect's REST API takes strings");
            }
            out.put(e.getKey(), e.getValue().asText());
        });
        return out;
    }

    private static Properties properties(Path file) {
        return properties(name(file), read(file));
    }

    /** Parses properties more strictly than {@link Properties#load}: every entry is {@code key=value}, no key twice. */
    private static Properties properties(String where, String text) {
        Set<String> keys = new TreeSet<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            int number = i + 1;
            while (line.endsWith("\\") && i + 1 < lines.length) {
                line = line.substring(0, line.length() - 1) + lines[++i].strip();
            }
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("!")) {
                continue;
            }
            Matcher entry = Pattern.compile("([A-Za-z0-9_.-]+)\\s*=.*").matcher(line);
            if (!entry.matches()) {
                throw new AssertionError(where + ": line " + number + " is not key=value: " + line);
            }
            if (!keys.add(entry.group(1))) {
                throw new AssertionError(where + ": line " + number + ": " + entry.group(1) + " is set twice");
            }
        }
        Properties props = new Properties();
        try {
            props.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw new AssertionError(where + ": not a properties file: " + e.getMessage(), e);
        }
        return props;
    }

    private static Map<String, String> map(Properties props) {
        Map<String, String> out = new TreeMap<>();
        props.stringPropertyNames().forEach(k -> out.put(k, props.getProperty(k)));
        return out;
    }

    private static Map<String, String> withPrefix(Map<String, String> config, String prefix) {
        Map<String, String> out = new TreeMap<>();
        config.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    private static List<String> list(String text) {
        return text == null || text.isBlank() ? List.of() : Arrays.stream(text.split(",")).map(String::trim).toList();
    }

    private static String simpleName(String type) {
        return type.substring(type.lastIndexOf('.') + 1);
    }

    private static void expect(List<String> problems, String file, String what, Object actual, Object expected) {
        if (!Objects.equals(actual, expected)) {
            problems.add(file + ": " + what + " is " + actual + ", expected " + expected);
        }
    }

    private static void assertNone(List<String> problems) {
        if (!problems.isEmpty()) {
            fail(problems.size() + " problem(s):\n  " + String.join("\n  ", problems));
        }
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not end in 30 s: " + output);
        }
        return new Result(process.exitValue(), output);
    }
}
