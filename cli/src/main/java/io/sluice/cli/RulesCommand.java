package io.sluice.cli;

import static io.sluice.cli.ApiClient.seg;
import static io.sluice.cli.Text.field;
import static io.sluice.cli.Text.pair;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sluice rules}: data contracts ({@code /api/v1/rules}): each table's rules with their counts, a dry run of a
 * rule set over the live table, and rule changes through review (apply proposes; approve or reject decides; delete
 * proposes removing every rule).
 */
@Command(name = "rules", description = "Data contracts (quality rules in CEL): list, show, dry-run, apply (propose) from a file, approve,"
        + " reject, delete; holds and release for a source an ERROR rule holds.",
        footerHeading = "%nExamples:%n",
        footer = {"  sluice rules list", "  sluice rules dry-run shop shop.customers -f customers-rules.yaml", "  sluice rules apply shop"
                + " shop.customers -f customers-rules.yaml", "  sluice rules proposals --status pending", "  sluice rules approve 3 --reason"
                + " \"checked the dry run\"", "  sluice rules show shop shop.customers -o yaml", "  sluice rules holds", "  sluice rules release shop"})
final class RulesCommand {
    private static final String HINT = "`sluice rules list` shows the tables with rules; `sluice sources list` the sources.";
    private static final String SHAPE = "one object with a \"ruleSet\" holding \"domainRules\", in Confluent's shape, and optionally"
            + " \"metadata\" with field tags (docs/contracts.md shows one)";

    enum Status { pending, approved, rejected }

    @ParentCommand
    SluiceCli root;

