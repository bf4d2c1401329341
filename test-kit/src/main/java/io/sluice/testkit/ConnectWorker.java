package io.sluice.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.embedded.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.StreamSupport;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A real Kafka Connect worker in distributed mode ({@code ConnectDistributed}) in a JVM of its own, on Kafka's jars
 * only: Sluice's converter and connectors and Debezium's connector reach it through {@code plugin.path}, from the
 * archives the build made, as on a production worker. A test can kill it (SIGKILL) and start another one in the
 * same group.
 *
 * <p>The {@code connect-plugin} module's build leaves what it needs in its {@code target} folder: the classpath of a
 * worker ({@code connect-worker.classpath}), Debezium's MariaDB plugin ({@code plugins/}) and Sluice's archive, which
 * {@link #pluginPath} unzips beside it.
 */
public final class ConnectWorker implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    public static final ObjectMapper JSON = new ObjectMapper();

    private final Path home;
    private final Path classpath;
    private final int port;
    private final Properties worker = new Properties();
    private Process process;

    /**
     * @param bootstrap the Kafka cluster
     * @param build the {@code connect-plugin} module's {@code target} folder, after {@link #pluginPath}
     * @param group the worker group; workers of one group share connectors, configs and offsets
     * @param home where its properties and log go
     */
    public ConnectWorker(String bootstrap, Path build, String group, Path home) {
        this.home = home;
        this.classpath = build.resolve("connect-worker.classpath");
        Path pluginPath = build.resolve("plugins");
        this.port = FreePorts.next();
        worker.putAll(Map.of("bootstrap.servers", bootstrap, "group.id", group, "plugin.path", pluginPath.toAbsolutePath().toString(),
                "config.storage.topic", group + "-configs", "offset.storage.topic", group + "-offsets", "status.storage.topic", group + "-status",
                "config.storage.replication.factor", "1", "offset.storage.replication.factor", "1", "status.storage.replication.factor", "1",
                "listeners", "http://127.0.0.1:" + port));
        worker.putAll(Map.of("key.converter", "org.apache.kafka.connect.json.JsonConverter",
                "value.converter", "org.apache.kafka.connect.json.JsonConverter", "offset.flush.interval.ms", "1000",
                // service manifests only, as Kafka recommends: proves the plugins declare their classes
                "plugin.discovery", "service_load", "scheduled.rebalance.max.delay.ms", "3000"));
    }

    /**
     * Unzips Sluice's plugin archive into {@code <build>/plugins}, beside Debezium's plugin, replacing an older copy.
     *
     * @param build the {@code connect-plugin} module's {@code target} folder
     * @param version the project version, which names the archive
     * @return the plugin path
     */
    public static Path pluginPath(Path build, String version) throws IOException {
        Path plugins = build.resolve("plugins").toAbsolutePath().normalize();
        Path zip = build.resolve("sluice-connect-plugin-" + version + ".zip");
        if (!Files.exists(zip)) {
            throw new IllegalStateException(zip + " is missing: build the connect-plugin module (mvn -pl connect-plugin -am package)");
        }
        if (!Files.isDirectory(plugins.resolve("debezium-connector-mariadb"))) {
            throw new IllegalStateException("Debezium's plugin is missing in " + plugins + ": the connect-plugin build unpacks it (mvn -pl"
                    + " connect-plugin -am install -DskipTests)");
        }
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                Path to = plugins.resolve(e.getName()).normalize();
                if (!to.startsWith(plugins)) {
                    throw new IOException("zip entry outside the plugin path: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(to);
                } else {
                    Files.createDirectories(to.getParent());
                    Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return plugins;
    }

    /** The worker's process id, while it runs. */
    public long pid() {
        return process.pid();
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Starts the worker and waits until its REST API answers. */
    public void start() throws IOException, InterruptedException {
        Files.createDirectories(home);
        Path props = home.resolve("worker.properties");
        try (var out = Files.newBufferedWriter(props)) {
            worker.store(out, "test worker");
        }
        if (!Files.exists(classpath)) {
            throw new IllegalStateException(classpath + " is missing: build the connect-plugin module (mvn -pl connect-plugin -am package)");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", "-cp", Files.readString(classpath).trim(),
                "org.apache.kafka.connect.cli.ConnectDistributed", props.toString()));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("worker.log").toFile()))
                .start();
        Instant deadline = Instant.now().plusSeconds(120);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the Connect worker exited with " + process.exitValue() + "; log tail:\n" + tail());
            }
            try {
                if (send("GET", "/connectors", null).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the Connect worker did not answer within 120 s; log tail:\n" + tail());
    }

    /** Kills the worker without warning (SIGKILL): no offsets committed, no rebalance announced. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor();
            process = null;
        }
    }

    /** Creates or updates a connector. */
    public void put(String name, Map<String, String> config) throws IOException, InterruptedException {
        HttpResponse<String> r = send("PUT", "/connectors/" + name + "/config", JSON.writeValueAsString(config));
        if (r.statusCode() != 200 && r.statusCode() != 201) {
            throw new AssertionError("PUT connector " + name + ": " + r.statusCode() + " " + r.body());
        }
    }

    /** The connector's status as Connect reports it, or null when it does not exist (yet). */
    public JsonNode status(String name) throws IOException, InterruptedException {
        HttpResponse<String> r = send("GET", "/connectors/" + name + "/status", null);
        return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    }

    /** Whether the connector and all its tasks run; throws with Connect's trace when a task failed. */
    public boolean running(String name) throws IOException, InterruptedException {
        JsonNode s = status(name);
        if (s == null) {
            return false;
        }
        for (JsonNode task : s.path("tasks")) {
            if ("FAILED".equals(task.path("state").asText())) {
                throw new AssertionError("task " + task.path("id").asText() + " of " + name + " failed: " + task.path("trace").asText());
            }
        }
        return "RUNNING".equals(s.path("connector").path("state").asText()) && s.path("tasks").size() > 0
                && StreamSupport.stream(s.path("tasks").spliterator(), false).allMatch(t -> "RUNNING".equals(t.path("state").asText()));
    }

    public HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public String tail() {
        try {
            List<String> lines = Files.readAllLines(home.resolve("worker.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
