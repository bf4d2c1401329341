package io.sluice.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged Sluice server ({@code quarkus-admin/target/quarkus-app/quarkus-run.jar}) in a JVM of its own, on the
 * same Java as this one, its console appended to a log file. It can be stopped, killed and started again over the
 * same data.
 *
 * <p>Lifecycle: {@link #start()} launches it and waits until it is ready ({@link #launch()} and
 * {@link #awaitReady(Duration)} do the two steps apart); {@link #stop()} stops it as a service manager would,
 * {@link #kill()} as a crash would; {@link #close()} kills it. After a stop or a kill, {@link #start()} brings it back.
 *
 * <p>Thread safety: lifecycle methods from one thread; the API calls from any.
 */
public final class ServerProcess implements AutoCloseable {
    private static final String ADMIN_PASSWORD = "sluice.admin.initial-password";
    private static final String ADMIN_PASSWORD_ENV = "SLUICE_ADMIN_INITIAL_PASSWORD";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path jar;
    private final String bind;
    private final int port;
    private final URI base;
    private final Map<String, String> properties;
    private final Map<String, String> environment;
    private final Path workingDirectory;
    private final Path log;
    private volatile Process process;

    /**
     * A server on {@code 127.0.0.1}, not started yet.
     *
     * @param jar the server's {@code quarkus-run.jar}
     * @param properties system properties of the server ({@code sluice.*}, {@code quarkus.*}); the API calls sign in
     *     as {@code admin} with {@code sluice.admin.initial-password}
     * @param log where its output goes (appended)
     */
    public ServerProcess(Path jar, int port, Map<String, String> properties, Path log) {
        this(jar, "127.0.0.1", port, properties, Map.of(), null, log);
    }

    private ServerProcess(Path jar, String bind, int port, Map<String, String> properties, Map<String, String> environment,
            Path workingDirectory, Path log) {
        this.jar = jar.toAbsolutePath();
        this.bind = bind;
        this.port = port;
        String host = bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind;
        this.base = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port);
        this.properties = Map.copyOf(properties);
        this.environment = Map.copyOf(environment);
        this.workingDirectory = workingDirectory;
        this.log = log;
    }

    /**
     * A server that keeps everything in {@code dataDir} (its working directory too), generates its encryption key
     * there, sends cookies over plain HTTP, and exits when this JVM does (a killed launcher leaves no server
     * behind). The first admin's password travels in the environment, not on the command line. Not started yet.
     *
     * @param bind the address it listens on; API calls go to {@code 127.0.0.1} when it is a wildcard
     */
    public static ServerProcess inDataDir(Path jar, String bind, int port, Path dataDir, String adminPassword, Path log) {
        Map<String, String> properties = Map.of("sluice.data-dir", dataDir.toString(), "sluice.allow-generated-key", "true",
                "sluice.secure-cookies", "false", "sluice.parent-pid", Long.toString(ProcessHandle.current().pid()));
        return new ServerProcess(jar, bind, port, properties, Map.of(ADMIN_PASSWORD_ENV, adminPassword), dataDir, log);
    }

    /**
     * The server's jar as the build leaves it, seen from the {@code quarkus-admin} module or from a sibling module
     * (whose tests run after it).
     */
    public static Path packagedJar() {
        Path own = Path.of("target", "quarkus-app", "quarkus-run.jar");
        return Files.exists(own) ? own : Path.of("..", "quarkus-admin", "target", "quarkus-app", "quarkus-run.jar");
    }

    /**
     * The properties of a server of its own: a new data directory, a random encryption key, the first
     * administrator's password, and cookies that plain HTTP may carry.
     */
    public static Map<String, String> freshProperties(String adminPassword) throws IOException {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Map.of("sluice.data-dir", Files.createTempDirectory("sluice-server-").toString(), "sluice.encryption-key",
                Base64.getEncoder().encodeToString(key), ADMIN_PASSWORD, adminPassword, "sluice.secure-cookies", "false");
    }

    /** @throws IllegalStateException if the server has not been built */
    public static void requireJar(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the server is not built: " + jar + " is missing; build it with `mvn -B -ntp install -DskipTests`");
        }
    }

    /** The server's base URI, for this machine. */
    public URI base() {
        return base;
    }

    /** {@link #base()} as text, without a trailing slash. */
    public String url() {
        return base.toString();
    }

    public Path log() {
        return log;
    }

    /**
     * The server's process id, for reading its memory use.
     *
     * @throws IllegalStateException if it is not running
     */
    public long pid() {
        return running().pid();
    }

    public boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /**
     * Launches the server and waits (90 s at most) until it is ready.
     *
     * @throws IllegalStateException if it is not built, exits, or is not ready in time (with the log's tail)
     */
    public void start() throws IOException, InterruptedException {
        launch();
        awaitReady(START_TIMEOUT);
    }

    /**
     * Launches the server without waiting for it; a running one is left alone.
     *
     * @throws IllegalStateException if it is not built
     * @throws IOException if the JVM cannot be started
     */
    public void launch() throws IOException {
        if (isAlive()) {
            return;
        }
        requireJar(jar);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m",
                "-Dquarkus.http.host=" + bind, "-Dquarkus.http.port=" + port));
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (workingDirectory != null) {
            pb.directory(workingDirectory.toFile());
        }
        pb.environment().putAll(environment);
        process = pb.start();
    }

    /**
     * Waits until {@code /q/health/ready} answers 200.
     *
     * @throws IllegalStateException with the log's tail if the server is not running, exits, or is not ready in time
     */
    public void awaitReady(Duration timeout) throws InterruptedException {
        Process p = running();
        URI ready = base.resolve("/q/health/ready");
        long deadline = System.nanoTime() + timeout.toNanos();
        int lastStatus = -1;
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("the server exited with status " + p.exitValue() + " before it was ready; the end of " + log
                        + ":\n" + tail(40));
            }
            try {
                lastStatus = HTTP.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(5)).GET().build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (lastStatus == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the server was not ready after " + timeout.toSeconds() + " s (" + (lastStatus < 0 ? "no answer"
                : "readiness " + lastStatus) + " from " + ready + "); the end of " + log + ":\n" + tail(40));
    }

    /** Stops the server as a service manager would (SIGTERM: Quarkus shuts down gracefully), and kills it after 30 s. */
    public void stop() throws InterruptedException {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor();
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            throw e;
        } finally {
            process = null;
        }
    }

    /** Kills the server without warning (SIGKILL), as a crash or an OOM killer would. */
    public void kill() throws InterruptedException {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
            p.waitFor();
            process = null;
        }
    }

    /** Kills the server ({@link #kill()}): a closed server is gone at once. Call {@link #stop()} first for a graceful end. */
    @Override
    public void close() throws InterruptedException {
        kill();
    }

    /** The last lines of the server's log (from its last 64 KiB), each indented with {@code "    | "}. */
    public String tail(int lines) {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long length = f.length();
            int n = (int) Math.min(length, 64 * 1024);
            byte[] b = new byte[n];
            f.seek(length - n);
            f.readFully(b);
            String[] all = new String(b, StandardCharsets.UTF_8).split("\r?\n");
            StringBuilder out = new StringBuilder();
            for (int i = Math.max(0, all.length - lines); i < all.length; i++) {
                out.append("    | ").append(all[i]).append('\n');
            }
            return out.toString();
        } catch (IOException e) {
            return "    (cannot read " + log + ": " + e.getMessage() + ")\n";
        }
    }

    /**
     * Calls the API as the first admin and checks the status.
     *
     * @return the answer as JSON, or null when it has no body
     * @throws AssertionError if the status is not {@code expected}
     */
    public JsonNode json(String method, String path, String json, int expected) throws IOException, InterruptedException {
        HttpResponse<String> r = call(method, path, json, "admin", adminPassword());
        if (r.statusCode() != expected) {
            throw new AssertionError(method + " " + path + ": expected " + expected + ", got " + r.statusCode() + ": " + r.body());
        }
        return r.body().isEmpty() ? null : JSON.readTree(r.body());
    }

    /**
     * Runs Sluice's verify of a table against one sink of a pipeline and waits (120 s at most) for its result.
     *
     * @param repair whether the verification repairs what it finds
     * @return the stored result: {@code missing}, {@code stale}, {@code extra}, {@code rowsChecked}, ...
     * @throws AssertionError if it did not end {@code succeeded}
     */
    public JsonNode verify(String pipeline, String table, String sink, boolean repair) throws IOException, InterruptedException {
        long id = json("POST", "/api/v1/verifications", JSON.writeValueAsString(Map.of("pipeline", pipeline, "table", table, "sink", sink,
                "repair", repair)), 201).path("id").asLong();
        Instant deadline = Instant.now().plusSeconds(120);
        JsonNode result = json("GET", "/api/v1/verifications/" + id, null, 200);
        while ("running".equals(result.path("state").asText()) && Instant.now().isBefore(deadline)) {
            Thread.sleep(500);
            result = json("GET", "/api/v1/verifications/" + id, null, 200);
        }
        if (!"succeeded".equals(result.path("state").asText())) {
            throw new AssertionError("verification " + id + " of " + table + " against " + sink + " did not succeed: " + result);
        }
        return result;
    }

    /**
     * Waits (90 s at most) until a source streams.
     *
     * @throws AssertionError if it does not
     */
    public void awaitStreaming(String source) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plusSeconds(90);
        String state = null;
        while (Instant.now().isBefore(deadline)) {
            state = json("GET", "/api/v1/sources/" + source + "/status", null, 200).path("state").asText();
            if ("streaming".equals(state)) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("source " + source + " did not stream within 90 s; last state " + state);
    }

    /** Calls the API with Basic credentials. */
    public HttpResponse<String> call(String method, String path, String json, String user, String password) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String adminPassword() {
        return properties.getOrDefault(ADMIN_PASSWORD, environment.get(ADMIN_PASSWORD_ENV));
    }

    private Process running() {
        Process p = process;
        if (p == null) {
            throw new IllegalStateException("the server at " + base + " is not running");
        }
        return p;
    }
}
