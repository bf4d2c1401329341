package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.embedded.MariaDbServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI against the real, packaged Sluice server ({@code quarkus-admin/target/quarkus-app}) started as a child
 * process: exit codes, messages, JSON output and contexts, in-process through {@link SluiceCli#execute}; and the
 * packaged {@code sluice-cli.jar} once with {@code java -jar}.
 */
class SluiceCliIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "cli-it-" + Long.toHexString(System.nanoTime());
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    static Path data;

    private static Process server;
    private static Path log;
    private static String base;
    private static String token;

    @TempDir
    Path home;

    @BeforeAll
    static void startServer() throws Exception {
        Path jar = Path.of(System.getProperty("sluice.server.jar", "../quarkus-admin/target/quarkus-app/quarkus-run.jar")).toAbsolutePath().normalize();
        assertThat(jar).as("the packaged server; build it with `mvn -B -ntp -pl quarkus-admin -am install -DskipTests`").isRegularFile();
        int port = freePort();
        base = "http://127.0.0.1:" + port;
        log = data.resolve("server.log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port, "-Dsluice.data-dir=" + data.resolve("server"),
                "-Dsluice.allow-generated-key=true", "-Dsluice.secure-cookies=false", "-jar", jar.toString())
                .directory(data.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SLUICE_ADMIN_INITIAL_PASSWORD", PASSWORD);
        Files.createDirectories(data.resolve("server"));
        server = pb.start();
        awaitReady(Duration.ofSeconds(120));
        String basic = "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        token = post("/api/v1/me/tokens", basic, "{\"label\":\"cli-it\",\"ttlDays\":1}").path("token").asText();
        assertThat(token).isNotBlank();
        JsonNode sink = post("/api/v1/sinks", "Bearer " + token, "{\"name\":\"index\",\"type\":\"lucene\",\"config\":{}}");
        assertThat(sink.path("name").asText()).isEqualTo("index");
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

    private Map<String, String> env() {
        return Map.of("SLUICE_CONFIG", home.resolve(".sluice/config.json").toString(), "SLUICE_SERVER", base, "SLUICE_TOKEN", token);
    }

    private SluiceCli.Result cli(String... args) {
        return SluiceCli.execute(env(), args);
    }

    @Test
    void sourcesListOnAnEmptyServerSucceeds() throws IOException {
        SluiceCli.Result r = cli("sources", "list");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("no sources yet");
        SluiceCli.Result json = cli("sources", "list", "-o", "json");
        assertThat(json.exitCode()).isZero();
        assertThat(JSON.readTree(json.out()).isArray()).isTrue();
    }

    @Test
    void aMissingSourceExitsThreeWithTheServersMessage() {
        SluiceCli.Result r = cli("sources", "show", "nope");
        assertThat(r.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(r.err()).contains("nope").contains("`sluice sources list` shows the sources.").doesNotContain("Exception");
        assertThat(r.err().lines()).hasSize(1);
        assertThat(cli("sources", "status", "nope").exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(cli("sources", "start", "nope").exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        SluiceCli.Result recover = cli("sources", "recover", "nope", "--wait");
        assertThat(recover.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(recover.err()).contains("No source named 'nope'").doesNotContain("Exception");
        assertThat(cli("sources", "recovery", "nope").exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(cli("schemas", "show", "424242").exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(cli("dlq", "list", "nope").err()).contains("nope");
    }

    @Test
    void aWrongTokenExitsFour() {
        SluiceCli.Result r = cli("--token", "slu_wrong_token", "sources", "list");
        assertThat(r.exitCode()).isEqualTo(ExitCode.UNAUTHORIZED);
        assertThat(r.err()).startsWith("the server refused the token (401) from --token: create one in the UI under Users or with POST /api/v1/me/tokens");
        SluiceCli.Result none = SluiceCli.execute(Map.of("SLUICE_CONFIG", home.resolve("c.json").toString(), "SLUICE_SERVER", base), "sources", "list");
        assertThat(none.exitCode()).isEqualTo(ExitCode.UNAUTHORIZED);
        assertThat(none.err()).startsWith("the server requires a token (401) and none was given");
    }

    @Test
    void anUnreachableServerExitsSix() throws IOException {
        int port = freePort();
        SluiceCli.Result r = cli("--server", "http://127.0.0.1:" + port, "sources", "list");
        assertThat(r.exitCode()).isEqualTo(ExitCode.UNREACHABLE);
        assertThat(r.err()).isEqualTo("cannot reach the Sluice server at http://127.0.0.1:" + port
                + " (connection refused; address from --server): check --server or `sluice context use`\n");
    }

    @Test
    void backfillCommandsAnswerWithTheServersVerdictAndExitCodes() throws IOException {
        SluiceCli.Result list = cli("backfill", "list", "-o", "json");
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(JSON.readTree(list.out()).isArray()).isTrue();
        SluiceCli.Result missing = cli("backfill", "status", "424242");
        assertThat(missing.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(missing.err()).contains("424242").contains("`sluice backfill list` shows the backfills.");
        assertThat(cli("backfill", "start", "--pipeline", "shop").exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        SluiceCli.Result invalid = cli("backfill", "start", "--pipeline", "shop", "--chunk-size", "0", "--rate", "-5");
        assertThat(invalid.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(invalid.err()).contains("chunkSize").contains("rowsPerSecond").doesNotContain("Exception");
        assertThat(cli("backfill", "cancel", "424242").exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        SluiceCli.Result verify = cli("verify", "--pipeline", "shop", "--table", "shop.items");
        assertThat(verify.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(verify.err()).contains("shop").doesNotContain("Exception");
        SluiceCli.Result badTable = cli("verify", "--pipeline", "shop", "--table", "no dot");
        assertThat(badTable.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(badTable.err()).contains("table");
    }

    @Test
    void schemasListAsJsonParses() throws IOException {
        SluiceCli.Result r = cli("schemas", "list", "--output", "json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(JSON.readTree(r.out()).isArray()).isTrue();
        SluiceCli.Result pending = cli("-o", "json", "schemas", "list", "--status", "pending");
        assertThat(pending.exitCode()).isZero();
        assertThat(JSON.readTree(pending.out()).isArray()).isTrue();
    }

    @Test
    void invalidRequestsListEachDetail() {
        SluiceCli.Result ids = cli("dlq", "replay", "index", "--ids", "41,42");
        assertThat(ids.exitCode()).as(ids.err()).isEqualTo(ExitCode.INVALID);
        assertThat(ids.err()).startsWith("invalid request (422): ").contains("\n  ids: name entries this sink does not have: [41, 42]");
        SluiceCli.Result level = cli("schemas", "approve", "1", "--reason", "fine", "--level", "SIDEWAYS");
        assertThat(level.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(level.err()).contains("\n  levelOverride: must be one of");
        SluiceCli.Result both = cli("dlq", "replay", "index", "--ids", "1", "--all");
        assertThat(both.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(both.err()).contains("mutually exclusive");
    }

    @Test
    void deadLettersOfAnEmptySinkListAndReplayNothing() throws IOException {
        SluiceCli.Result list = cli("dlq", "list", "index");
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.err()).contains("no dead letters in sink 'index'");
        SluiceCli.Result dry = cli("dlq", "replay", "index", "--all", "--dry-run", "-o", "json");
        assertThat(dry.exitCode()).as(dry.err()).isZero();
        JsonNode outcome = JSON.readTree(dry.out());
        assertThat(outcome.path("dryRun").asBoolean()).isTrue();
        assertThat(outcome.path("remaining").asLong()).isZero();
        SluiceCli.Result discard = cli("dlq", "discard", "index", "--all");
        assertThat(discard.exitCode()).as(discard.err()).isZero();
        assertThat(discard.out()).isEqualTo("discarded 0 entries of sink 'index'; 0 remain in the queue\n");
    }

    @Test
    void contextsSelectTheServerAndToken() throws IOException {
        Map<String, String> env = Map.of("SLUICE_CONFIG", home.resolve(".sluice/config.json").toString());
        assertThat(SluiceCli.execute(env, "sources", "list").exitCode()).isEqualTo(ExitCode.USAGE);
        SluiceCli.Result set = SluiceCli.execute(env, "context", "set", "it", "--server", base, "--token", token);
        assertThat(set.exitCode()).as(set.err()).isZero();
        assertThat(Files.getPosixFilePermissions(home.resolve(".sluice/config.json"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(SluiceCli.execute(env, "context", "set", "bad", "--server", base, "--token", "slu_nope").exitCode()).isZero();

        SluiceCli.Result viaContext = SluiceCli.execute(env, "sources", "list");
        assertThat(viaContext.exitCode()).as(viaContext.err()).isZero();

        assertThat(SluiceCli.execute(env, "context", "use", "bad").exitCode()).isZero();
        SluiceCli.Result refused = SluiceCli.execute(env, "sources", "list");
        assertThat(refused.exitCode()).isEqualTo(ExitCode.UNAUTHORIZED);
        assertThat(refused.err()).contains("from context 'bad'");
        assertThat(SluiceCli.execute(env, "--context", "it", "sources", "list").exitCode()).isZero();

        SluiceCli.Result list = SluiceCli.execute(env, "context", "list");
        assertThat(list.out()).contains("it").contains("*        bad").doesNotContain(token);
        assertThat(SluiceCli.execute(env, "context", "use", "missing").exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(SluiceCli.execute(env, "context", "use", "it").exitCode()).isZero();
        assertThat(SluiceCli.execute(env, "schemas", "list").exitCode()).isZero();
    }

    @Test
    void thePackagedJarRunsOnItsOwn() throws Exception {
        Path jar = Path.of(System.getProperty("sluice.cli.jar", "target/sluice-cli.jar"));
        assertThat(jar).as("built by `mvn package`").isRegularFile();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
                "sources", "show", "nope"));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("SLUICE_SERVER", base);
        pb.environment().put("SLUICE_TOKEN", token);
        pb.environment().put("SLUICE_CONFIG", home.resolve("jar.json").toString());
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(output).contains("nope").contains("`sluice sources list` shows the sources.");
    }

    @Test
    void backfillWatchDrawsABarOnARealTerminalAndPlainLinesOnAPipe() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        db.createCaptureUser("cli_watch", "Cli-Watch-Pw-1");
        db.recreateDatabase("cli_watch");
        db.execute("CREATE TABLE cli_watch.items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL)",
                "INSERT INTO cli_watch.items SELECT seq, CONCAT('item ', seq) FROM cli_watch.seq_1_to_20000");
        streamIntoIndex(db, "watched", "cli_watch", "Cli-Watch-Pw-1", 9600);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path jar = Path.of(System.getProperty("sluice.cli.jar", "target/sluice-cli.jar")).toAbsolutePath();
        String start = java + " -jar " + jar + " backfill start --pipeline watched --chunk-size 500 --rate 10000 --watch";

        // A real pseudo-terminal (util-linux script): the bar redraws its line with carriage returns.
        Process tty = watch(List.of("script", "-qec", start, "/dev/null"));
        String drawn = new String(tty.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tty.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(tty.exitValue()).as(drawn).isZero();
        assertThat(drawn).contains("\r[").contains("] 100%").contains("succeeded");

        // A pipe: one plain line now and then, no control characters.
        Process pipe = watch(List.of(java, "-jar", jar.toString(), "backfill", "start", "--pipeline", "watched", "--chunk-size", "500", "--rate",
                "10000", "--watch"));
        String lines = new String(pipe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(pipe.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(pipe.exitValue()).as(lines).isZero();
        assertThat(lines).doesNotContain("\r").doesNotContain("[#");
        assertThat(lines.lines().toList().get(lines.lines().toList().size() - 1)).matches("backfill \\d+ succeeded: .* rows.*");
    }

    @Test
    void viewsAreAppliedFromAFilePreviewedShownVerifiedAndDeleted() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        db.createCaptureUser("cli_views", "Cli-Views-Pw-1");
        db.recreateDatabase("cli_views");
        db.execute("CREATE TABLE cli_views.customers (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, city VARCHAR(40))",
                "CREATE TABLE cli_views.orders (id INT PRIMARY KEY, customer_id INT NOT NULL, total DECIMAL(10,2) NOT NULL,"
                        + " FOREIGN KEY (customer_id) REFERENCES cli_views.customers (id))",
                "INSERT INTO cli_views.customers VALUES (1, 'Ada', 'Lyon'), (2, 'Grace', 'Arlington')",
                "INSERT INTO cli_views.orders SELECT seq, 1 + seq % 2, seq * 1.5 FROM cli_views.seq_1_to_30");
        streamIntoIndex(db, "viewed", "cli_views", "Cli-Views-Pw-1", 9700);
        Path file = home.resolve("orders.yaml");
        Files.writeString(file, """
                name: cli_orders
                pipeline: viewed
                root: cli_views.orders
                columns: [id, total]
                relations:
                  - name: customer
                    kind: one
                    table: cli_views.customers
                    "on": {customer_id: id}
                    columns: [name, city]
                """);

        SluiceCli.Result preview = cli("views", "preview", "-f", file.toString(), "--key", "7", "-o", "json");
        assertThat(preview.exitCode()).as(preview.err()).isZero();
        JsonNode documents = JSON.readTree(preview.out());
        assertThat(documents).hasSize(1);
        assertThat(documents.get(0).path("customer").path("name").asText()).isEqualTo("Grace");
        assertThat(cli("views", "preview", "-f", file.toString()).out()).contains("---").contains("name: Ada");

        SluiceCli.Result created = cli("views", "apply", "-f", file.toString());
        assertThat(created.exitCode()).as(created.err()).isZero();
        assertThat(created.out()).startsWith("view 'cli_orders' created");
        assertThat(cli("views", "apply", "-f", file.toString()).out()).startsWith("view 'cli_orders' unchanged");
        assertThat(cli("views", "list").out()).contains("cli_orders").contains("cli_views.orders");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!JSON.readTree(cli("views", "show", "cli_orders", "-o", "json").out()).path("rebuilds").path(0).path("state").asText()
                .equals("succeeded")) {
            assertThat(System.nanoTime()).as("the view's documents were not built").isLessThan(deadline);
            Thread.sleep(300);
        }
        SluiceCli.Result verify = cli("verify", "--view", "cli_orders");
        assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
        assertThat(verify.out()).contains("30 rows checked, 0 missing, 0 stale, 0 extra");

        Files.writeString(file, Files.readString(file).replace("[name, city]", "[name, town]").replace("[id, total]", "[id, amount]"));
        SluiceCli.Result invalid = cli("views", "apply", "-f", file.toString());
        assertThat(invalid.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(invalid.err()).contains("invalid request (422)").contains("amount").contains("town").doesNotContain("Exception");
        assertThat(JSON.readTree(cli("views", "show", "cli_orders", "-o", "json").out()).path("definition").path("columns").toString())
                .as("nothing of the refused definition is stored").isEqualTo("[\"id\",\"total\"]");
        Path broken = home.resolve("broken.json");
        Files.writeString(broken, "{\"name\": \"x\",\n \"root\": }");
        SluiceCli.Result syntax = cli("views", "apply", "-f", broken.toString());
        assertThat(syntax.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(syntax.err()).startsWith(broken + " line 2 column");

        assertThat(cli("views", "delete", "cli_orders").exitCode()).isZero();
        assertThat(cli("views", "show", "cli_orders").exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    }

    @Test
    void rulesAreDryRunProposedApprovedAndListed() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        db.createCaptureUser("cli_rules", "Cli-Rules-Pw-1");
        db.recreateDatabase("cli_rules");
        db.execute("CREATE TABLE cli_rules.customers (id INT PRIMARY KEY, email VARCHAR(60) NULL, age INT NOT NULL)",
                "INSERT INTO cli_rules.customers SELECT seq, CONCAT('c', seq, '@example.com'), IF(seq % 4 = 0, -1, 30) FROM cli_rules.seq_1_to_40");
        streamIntoIndex(db, "ruled", "cli_rules", "Cli-Rules-Pw-1", 9800);
        Path file = home.resolve("customers-rules.yaml");
        Files.writeString(file, """
                ruleSet:
                  domainRules:
                    - name: plausibleAge
                      kind: CONDITION
                      type: CEL
                      mode: WRITE
                      expr: message.age >= 0
                      onFailure: DLQ
                    - name: maskEmail
                      kind: TRANSFORM
                      type: CEL_FIELD
                      mode: WRITE
                      tags: [PII]
                      expr: "'XXXX'"
                metadata:
                  tags:
                    "**.email": [PII]
                """);

        SluiceCli.Result dry = cli("rules", "dry-run", "ruled", "cli_rules.customers", "-f", file.toString());
        assertThat(dry.exitCode()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("dry run over 40 rows: 30 pass, would fail: plausibleAge 10");
        SluiceCli.Result proposed = cli("rules", "apply", "ruled", "cli_rules.customers", "-f", file.toString(), "-o", "json");
        assertThat(proposed.exitCode()).as(proposed.err()).isZero();
        long id = JSON.readTree(proposed.out()).path("id").asLong();
        assertThat(cli("rules", "proposals", "--status", "pending").out()).contains("cli_rules.customers").contains("plausibleAge 10");
        SluiceCli.Result approved = cli("rules", "approve", Long.toString(id), "--reason", "checked the dry run");
        assertThat(approved.out()).contains("rule proposal " + id + " approved; its rules are version 2 of ruled.cli_rules.customers-value");
        assertThat(cli("rules", "list").out()).contains("plausibleAge").contains("DLQ").contains("maskEmail");
        assertThat(cli("rules", "show", "ruled", "cli_rules.customers").out()).contains("message.age >= 0");

        Files.writeString(file, Files.readString(file).replace("message.age >= 0", "message.years >= 0").replace("onFailure: DLQ",
                "onFailure: PAGE"));
        SluiceCli.Result invalid = cli("rules", "apply", "ruled", "cli_rules.customers", "-f", file.toString());
        assertThat(invalid.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(invalid.err()).contains("invalid request (422)").contains("years").contains("PAGE").doesNotContain("Exception");
        assertThat(cli("rules", "show", "nope", "cli_rules.customers").exitCode()).isEqualTo(ExitCode.NOT_FOUND);

        // An audit compares the index with the table as the rules let it through: the snapshot's 30 rows that pass were
        // written unmasked before the rules, so they are stale until repaired; the 10 rows kept out are not judged.
        assertThat(cli("audits", "set", "ruled", "--every", "60", "--rows", "1000").out()).startsWith("audit of pipeline 'ruled' set");
        SluiceCli.Result audit = cli("audits", "run", "ruled", "-o", "json");
        assertThat(audit.exitCode()).as(audit.err()).isZero();
        JsonNode result = JSON.readTree(audit.out()).path("lastResults").path(0);
        assertThat(List.of(result.path("rowsChecked").asLong(), result.path("missing").asLong(), result.path("stale").asLong()))
                .containsExactly(40L, 0L, 30L);
        assertThat(cli("audits", "set", "ruled", "--every", "60", "--rows", "1000", "--repair").exitCode()).isZero();
        assertThat(cli("audits", "run", "ruled").out()).contains("cli_rules.customers").contains("index");
        assertThat(JSON.readTree(cli("audits", "run", "ruled", "-o", "json").out()).path("lastResults").path(0).path("stale").asLong()).isZero();
        assertThat(cli("audits", "list").out()).contains("ruled").contains("60 min");
        assertThat(cli("audits", "delete", "ruled").exitCode()).isZero();
        assertThat(cli("audits", "show", "ruled").exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(cli("audits", "set", "ruled", "--every", "0", "--rows", "0").exitCode()).isEqualTo(ExitCode.INVALID);

        // Silences: set, listed, ended; a wrong kind is named with the kinds there are.
        SluiceCli.Result silenced = cli("alerts", "silence", "--kind", "audit-drift", "--subject", "rule*", "--minutes", "60", "--comment", "cli");
        assertThat(silenced.out()).as(silenced.err()).contains("are not sent until");
        long silence = JSON.readTree(cli("alerts", "silences", "-o", "json").out()).path(0).path("id").asLong();
        assertThat(cli("alerts", "silences").out()).contains("audit-drift").contains("rule*").contains("cli");
        assertThat(cli("alerts", "unsilence", Long.toString(silence)).out()).startsWith("silence " + silence + " ended");
        SluiceCli.Result wrongKind = cli("alerts", "silence", "--kind", "oops", "--minutes", "5");
        assertThat(wrongKind.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(wrongKind.err()).contains("'oops' is not an alert kind").contains("source-failed");
        assertThat(cli("alerts", "list").exitCode()).isZero();
        assertThat(cli("alerts", "show", "987654").exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    }

    /** Registers a source of the database and a pipeline of the same name into the Lucene sink, and waits until it streams. */
    private void streamIntoIndex(MariaDbServer db, String name, String database, String password, int serverIds) throws Exception {
        String bearer = "Bearer " + token;
        post("/api/v1/sources", bearer, JSON.writeValueAsString(db.sourceRequest(name, database, password, database,
                serverIds + (int) (Math.random() * 90))));
        post("/api/v1/pipelines", bearer, "{\"name\":\"" + name + "\",\"source\":\"" + name + "\",\"sinks\":[\"index\"]}");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!cli("sources", "status", name, "-o", "json").out().contains("\"streaming\"")) {
            assertThat(System.nanoTime()).as("the source did not start streaming").isLessThan(deadline);
            Thread.sleep(300);
        }
    }

    private Process watch(List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("SLUICE_SERVER", base);
        pb.environment().put("SLUICE_TOKEN", token);
        pb.environment().put("SLUICE_CONFIG", home.resolve("watch.json").toString());
        pb.environment().put("SLUICE_WATCH_INTERVAL_MS", "200");
        pb.environment().put("TERM", "xterm");
        return pb.start();
    }

    private static JsonNode post(String path, String authorization, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", authorization)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isBetween(200, 299);
        return JSON.readTree(r.body());
    }

    private static void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new AssertionError("the server exited with " + server.exitValue() + "; its log:\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the server was not ready after " + timeout.toSeconds() + " s; its log:\n" + Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
