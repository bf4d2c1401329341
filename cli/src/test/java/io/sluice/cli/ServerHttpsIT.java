package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.embedded.FreePorts;
import io.sluice.testkit.TestCertificates;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged server on HTTPS only, with a certificate this test generates (docs/production.md's settings), and the
 * CLI trusting its CA with {@code --ca-file}: what a team runs when the server is reached across a network.
 */
class ServerHttpsIT {
    private static final String PASSWORD = "https-it-" + Long.toHexString(System.nanoTime());

    @TempDir
    static Path data;

    private static TestCertificates certificates;
    private static Process server;
    private static HttpClient trusting;
    private static String base;

    @BeforeAll
    static void startServer() throws Exception {
        Path jar = Path.of(System.getProperty("sluice.server.jar", "../quarkus-admin/target/quarkus-app/quarkus-run.jar")).toAbsolutePath().normalize();
        assertThat(jar).as("the packaged server; build it with `mvn -B -ntp -pl quarkus-admin -am install -DskipTests`").isRegularFile();
        certificates = TestCertificates.generate();
        trusting = HttpClient.newBuilder().sslContext(ApiClient.trust(certificates.caPem().toString(), Map.of())).build();
        int port = FreePorts.next();
        base = "https://localhost:" + port;
        Files.createDirectories(data.resolve("server"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + FreePorts.next(), "-Dquarkus.http.ssl-port=" + port,
                "-Dquarkus.http.insecure-requests=disabled", "-Dquarkus.tls.key-store.pem.0.cert=" + certificates.serverCertPem(),
                "-Dquarkus.tls.key-store.pem.0.key=" + certificates.serverKeyPem(), "-Dsluice.data-dir=" + data.resolve("server"),
                "-Dsluice.allow-generated-key=true", "-jar", jar.toString())
                .directory(data.toFile()).redirectErrorStream(true).redirectOutput(data.resolve("server.log").toFile());
        pb.environment().put("SLUICE_ADMIN_INITIAL_PASSWORD", PASSWORD);
        server = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            assertThat(server.isAlive()).as(() -> "the server exited: " + log()).isTrue();
            try {
                if (trusting.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    break;
                }
            } catch (IOException e) {
                // not listening yet
            }
            assertThat(System.nanoTime()).as(() -> "not ready in 120 s: " + log()).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    private static String log() {
        try {
            return Files.readString(data.resolve("server.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        if (server != null) {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void shouldServeTheApiAndTheCliOverHttpsOnly() throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> created = trusting.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/me/tokens")).header("Authorization", basic)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"label\":\"https-it\",\"ttlDays\":1}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String token = created.body().replaceAll(".*\"token\"\\s*:\\s*\"([^\"]+)\".*", "$1");
        Map<String, String> env = Map.of("SLUICE_CONFIG", data.resolve("cli.json").toString(), "SLUICE_SERVER", base, "SLUICE_TOKEN", token);

        SluiceCli.Result trusted = SluiceCli.execute(env, "--ca-file", certificates.caPem().toString(), "sources", "list");
        assertThat(trusted.exitCode()).as(trusted.err()).isZero();

        SluiceCli.Result untrusted = SluiceCli.execute(env, "sources", "list");
        assertThat(untrusted.exitCode()).isEqualTo(ExitCode.UNREACHABLE);
        assertThat(untrusted.err()).contains("TLS connection").contains("--ca-file").doesNotContain(token);

        SluiceCli.Result otherCa = SluiceCli.execute(env, "--ca-file", certificates.otherCaPem().toString(), "sources", "list");
        assertThat(otherCa.exitCode()).isEqualTo(ExitCode.UNREACHABLE);

        assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).build(),
                HttpResponse.BodyHandlers.discarding())).as("the JVM's trust store does not know the test's CA").isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void shouldMarkTheSessionCookieSecure() throws Exception {
        HttpResponse<String> signedIn = trusting.send(HttpRequest.newBuilder(URI.create(base + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=admin&password=" + PASSWORD)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(signedIn.statusCode()).isEqualTo(303);
        assertThat(signedIn.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c).contains("Secure").contains("HttpOnly"));
    }
}
