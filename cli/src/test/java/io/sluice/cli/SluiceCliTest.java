package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Argument handling, exit codes, messages and formatting, against a JDK HTTP server that answers canned
 * responses. {@code SluiceCliIT} runs the same commands against the real server.
 */
class SluiceCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private HttpServer server;
    private String base;
    /** path (with query) → status and body */
    private final Map<String, Object[]> answers = new ConcurrentHashMap<>();
    /** "METHOD path authorization body" of each request */
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getRawPath() + (exchange.getRequestURI().getRawQuery() == null ? "" : "?"
                    + exchange.getRequestURI().getRawQuery());
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(exchange.getRequestMethod() + " " + path + " " + exchange.getRequestHeaders().getFirst("Authorization") + " " + body);
            Deque<String> turns = inTurn.get(path);
            if (turns != null) {
                answers.put(path, new Object[] {200, turns.size() > 1 ? turns.poll() : turns.peek()});
            }
            Object[] answer = answers.getOrDefault(path, new Object[] {404, "{\"code\":\"not_found\",\"message\":\"No such resource: " + path + "\"}"});
            byte[] bytes = ((String) answer[1]).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders((int) answer[0], bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
            exchange.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private final Map<String, Deque<String>> inTurn = new ConcurrentHashMap<>();

    /** Answers 200 with each body in turn, the last one for ever. */
    private void answerInTurn(String path, String... bodies) {
        inTurn.put(path, new ConcurrentLinkedDeque<>(List.of(bodies)));
    }

    private SluiceCli.Result runWith(Map<String, String> extraEnv, String... args) {
        Map<String, String> env = new HashMap<>(env());
        env.putAll(extraEnv);
        List<String> all = new ArrayList<>(List.of("--server", base, "--token", "t0k"));
        all.addAll(List.of(args));
        return SluiceCli.execute(env, all.toArray(String[]::new));
    }

    private void answer(String path, int status, String body) {
        answers.put(path, new Object[] {status, body});
    }

    private Map<String, String> env() {
        return Map.of("SLUICE_CONFIG", dir.resolve("config.json").toString());
    }

    private SluiceCli.Result run(String... args) {
        return SluiceCli.execute(env(), args);
    }

    private SluiceCli.Result runAt(String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "--server";
        all[1] = base;
        all[2] = "--token";
        all[3] = "t0k";
        System.arraycopy(args, 0, all, 4, args.length);
        return run(all);
    }

    @Test
    void sourcesListPrintsATableAndSendsTheTokenAsBearer() {
        answer("/api/v1/sources", 200, """
                [{"name":"shop","settings":{"type":"mariadb","host":"db","port":"3306"},
                  "status":{"state":"streaming","desired":"running","eventsPerSecond":12.5,"lagMs":40,"pipelines":["p1"],"reason":null}}]""");
        SluiceCli.Result r = runAt("sources", "list");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out().lines().toList()).hasSize(2);
        assertThat(r.out()).contains("NAME").contains("shop").contains("mariadb").contains("db:3306").contains("streaming").contains("12.5")
                .contains("40 ms").contains("p1");
        assertThat(requests).containsExactly("GET /api/v1/sources Bearer t0k ");
    }

    @Test
    void jsonOutputIsTheServersJsonWhereverTheOptionStands() throws IOException {
        answer("/api/v1/sources", 200, "[{\"name\":\"shop\",\"settings\":{}}]");
        for (String[] args : List.of(new String[] {"-o", "json", "sources", "list"}, new String[] {"sources", "list", "--output", "JSON"})) {
            SluiceCli.Result r = runAt(args);
            assertThat(r.exitCode()).isZero();
            JsonNode parsed = JSON.readTree(r.out());
            assertThat(parsed.get(0).get("name").asText()).isEqualTo("shop");
        }
    }

    @Test
    void notFoundExitsThreeWithTheServersMessageAndWhereToLook() {
        answer("/api/v1/sources/nope", 404, "{\"code\":\"not_found\",\"message\":\"No source named 'nope'.\",\"details\":[]}");
        SluiceCli.Result r = runAt("sources", "show", "nope");
        assertThat(r.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(r.err()).isEqualTo("No source named 'nope'. `sluice sources list` shows the sources.\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void pathSegmentsAreEncoded() {
        runAt("sources", "status", "a b/c");
        assertThat(requests).singleElement().asString().startsWith("GET /api/v1/sources/a%20b%2Fc/status ");
    }

    @Test
    void refusedTokenExitsFourNamingWhereTheTokenCameFrom() {
        answer("/api/v1/sources", 401, "{\"code\":\"unauthorized\",\"message\":\"Authentication required\"}");
        SluiceCli.Result r = runAt("sources", "list");
        assertThat(r.exitCode()).isEqualTo(ExitCode.UNAUTHORIZED);
        assertThat(r.err()).startsWith("the server refused the token (401) from --token: create one in the UI under Users or with POST"
                + " /api/v1/me/tokens");
        SluiceCli.Result none = run("--server", base, "sources", "list");
        assertThat(none.exitCode()).isEqualTo(ExitCode.UNAUTHORIZED);
        assertThat(none.err()).startsWith("the server requires a token (401) and none was given");
        answer("/api/v1/sources", 403, "{\"code\":\"forbidden\",\"message\":\"Your role does not allow this.\"}");
        assertThat(runAt("sources", "list").exitCode()).isEqualTo(ExitCode.UNAUTHORIZED);
    }

    @Test
    void validationErrorsListEachDetail() {
        answer("/api/v1/sinks/index/dead-letters/replay", 422, """
                {"code":"validation_failed","message":"The request is invalid: ids name entries this sink does not have: [9].",
                 "details":[{"field":"ids","message":"name entries this sink does not have: [9]"}]}""");
        SluiceCli.Result r = runAt("dlq", "replay", "index", "--ids", "9", "--dry-run");
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(r.err()).isEqualTo("invalid request (422): The request is invalid: ids name entries this sink does not have: [9].\n"
                + "  ids: name entries this sink does not have: [9]\n");
        assertThat(requests).singleElement().asString().endsWith(" {\"ids\":[9],\"dryRun\":true}");
    }

    @Test
    void conflictsExitSevenWithTheirDetails() {
        answer("/api/v1/sources/shop/start", 409, """
                {"code":"preflight_failed","message":"The preflight check of source 'shop' found 1 error(s).",
                 "details":[{"field":"binlog_format","message":"is STATEMENT. Fix: set binlog_format=ROW"}]}""");
        SluiceCli.Result r = runAt("sources", "start", "shop");
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(r.err()).contains("refused (409 conflict)").contains("  binlog_format: is STATEMENT. Fix: set binlog_format=ROW");
        answer("/api/v1/sources/shop/start?force=true", 200, "{\"source\":\"shop\",\"state\":\"starting\",\"desired\":\"running\"}");
        SluiceCli.Result forced = runAt("sources", "start", "shop", "--force");
        assertThat(forced.exitCode()).isZero();
        assertThat(forced.out()).isEqualTo("source 'shop': starting (wanted: running)\n");
    }

    @Test
    void notImplementedExitsFiveWithTheServersMessage() {
        answer("/api/v1/backfills", 501, "{\"code\":\"not_implemented\",\"message\":\"Backfills are not available in this version.\"}");
        SluiceCli.Result r = runAt("backfill", "list");
        assertThat(r.exitCode()).isEqualTo(ExitCode.NOT_AVAILABLE);
        assertThat(r.err()).isEqualTo("not available on this server (501): Backfills are not available in this version.\n");
        SluiceCli.Result start = runAt("backfill", "start", "--pipeline", "shop", "--table", "shop.a,shop.b", "--rate", "500");
        assertThat(start.exitCode()).isEqualTo(ExitCode.NOT_AVAILABLE);
        assertThat(requests.get(1)).endsWith(" {\"pipeline\":\"shop\",\"tables\":[\"shop.a\",\"shop.b\"],\"rowsPerSecond\":500}");
    }

    private static final String[] PROGRESS = {
        "{\"id\":3,\"state\":\"running\",\"rowsRead\":0,\"estimatedRows\":200000}",
        "{\"id\":3,\"state\":\"running\",\"rowsRead\":100000,\"estimatedRows\":200000,\"rate\":12345.6,\"etaSeconds\":8}",
        "{\"id\":3,\"state\":\"succeeded\",\"rowsRead\":200100,\"estimatedRows\":200000,\"durationSeconds\":17,\"averageRate\":11770.6}"};

    @Test
    void watchDrawsABarOnATerminalAndPlainLinesOnAPipeEndingWithTheDurationAndAverageRate() {
        answerInTurn("/api/v1/backfills/3", PROGRESS);
        SluiceCli.Result tty = runWith(Map.of("SLUICE_TERMINAL", "1", "SLUICE_WATCH_INTERVAL_MS", "50"), "backfill", "status", "3", "--watch");
        assertThat(tty.exitCode()).as(tty.err()).isZero();
        assertThat(tty.out()).startsWith("\r[--------------------]   0%  0 / ~200,000 rows  – rows/s  running")
                .contains("\r[##########----------]  50%  100,000 / ~200,000 rows  12,346 rows/s  ETA 8 s  running")
                .endsWith("\r[####################] 100%  200,100 / ~200,000 rows  11,771 rows/s on average  took 17 s  succeeded   \n");

        answerInTurn("/api/v1/backfills/3", PROGRESS);
        SluiceCli.Result pipe = runWith(Map.of("SLUICE_TERMINAL", "0", "SLUICE_WATCH_INTERVAL_MS", "50"), "backfill", "status", "3", "--watch");
        assertThat(pipe.exitCode()).isZero();
        assertThat(pipe.out()).doesNotContain("\r").isEqualTo("backfill 3 running: 0 / ~200,000 rows (0%), – rows/s\n"
                + "backfill 3 succeeded: 200,100 / ~200,000 rows (100%), 11,771 rows/s on average, took 17 s\n");

        answerInTurn("/api/v1/backfills/4", "{\"id\":4,\"state\":\"failed\",\"reason\":\"column geo cannot be backfilled\",\"rowsRead\":5,\"estimatedRows\":9}");
        SluiceCli.Result failed = runWith(Map.of("SLUICE_TERMINAL", "0"), "backfill", "status", "4", "--watch", "-o", "json");
        assertThat(failed.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(failed.out()).contains("\"state\" : \"failed\"");
        assertThat(failed.err()).isEqualTo("backfill 4 failed: column geo cannot be backfilled\n");
    }

    @Test
    void verifyWaitsForTheResultAndExitsOneOnDifferences() {
        answer("/api/v1/verifications", 201, "{\"id\":5,\"state\":\"running\"}");
        answerInTurn("/api/v1/verifications/5", "{\"id\":5,\"state\":\"running\"}", "{\"id\":5,\"state\":\"succeeded\","
                + "\"table\":\"shop.items\",\"sink\":\"cache\",\"rowsChecked\":20000,\"missing\":2,\"stale\":1,\"extra\":0,"
                + "\"extraChecked\":true,\"repair\":false,\"samples\":{\"missing\":[\"7\",\"9\"],\"stale\":[\"12\"],\"extra\":[]}}");
        SluiceCli.Result r = runWith(Map.of("SLUICE_WATCH_INTERVAL_MS", "50"), "verify", "--pipeline", "shop", "--table", "shop.items",
                "--sink", "cache");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.FAILED);
        assertThat(r.out()).isEqualTo("shop.items against cache: 20,000 rows checked, 2 missing, 1 stale, 0 extra\n"
                + "  missing, for example: 7, 9\n  stale, for example: 12\n");
        assertThat(requests.get(0)).endsWith(" {\"pipeline\":\"shop\",\"table\":\"shop.items\",\"sink\":\"cache\",\"repair\":false}");

        answer("/api/v1/verifications", 201, "{\"id\":6,\"state\":\"running\"}");
        answerInTurn("/api/v1/verifications/6", "{\"id\":6,\"state\":\"failed\",\"reason\":\"Redis sink 'cache' stores hashes\"}");
        SluiceCli.Result failed = runWith(Map.of("SLUICE_WATCH_INTERVAL_MS", "50"), "verify", "--pipeline", "shop", "--table", "shop.items");
        assertThat(failed.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(failed.err()).isEqualTo("verification 6 failed: Redis sink 'cache' stores hashes\n");
        assertThat(runAt("verify", "--table", "shop.items").exitCode()).isEqualTo(ExitCode.USAGE);
        SluiceCli.Result both = runAt("verify", "--view", "orders", "--table", "shop.items");
        assertThat(both.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(both.err()).contains("leave out --pipeline, --table and --where");
    }

    @Test
    void yamlOutputPrintsTheSameTreeAsYaml() {
        answer("/api/v1/backfills/3", 200, "{\"id\":3,\"state\":\"running\",\"tables\":[\"shop.items\"],\"rate\":12.5}");
        SluiceCli.Result r = runAt("backfill", "status", "3", "-o", "yaml");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("id: 3\nstate: running\ntables:\n- shop.items\nrate: 12.5\n");
    }

    @Test
    void completionCompletesCommandsOptionsAndLiveNames() {
        SluiceCli.Result script = run("completion");
        assertThat(script.exitCode()).isZero();
        assertThat(script.out()).contains("complete -F _sluice sluice").contains("sources schemas views rules audits alerts dlq backfill verify context completion")
                .contains("backfill)").contains("--watch").contains("--pipeline) _sluice_names pipelines").doesNotContain("__names)");
        answer("/api/v1/sources", 200, "[{\"name\":\"shop\"},{\"name\":\"crm\"}]");
        answer("/registry/subjects", 200, "[\"shop.shop.orders-value\",\"shop.shop.orders-key\",\"shop.shop.items-value\"]");
        assertThat(runAt("__names", "sources").out()).isEqualTo("shop\ncrm\n");
        assertThat(runAt("__names", "tables").out()).isEqualTo("shop.items\nshop.orders\n");
        SluiceCli.Result unreachable = run("--server", "http://127.0.0.1:9", "__names", "sources");
        assertThat(unreachable.out()).isEmpty();
        assertThat(unreachable.err()).isEmpty();
    }

    @Test
    void serverErrorsAndForeignServersExitOne() {
        answer("/api/v1/sources", 500, "{\"code\":\"internal_error\",\"message\":\"The server failed; the log has the details.\"}");
        SluiceCli.Result r = runAt("sources", "list");
        assertThat(r.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(r.err()).isEqualTo("the server failed (500): The server failed; the log has the details.\n");
        answer("/api/v1/sources", 200, "<html>hello</html>");
        SluiceCli.Result html = runAt("sources", "list");
        assertThat(html.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(html.err()).contains("is not JSON").contains("a Sluice server?");
        answer("/api/v1/sources/x", 404, "");
        SluiceCli.Result foreign = runAt("sources", "show", "x");
        assertThat(foreign.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(foreign.err()).contains("is the address (from --server) a Sluice server?");
    }

    @Test
    void anUnreachableServerExitsSix() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        SluiceCli.Result r = run("--server", "http://127.0.0.1:" + port, "sources", "list");
        assertThat(r.exitCode()).isEqualTo(ExitCode.UNREACHABLE);
        assertThat(r.err()).isEqualTo("cannot reach the Sluice server at http://127.0.0.1:" + port + " (connection refused; address from --server):"
                + " check --server or `sluice context use`\n");
        SluiceCli.Result host = run("--server", "http://no-such-host.invalid:8080", "sources", "list");
        assertThat(host.exitCode()).isEqualTo(ExitCode.UNREACHABLE);
        assertThat(host.err()).contains("no-such-host.invalid");
    }

    @Test
    void usageErrorsExitTwoWithoutAStackTrace() {
        SluiceCli.Result none = run("sources", "list");
        assertThat(none.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(none.err()).startsWith("no Sluice server given: pass --server URL, set SLUICE_SERVER");
        assertThat(run("--server", "localhost:8080", "sources", "list").err()).contains("is not an http(s) URL");
        assertThat(run("--server", "http://localhost:99999", "sources", "list").exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run("sourcez").exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run("sources").err()).contains("Missing required subcommand");
        SluiceCli.Result both = runAt("dlq", "replay", "index", "--ids", "1", "--all");
        assertThat(both.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(both.err()).contains("mutually exclusive").doesNotContain("Exception");
        assertThat(runAt("schemas", "approve", "7").err()).contains("--reason");
        assertThat(runAt("schemas", "show", "seven").exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(runAt("schemas", "list", "--status", "maybe").err()).contains("pending, approved, rejected");
        assertThat(run().exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(requests).isEmpty();
    }

    @Test
    void approvingAnIncompatibleProposalNamesTheLevelOption() {
        answer("/api/v1/schemas/proposals/8/approve", 409, "{\"code\":\"incompatible_schema\",\"message\":\"Proposal 8 is incompatible with"
                + " subject 'shop.inventory.customers-value' under BACKWARD: a field was removed. Overriding the level registers this one"
                + " version anyway\"}");
        SluiceCli.Result r = runAt("schemas", "approve", "8", "--reason", "rename");
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(r.err()).contains("is incompatible").contains("sluice schemas approve 8 --reason \"...\" --level NONE");
    }

    @Test
    void helpAndVersionExitZero() {
        SluiceCli.Result help = run("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Exit codes:").contains("6   server unreachable").contains("SLUICE_SERVER");
        for (String cmd : List.of("sources", "schemas", "dlq", "backfill", "context")) {
            SluiceCli.Result sub = run(cmd, "--help");
            assertThat(sub.exitCode()).isZero();
            assertThat(sub.out()).contains("Examples:");
        }
        assertThat(run("dlq", "replay", "-h").out()).contains("--dry-run");
        assertThat(run("--version").out()).startsWith("sluice ");
    }

    @Test
    void contextsAreStoredOwnerOnlyAndUsedWithTheirToken() throws IOException {
        Path file = dir.resolve("sub/config.json");
        Map<String, String> env = Map.of("SLUICE_CONFIG", file.toString());
        SluiceCli.Result set = SluiceCli.execute(env, "context", "set", "local", "--server", base, "--token", "secret-1");
        assertThat(set.exitCode()).as(set.err()).isZero();
        assertThat(set.out()).contains("created").contains("current context");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(SluiceCli.execute(env, "context", "set", "prod", "--server", "https://prod.example").exitCode()).isZero();

        SluiceCli.Result list = SluiceCli.execute(env, "context", "list");
        assertThat(list.out()).contains("*        local").contains("prod").contains("stored").doesNotContain("secret-1");
        answer("/api/v1/sources", 200, "[]");
        assertThat(SluiceCli.execute(env, "sources", "list").exitCode()).isZero();
        assertThat(requests).containsExactly("GET /api/v1/sources Bearer secret-1 ");

        // a context's token never goes to a server named elsewhere
        assertThat(SluiceCli.execute(env, "--server", base + "/", "sources", "list").exitCode()).isZero();
        assertThat(SluiceCli.execute(Map.of("SLUICE_CONFIG", file.toString(), "SLUICE_SERVER", "http://127.0.0.1:" + server.getAddress().getPort() + "0"),
                "sources", "list").err()).contains("is not an http(s) URL");
        requests.clear();
        SluiceCli.execute(Map.of("SLUICE_CONFIG", file.toString(), "SLUICE_SERVER", base.replace("127.0.0.1", "localhost")), "sources", "list");
        assertThat(requests).containsExactly("GET /api/v1/sources null ");
        requests.clear();
        SluiceCli.execute(Map.of("SLUICE_CONFIG", file.toString(), "SLUICE_TOKEN", "env-token"), "sources", "list");
        assertThat(requests).containsExactly("GET /api/v1/sources Bearer env-token ");

        assertThat(SluiceCli.execute(env, "context", "use", "prod").out()).contains("prod");
        SluiceCli.Result json = SluiceCli.execute(env, "context", "list", "-o", "json");
        JsonNode parsed = JSON.readTree(json.out());
        assertThat(parsed.get("current").asText()).isEqualTo("prod");
        assertThat(parsed.get("contexts").get(0).get("token").asBoolean()).isTrue();
        assertThat(json.out()).doesNotContain("secret-1");
        SluiceCli.Result missing = SluiceCli.execute(env, "context", "use", "staging");
        assertThat(missing.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(missing.err()).contains("no context 'staging'").contains("sluice context list");
        SluiceCli.Result viaFlag = SluiceCli.execute(env, "--context", "local", "sources", "list");
        assertThat(viaFlag.exitCode()).isZero();
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void aBrokenConfigFileIsNamedWithTheFix() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{not json");
        SluiceCli.Result r = run("sources", "list");
        assertThat(r.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(r.err()).contains(dir.resolve("config.json").toString()).contains("is not valid JSON").contains("delete it");
    }

    @Test
    void serverTextNeverCarriesControlCharacters() {
        answer("/api/v1/sources/x/status", 200, "{\"source\":\"x\",\"state\":\"failed\",\"reason\":\"bad\\u001b[31m red\\nline\"}");
        SluiceCli.Result r = runAt("sources", "status", "x");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("bad [31m red line").doesNotContain("\u001b");
    }

    private static String recovery(String state, String phase, String progress, String verifications, long extra) {
        return ("{\"id\":3,\"source\":\"shop\",\"state\":\"%s\",\"phase\":\"%s\",\"cause\":\"failed with BINLOG_PURGED\","
                + "\"resnapshot\":true,\"progress\":\"%s\",\"eventsCaptured\":300,\"verifications\":[%s],\"notes\":[],"
                + "\"rowsChecked\":250,\"missing\":0,\"stale\":0,\"extra\":%d,\"repaired\":%d,\"reason\":%s}").formatted(state, phase,
                progress, verifications, extra, extra, "failed".equals(state) ? "\"sink 'cache' is down\"" : "null");
    }

    private static final String VERIFICATION = "{\"id\":11,\"table\":\"shop.items\",\"sink\":\"cache\",\"state\":\"succeeded\","
            + "\"rowsChecked\":250,\"missing\":0,\"stale\":0,\"extra\":51,\"repaired\":51}";

    @Test
    void recoverWithWaitPrintsEachStepThenTheCountsAndExitsZero() {
        answer("/api/v1/sources/shop/recover", 202, recovery("running", "snapshotting", "new snapshot started", "", 0));
        answerInTurn("/api/v1/sources/shop/recoveries/3", recovery("running", "snapshotting", "120 events captured so far", "", 0),
                recovery("running", "verifying", "verification 1 of 1: shop.items against cache", "", 0),
                recovery("succeeded", "done", "recovered", VERIFICATION, 51));
        SluiceCli.Result r = runWith(Map.of("SLUICE_WATCH_INTERVAL_MS", "50"), "sources", "recover", "shop", "--wait");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("""
                recovery 3 of source 'shop': snapshotting, new snapshot started
                recovery 3 of source 'shop': snapshotting, 120 events captured so far
                recovery 3 of source 'shop': verifying, verification 1 of 1: shop.items against cache
                recovery 3 of source 'shop': done, recovered
                recovery 3 of source 'shop': succeeded (failed with BINLOG_PURGED; new snapshot, 300 events)
                """).contains("1 verification(s): 250 rows checked, 0 missing, 0 stale, 51 extra, 51 repaired");
        assertThat(r.out().lines().filter(l -> l.contains("shop.items") && l.contains("cache") && l.contains("51"))).hasSize(1);
        assertThat(requests.get(0)).startsWith("POST /api/v1/sources/shop/recover Bearer t0k");
    }

    @Test
    void aFailedRecoveryExitsOneWithItsReasonAndNothingToRecoverExitsSeven() {
        answer("/api/v1/sources/shop/recover", 202, recovery("running", "verifying", "verification 1 of 1", "", 0));
        answer("/api/v1/sources/shop/recoveries/3", 200, recovery("failed", "done", "failed", "", 0));
        SluiceCli.Result failed = runAt("sources", "recover", "shop", "--wait");
        assertThat(failed.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(failed.err()).isEqualTo("recovery 3 of source 'shop' failed: sink 'cache' is down\n");
        assertThat(runAt("sources", "recovery", "shop", "3").exitCode()).isEqualTo(ExitCode.FAILED);

        SluiceCli.Result started = runAt("sources", "recover", "shop");
        assertThat(started.exitCode()).isZero();
        assertThat(started.out()).contains("recovery 3 of source 'shop' started (failed with BINLOG_PURGED)")
                .contains("sluice sources recovery shop 3 --wait");

        answer("/api/v1/sources/other/recover", 409, "{\"code\":\"nothing_to_recover\",\"message\":\"Source 'other' is streaming: there is"
                + " nothing to recover from.\",\"details\":[]}");
        SluiceCli.Result refused = runAt("sources", "recover", "other", "--wait");
        assertThat(refused.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(refused.err()).contains("Source 'other' is streaming: there is nothing to recover from.");
        answer("/api/v1/sources/other/recoveries", 200, "[]");
        SluiceCli.Result none = runAt("sources", "recovery", "other");
        assertThat(none.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(none.err()).contains("source 'other' has no recovery yet").contains("sluice sources recover other");
    }

    @Test
    void dlqReplayThatDoesNotLandExitsOne() {
        answer("/api/v1/sinks/index/dead-letters/replay", 200, "{\"ids\":[1,2],\"done\":1,\"dryRun\":false,\"remaining\":1}");
        SluiceCli.Result r = runAt("dlq", "replay", "index", "--ids", "1,2");
        assertThat(r.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(r.out()).isEqualTo("replayed 1 of 2 entries to sink 'index'; 1 remain in the queue\n");
        assertThat(r.err()).contains("1 of 2 entries did not land").contains("sluice dlq list index");
    }

    @Test
    void aNameThatWouldChangeTheAddressIsRefusedBeforeAnythingIsSent() {
        for (String name : List.of(".", "..", "")) {
            SluiceCli.Result r = runAt("sources", "show", name);
            assertThat(r.exitCode()).as(name).isEqualTo(ExitCode.USAGE);
            assertThat(r.err()).contains("'" + name + "' cannot name anything on the server").contains("sluice sources list");
        }
        assertThat(runAt("backfill", "cancel", "..").exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(requests).isEmpty();
    }

    @Test
    void aTokenWithALineBreakOrASpaceIsRefusedWithoutShowingIt() {
        for (String token : List.of("slu_secret\r\nX-Injected: yes", "Bearer slu_secret", "slu_s\u00e9cret")) {
            SluiceCli.Result r = SluiceCli.execute(env(), "--server", base, "--token", token, "sources", "list");
            assertThat(r.exitCode()).isEqualTo(ExitCode.UNAUTHORIZED);
            assertThat(r.err()).startsWith("the token from --token is not an API token").contains("without 'Bearer '").doesNotContain("secret");
            SluiceCli.Result stored = run("context", "set", "prod", "--server", base, "--token", token);
            assertThat(stored.exitCode()).isEqualTo(ExitCode.UNAUTHORIZED);
            assertThat(stored.err()).doesNotContain("secret");
        }
        assertThat(requests).isEmpty();
        assertThat(dir.resolve("config.json")).doesNotExist();
    }

    @Test
    void aServerAddressWithAPasswordIsRefusedWithoutShowingIt() {
        SluiceCli.Result r = SluiceCli.execute(env(), "--server", "https://admin:pa55word@sluice.internal:8443", "sources", "list");
        assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("holds a user name or password").contains("https://sluice.internal:8443").doesNotContain("pa55word");
    }

    @Test
    void theServersSizeLimitsAreInvalidInputThatSaysWhatToShorten() {
        answer("/api/v1/backfills", 413, "");
        SluiceCli.Result large = runAt("backfill", "start", "--pipeline", "p", "--where", "x = 1");
        assertThat(large.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(large.err()).startsWith("the request is too large for the server (413, ").contains("--where");
        answer("/api/v1/sources/" + "n".repeat(300), 414, "");
        SluiceCli.Result longName = runAt("sources", "show", "n".repeat(300));
        assertThat(longName.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(longName.err()).contains("too long for the server (414, 316 characters): shorten the name");
    }

    @Test
    void anAddressWithAPathTheServerDoesNotHaveSaysSo() {
        SluiceCli.Result r = SluiceCli.execute(env(), "--server", base + "/ui", "--token", "t0k", "sources", "list");
        assertThat(r.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(r.err()).contains("has no API at /ui/api/v1/sources (404)").contains("the Sluice server's root");
    }

    @Test
    void typedInputIsEchoedWithoutControlCharacters() {
        SluiceCli.Result r = run("context", "use", "\u001b[2Jprod");
        assertThat(r.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(r.err()).contains("no context ' [2Jprod'").doesNotContain("\u001b");
        SluiceCli.Result unknown = run("\u001b[2J");
        assertThat(unknown.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(unknown.err()).doesNotContain("\u001b");
    }

    @Test
    void aConfigFileOfTheWrongShapeNamesTheKeyAndAnUnreadableOneSaysWhy() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"contexts\": {\"prod\": {\"server\": 8080}}}");
        SluiceCli.Result shape = run("sources", "list");
        assertThat(shape.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(shape.err()).contains("'contexts.prod.server' must be a string, not number").contains("delete it");
        Files.write(dir.resolve("config.json"), new byte[] {'{', (byte) 0xe9, '}'});
        SluiceCli.Result latin1 = run("sources", "list");
        assertThat(latin1.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(latin1.err()).contains("(it is not UTF-8 text)").doesNotContain("Exception");
    }

    @Test
    void aViewFileThatIsMissingOrNotAnObjectIsNamedWithTheFix() throws IOException {
        SluiceCli.Result missing = runAt("views", "apply", "-f", dir.resolve("nope.yaml").toString());
        assertThat(missing.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(missing.err()).startsWith(dir.resolve("nope.yaml") + ": no such file");
        Files.writeString(dir.resolve("list.yaml"), "- name: orders\n");
        SluiceCli.Result list = runAt("views", "apply", "-f", dir.resolve("list.yaml").toString());
        assertThat(list.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(list.err()).contains("holds a list; a view definition is one object");
        Files.writeString(dir.resolve("tabs.yaml"), "name: orders\n\troot: x\n");
        SluiceCli.Result tabs = runAt("views", "apply", "-f", dir.resolve("tabs.yaml").toString());
        assertThat(tabs.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(tabs.err()).startsWith(dir.resolve("tabs.yaml") + " line 2 column").doesNotContain("Exception");
        assertThat(requests).isEmpty();
    }

    @Test
    void applyingADefinitionEqualToTheStoredOneChangesNothing() throws IOException {
        answer("/api/v1/views", 200, """
                [{"definition":{"name":"orders","pipeline":"shop","root":"shop.orders","columns":null,"rename":null,
                  "relations":[{"name":"customer","kind":"one","table":"shop.customers","on":{"customer_id":"id"},"columns":[],
                  "relations":null}]}}]""");
        answer("/api/v1/views/orders", 200, "{\"definition\":{\"name\":\"orders\"}}");
        Files.writeString(dir.resolve("orders.yaml"), """
                name: orders
                pipeline: shop
                root: shop.orders
                relations: [{name: customer, kind: one, table: shop.customers, "on": {customer_id: id}}]
                """);
        SluiceCli.Result same = runAt("views", "apply", "-f", dir.resolve("orders.yaml").toString());
        assertThat(same.exitCode()).as(same.err()).isZero();
        assertThat(same.out()).startsWith("view 'orders' unchanged");
        assertThat(requests).noneMatch(r -> r.startsWith("PUT") || r.startsWith("POST"));

        Files.writeString(dir.resolve("orders.yaml"), Files.readString(dir.resolve("orders.yaml")).replace("kind: one", "kind: many"));
        SluiceCli.Result changed = runAt("views", "apply", "-f", dir.resolve("orders.yaml").toString());
        assertThat(changed.exitCode()).as(changed.err()).isZero();
        assertThat(changed.out()).startsWith("view 'orders' replaced");
        assertThat(requests).anyMatch(r -> r.startsWith("PUT /api/v1/views/orders") && r.contains("\"kind\":\"many\""));
    }
}