    @Command(name = "list", description = "Every table with rules, each rule with how often it ran and failed since its source started.")
    int list(@Option(names = "--source", paramLabel = "SOURCE", description = "Only this source's tables.") String source) {
        JsonNode tables = root.api().get("api/v1/rules" + (source == null ? "" : "?source=" + seg(source)), null);
        root.print(tables, out -> {
            if (tables.isEmpty()) {
                root.err().println("no table has rules yet: write a rule set to a file and `sluice rules apply SOURCE DB.TABLE -f FILE`");
                return;
            }
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode t : tables) {
                for (JsonNode c : t.path("counts")) {
                    rows.add(List.of(field(t, "source"), field(t, "table"), field(c, "rule"), action(t, c.path("rule").asText()), field(c,
                            "evaluated"), field(c, "failed")));
                }
            }
            Text.table(out, List.of("SOURCE", "TABLE", "RULE", "ON FAILURE", "EVALUATED", "FAILED"), rows);
        });
        return ExitCode.OK;
    }

    @Command(name = "show", description = "A table's rules in force, its field tags and the registry version that carries them.")
    int show(@Parameters(index = "0", paramLabel = "SOURCE") String source,
            @Parameters(index = "1", paramLabel = "DB.TABLE") String table) {
        JsonNode rules = root.api().get(path(source, table), HINT);
        root.print(rules, out -> {
            Text.fields(out, List.of(pair("subject", field(rules, "subject")), pair("version", field(rules, "version"))));
            out.println();
            Text.yaml(out, rules.path("ruleSet"));
            if (!rules.path("metadata").isMissingNode() && !rules.path("metadata").isEmpty()) {
                Text.yaml(out, rules.path("metadata"));
            }
        });
        return ExitCode.OK;
    }

    @Command(name = "dry-run", description = "Runs a rule set from a file over the table's first rows (by primary key) as they are now:"
            + " how many each rule fails, with examples. Nothing is stored or written.")
    int dryRun(@Parameters(index = "0", paramLabel = "SOURCE") String source,
            @Parameters(index = "1", paramLabel = "DB.TABLE") String table,
            @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "A rule set in JSON or YAML.") Path file,
            @Option(names = "--sample", paramLabel = "ROWS", description = "How many rows (default: the server's, 1,000).") Integer sample) {
        JsonNode result = root.api().post(path(source, table) + "/dry-run", body(file, sample), HINT);
        root.print(result, out -> printDryRun(out, result));
        return ExitCode.OK;
    }

    @Command(name = "apply", description = "Proposes the rule set a file holds for a table, with its dry run; it takes effect when a"
            + " reviewer approves it (`sluice rules approve ID`).")
    int apply(@Parameters(index = "0", paramLabel = "SOURCE") String source,
            @Parameters(index = "1", paramLabel = "DB.TABLE") String table,
            @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "A rule set in JSON or YAML.") Path file,
            @Option(names = "--sample", paramLabel = "ROWS", description = "How many rows the dry run reads.") Integer sample) {
        JsonNode proposal = root.api().post(path(source, table) + "/proposals", body(file, sample), HINT);
        root.print(proposal, out -> printProposal(out, proposal));
        return ExitCode.OK;
    }

    @Command(name = "delete", description = "Proposes removing every rule of a table; it takes effect when a reviewer approves it.")
    int delete(@Parameters(index = "0", paramLabel = "SOURCE") String source,
            @Parameters(index = "1", paramLabel = "DB.TABLE") String table) {
        JsonNode proposal = root.api().post(path(source, table) + "/proposals", Map.of("ruleSet", Map.of("domainRules", List.of())), HINT);
        root.print(proposal, out -> printProposal(out, proposal));
        return ExitCode.OK;
    }

    @Command(name = "proposals", description = "Rule proposals, newest first.")
    int proposals(@Option(names = "--status", paramLabel = "STATUS", description = "Only these: pending, approved or rejected.") Status status) {
        JsonNode all = root.api().get("api/v1/rules/proposals" + (status == null ? "" : "?status=" + status), null);
        root.print(all, out -> {
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode p : all) {
                rows.add(List.of(field(p, "id"), field(p, "source"), field(p, "table"), field(p, "state"), String.valueOf(p.path("diff").size()),
                        field(p.path("dryRun"), "rows"), failed(p.path("dryRun")), field(p, "proposedBy")));
            }
            Text.table(out, List.of("ID", "SOURCE", "TABLE", "STATE", "CHANGES", "DRY-RUN ROWS", "WOULD FAIL", "BY"), rows);
        });
        return ExitCode.OK;
    }

    @Command(name = "approve", description = "Approves a rule proposal: its rules take effect with the table's next changes.")
    int approve(@Parameters(paramLabel = "ID") long id,
            @Option(names = "--reason", paramLabel = "TEXT", description = "Why, for the history.") String reason) {
        return decide(id, "approve", reason);
    }

    @Command(name = "reject", description = "Rejects a rule proposal; the rules in force stay.")
    int reject(@Parameters(paramLabel = "ID") long id,
            @Option(names = "--reason", paramLabel = "TEXT", description = "Why, for the history.") String reason) {
        return decide(id, "reject", reason);
    }

    @Command(name = "holds", description = "Sources an ERROR rule holds, each with the change it holds it on.")
    int holds() {
        JsonNode all = root.api().get("api/v1/rules/holds", null);
        root.print(all, out -> {
            if (all.isEmpty()) {
                root.err().println("no rule holds a source");
                return;
            }
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode h : all) {
                rows.add(List.of(field(h, "source"), field(h, "table"), field(h, "rule"), field(h, "key"), field(h, "position")));
            }
            Text.table(out, List.of("SOURCE", "TABLE", "RULE", "KEY", "POSITION"), rows);
        });
        return ExitCode.OK;
    }

    @Command(name = "release", description = "Sends the change an ERROR rule holds a source on to its sinks' dead letters, and starts the"
            + " source again: capture goes on after that change.")
    int release(@Parameters(paramLabel = "SOURCE") String source) {
        JsonNode h = root.api().post("api/v1/rules/holds/" + seg(source) + "/dead-letter", Map.of(), "`sluice rules holds` lists the sources"
                + " held.");
        root.print(h, out -> out.println("the change of " + field(h, "table") + " with key " + field(h, "key") + " goes to the dead letters"
                + " (rule " + field(h, "rule") + "); source " + source + " starts again"));
        return ExitCode.OK;
    }

    private int decide(long id, String verb, String reason) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (reason != null) {
            body.put("reason", reason);
        }
        JsonNode p = root.api().post("api/v1/rules/proposals/" + id + "/" + verb, body, "`sluice rules proposals` lists the proposals.");
        root.print(p, out -> out.println("rule proposal " + id + " " + field(p, "state") + (p.path("version").isNumber() ? "; its rules are"
                + " version " + field(p, "version") + " of " + field(p, "source") + "." + field(p, "table") + "-value" : "")));
        return ExitCode.OK;
    }

    private static String path(String source, String table) {
        return "api/v1/rules/" + seg(source) + "/" + seg(table);
    }

    private static Map<String, Object> body(Path file, Integer sample) {
        JsonNode tree = DefinitionFile.read(file, "a rule set", SHAPE);
        if (!tree.has("ruleSet")) {
            throw new CliException(ExitCode.INVALID, file + ": has no \"ruleSet\"; a rule set file is " + SHAPE);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ruleSet", tree.get("ruleSet"));
        if (tree.has("metadata")) {
            body.put("metadata", tree.get("metadata"));
        }
        if (sample != null) {
            body.put("sample", sample);
        }
        return body;
    }

    private void printProposal(PrintWriter out, JsonNode p) {
        out.println("rule proposal " + field(p, "id") + " for " + field(p, "source") + " " + field(p, "table") + ": " + field(p, "state"));
        for (JsonNode c : p.path("diff")) {
            out.println("  " + field(c, "kind") + " " + field(c, "rule") + (c.path("after").isObject() ? ": " + field(c.path("after"), "expr")
                    + " (on failure " + c.path("after").path("onFailure").asText("NONE") + ")" : ""));
        }
        out.println();
        printDryRun(out, p.path("dryRun"));
        out.println();
        out.println("a reviewer approves it with `sluice rules approve " + field(p, "id") + "`");
    }

    private static void printDryRun(PrintWriter out, JsonNode r) {
        out.println("dry run over " + field(r, "rows") + " rows: " + field(r, "passed") + " pass, would fail: " + failed(r));
        for (JsonNode e : r.path("examples")) {
            out.println("  " + field(e, "rule") + " on " + field(e, "key") + ": " + e.path("values") + " (" + field(e, "reason") + ")");
        }
    }

    private static String failed(JsonNode dryRun) {
        if (dryRun.path("failed").isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        dryRun.path("failed").fields().forEachRemaining(f -> parts.add(f.getKey() + " " + f.getValue().asText()));
        return String.join(", ", parts);
    }

    private static String action(JsonNode table, String rule) {
        for (JsonNode r : table.path("ruleSet").path("domainRules")) {
            if (rule.equals(r.path("name").asText())) {
                return r.path("onFailure").asText("NONE");
            }
        }
        return Text.NONE;
    }
}
