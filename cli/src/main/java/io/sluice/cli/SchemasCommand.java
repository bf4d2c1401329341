package io.sluice.cli;

import static io.sluice.cli.Text.field;
import static io.sluice.cli.Text.pair;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code sluice schemas}: schema review proposals ({@code /api/v1/schemas/proposals}). */
@Command(name = "schemas", description = "Schema review: list, show, approve or reject proposed schema changes.",
        footerHeading = "%nExamples:%n",
        footer = {"  sluice schemas list --status pending", "  sluice schemas show 7",
            "  sluice schemas approve 7 --reason \"new nullable column, reviewed with the search team\"",
            "  sluice schemas approve 8 --reason \"one-off rename, consumers updated\" --level NONE",
            "  sluice schemas reject 9 --reason \"drops a column the cache still reads\""})
final class SchemasCommand {
    private static final String HINT = "`sluice schemas list` shows the proposals.";

    /** The states a proposal can be in. */
    enum Status { pending, approved, rejected }

    @ParentCommand
    SluiceCli root;

    @Command(name = "list", description = "Proposals, newest first.")
    int list(@Option(names = "--status", paramLabel = "STATUS", description = "Only these: pending, approved or rejected.") Status status) {
        JsonNode proposals = root.api().get("api/v1/schemas/proposals" + (status == null ? "" : "?" + ApiClient.query("status", status.name())),
                null);
        root.print(proposals, out -> {
            if (proposals.isEmpty()) {
                root.err().println("no " + (status == null ? "" : status + " ") + "proposals");
                return;
            }
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode p : proposals) {
                rows.add(List.of(field(p, "id"), field(p, "subject"), field(p, "status").toLowerCase(Locale.ROOT),
                        field(p, "origin").toLowerCase(Locale.ROOT), Integer.toString(p.path("diff").size()), incompatible(p),
                        field(p, "createdAt"), field(p, "createdBy"), field(p, "decidedBy")));
            }
            Text.table(out, List.of("ID", "SUBJECT", "STATUS", "ORIGIN", "CHANGES", "INCOMPATIBLE-UNDER", "CREATED", "BY", "DECIDED-BY"), rows);
        });
        return ExitCode.OK;
    }

    @Command(name = "show", description = "A proposal: its field changes, Avro's verdict per compatibility level, the decision and comments.")
    int show(@Parameters(paramLabel = "ID", description = "The proposal's id.") long id) {
        JsonNode view = root.api().get("api/v1/schemas/proposals/" + id, HINT);
        root.print(view, out -> {
            JsonNode p = view.path("proposal");
            List<String[]> pairs = new ArrayList<>();
            pairs.add(pair("id", field(p, "id")));
            pairs.add(pair("subject", field(p, "subject")));
            pairs.add(pair("status", field(p, "status").toLowerCase(Locale.ROOT)));
            pairs.add(pair("origin", field(p, "origin").toLowerCase(Locale.ROOT)));
            pairs.add(pair("created", field(p, "createdAt") + " by " + field(p, "createdBy")));
            pairs.add(pair("decided", p.hasNonNull("decidedAt") ? field(p, "decidedAt") + " by " + field(p, "decidedBy") : Text.NONE));
            pairs.add(pair("reason", field(p, "decisionReason")));
            pairs.add(pair("level override", field(p, "levelOverride")));
            pairs.add(pair("registered schema id", field(p, "registeredSchemaId")));
            pairs.add(pair("previous schema id", field(p, "previousSchemaId")));
            pairs.add(pair("ddl", field(p, "ddl")));
            pairs.add(pair("schema", p.hasNonNull("schema") ? p.get("schema").asText().length() + " characters (-o json shows it)" : Text.NONE));
            Text.fields(out, pairs);
            List<List<String>> diff = new ArrayList<>();
            for (JsonNode c : p.path("diff")) {
                diff.add(List.of(field(c, "kind").toLowerCase(Locale.ROOT), field(c, "field"), field(c, "before"), field(c, "after")));
            }
            out.println();
            if (diff.isEmpty()) {
                out.println("no field changes");
            } else {
                Text.table(out, List.of("CHANGE", "FIELD", "BEFORE", "AFTER"), diff);
            }
            List<List<String>> verdicts = new ArrayList<>();
            verdicts(p).forEach((level, v) -> verdicts.add(List.of(level, v.path("compatible").asBoolean() ? "yes" : "no",
                    Text.value(v.path("messages")))));
            if (!verdicts.isEmpty()) {
                out.println();
                Text.table(out, List.of("LEVEL", "COMPATIBLE", "WHY NOT"), verdicts);
            }
            JsonNode comments = view.path("comments");
            if (!comments.isEmpty()) {
                out.println();
                for (JsonNode c : comments) {
                    out.println(field(c, "createdAt") + "  " + field(c, "author") + ": " + field(c, "body"));
                }
            }
        });
        return ExitCode.OK;
    }

    @Command(name = "approve", description = "Approves a pending proposal: the schema is registered and capture continues.")
    int approve(@Parameters(paramLabel = "ID", description = "The proposal's id.") long id,
            @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why; recorded in the audit log.") String reason,
            @Option(names = "--level", paramLabel = "LEVEL",
                    description = "Let this one version through under another compatibility level, for example NONE.") String level) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("reason", reason);
        body.put("levelOverride", level);
        JsonNode p;
        try {
            p = root.api().post("api/v1/schemas/proposals/" + id + "/approve", body, HINT);
        } catch (CliException e) {
            if (level == null && String.valueOf(e.getMessage()).contains("incompatible")) {
                throw new CliException(e.exitCode(), e.getMessage() + "\nTo let this one version through: sluice schemas approve " + id
                        + " --reason \"...\" --level NONE", e.details());
            }
            throw e;
        }
        JsonNode approved = p;
        root.print(p, out -> out.println("proposal " + id + " (" + field(approved, "subject") + "): " + field(approved, "status")
                .toLowerCase(Locale.ROOT) + (approved.hasNonNull("registeredSchemaId") ? ", registered as schema id "
                + field(approved, "registeredSchemaId") : "")));
        return ExitCode.OK;
    }

    @Command(name = "reject", description = "Rejects a pending proposal; a source held by it stays paused.")
    int reject(@Parameters(paramLabel = "ID", description = "The proposal's id.") long id,
            @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why; recorded in the audit log.") String reason) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("reason", reason);
        JsonNode p = root.api().post("api/v1/schemas/proposals/" + id + "/reject", body, HINT);
        root.print(p, out -> out.println("proposal " + id + " (" + field(p, "subject") + "): " + field(p, "status").toLowerCase(Locale.ROOT)));
        return ExitCode.OK;
    }

    private static Map<String, JsonNode> verdicts(JsonNode p) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        p.path("verdicts").fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }

    /** The levels under which the proposal is incompatible. */
    private static String incompatible(JsonNode p) {
        List<String> levels = new ArrayList<>();
        verdicts(p).forEach((level, v) -> {
            if (!v.path("compatible").asBoolean(true)) {
                levels.add(level);
            }
        });
        return levels.isEmpty() ? Text.NONE : String.join(",", levels);
    }
}
