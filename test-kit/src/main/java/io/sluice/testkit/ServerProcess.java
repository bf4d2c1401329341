package io.sluice.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The packaged Sluice server ({@code quarkus-admin/target/quarkus-app/quarkus-run.jar}, built by {@code package}
 * before Failsafe runs) in a JVM of its own, so that a test can stop it, kill it and start it again over the same data. Its output
 * goes to a log file whose tail is shown when it fails to start.
 */
public final class ServerProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final Path jar;
    private final int port;
    private final Map<String, String> properties;
    private final Path log;
    private Process process;

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
        new java.security.SecureRandom().nextBytes(key);
        return Map.of("sluice.data-dir", Files.createTempDirectory("sluice-server-").toString(), "sluice.encryption-key",
                Base64.getEncoder().encodeToString(key), "sluice.admin.initial-password", adminPassword, "sluice.secure-cookies", "false");
    }

    /**
     * @param jar the server's {@code quarkus-run.jar}
     * @param properties system properties of the server ({@code sluice.*}, {@code quarkus.*})
     * @param log where its output goes (appended)
     */
    public ServerProcess(Path jar, int port, Map<String, String> properties, Path log) {
        this.jar = jar.toAbsolutePath();
        this.port = port;
        this.properties = properties;
        this.log = log;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Starts the server and waits until it reports ready. */
    public void start() throws IOException, InterruptedException {
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run 'mvn package' (Failsafe runs after it)");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m",
                "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1"));
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", jar.toString()));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        Instant deadline = Instant.now().plusSeconds(90);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the server exited with " + process.exitValue() + "; log tail:\n" + tail());
            }
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/q/health/ready")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the server did not get ready within 90 s; log tail:\n" + tail());
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Stops the server as a service manager would (SIGTERM) and waits for it to exit. */
    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor();
            process = null;
        }
    }

    /** Kills the server without warning (SIGKILL), as a crash or an OOM killer would. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor();
            process = null;
        }
    }

    /**
     * Calls the API as the first admin (the password from {@code sluice.admin.initial-password}) and checks the
     * status.
     *
     * @return the answer as JSON, or null when it has no body
     */
    public com.fasterxml.jackson.databind.JsonNode json(String method, String path, String json, int expected) throws IOException,
            InterruptedException {
        HttpResponse<String> r = call(method, path, json, "admin", properties.get("sluice.admin.initial-password"));
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
    public com.fasterxml.jackson.databind.JsonNode verify(String pipeline, String table, String sink, boolean repair)
            throws IOException, InterruptedException {
        long id = json("POST", "/api/v1/verifications", JSON.writeValueAsString(Map.of("pipeline", pipeline, "table", table, "sink", sink,
                "repair", repair)), 201).path("id").asLong();
        Instant deadline = Instant.now().plusSeconds(120);
        com.fasterxml.jackson.databind.JsonNode result = json("GET", "/api/v1/verifications/" + id, null, 200);
        while ("running".equals(result.path("state").asText()) && Instant.now().isBefore(deadline)) {
            Thread.sleep(500);
            result = json("GET", "/api/v1/verifications/" + id, null, 200);
        }
        if (!"succeeded".equals(result.path("state").asText())) {
            throw new AssertionError("verification " + id + " of " + table + " against " + sink + " did not succeed: " + result);
        }
        return result;
    }

    /** Waits (90 s at most) until a source streams. */
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

    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
