package io.sluice.cli;

import static io.sluice.cli.ApiClient.seg;
import static io.sluice.cli.Text.field;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code sluice dlq}: a sink's dead-letter queue ({@code /api/v1/sinks/{sink}/dead-letters}). */
@Command(name = "dlq", description = "Dead letters: events a sink refused. List them by error; replay or discard some, a group or all.",
        footerHeading = "%nExamples:%n",
        footer = {"  sluice dlq list index", "  sluice dlq replay index --ids 12,13", "  sluice dlq replay index --all --dry-run",
            "  sluice dlq discard cache --group \"WRONGTYPE Operation against a key holding the wrong kind of value\""})
final class DlqCommand {
    private static final String HINT = "`sluice dlq list SINK` needs a sink the server has; the UI lists them under Sinks.";

    @ParentCommand
    SluiceCli root;

    /** Which entries: exactly one of these. */
    static final class Selection {
        @Option(names = "--ids", split = ",", paramLabel = "ID", required = true, description = "These entries (comma-separated ids).")
        List<Long> ids;

        @Option(names = "--group", paramLabel = "GROUP", required = true, description = "Every entry of this group (as `dlq list` shows it).")
        String group;

        @Option(names = "--all", required = true, description = "Every entry of the sink.")
        boolean all;
    }

    @Command(name = "list", description = "The sink's dead letters, grouped by error.")
    int list(@Parameters(paramLabel = "SINK", description = "The sink.") String sink,
            @Option(names = "--limit", defaultValue = "1000", paramLabel = "N", description = "At most this many entries (default ${DEFAULT-VALUE}).")
            int limit) {
        JsonNode groups = root.api().get("api/v1/sinks/" + seg(sink) + "/dead-letters?limit=" + limit, HINT);
        root.print(groups, out -> {
            if (groups.isEmpty()) {
                root.err().println("no dead letters in sink '" + sink + "'");
                return;
            }
            boolean first = true;
            for (JsonNode g : groups) {
                if (!first) {
                    out.println();
                }
                first = false;
                out.println("group: " + field(g, "group") + "  (" + field(g, "count") + " entries)");
                out.println("example: " + field(g, "example"));
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode e : g.path("entries")) {
                    rows.add(List.of(field(e, "id"), field(e, "table"), field(e, "operation"), field(e, "version"), field(e, "key"),
                            field(e, "attempts"), field(e, "createdAt")));
                }
                Text.table(out, List.of("ID", "TABLE", "OP", "VERSION", "KEY", "ATTEMPTS", "CREATED"), rows);
            }
        });
        return ExitCode.OK;
    }

    @Command(name = "replay", description = "Sends entries to the sink again; those that land leave the queue. Exit 1 if some did not land.")
    int replay(@Parameters(paramLabel = "SINK", description = "The sink.") String sink,
            @ArgGroup(exclusive = true, multiplicity = "1") Selection selection,
            @Option(names = "--dry-run", description = "Report what would happen, change nothing.") boolean dryRun) {
        JsonNode outcome = root.api().post("api/v1/sinks/" + seg(sink) + "/dead-letters/replay", body(selection, dryRun), HINT);
        int asked = outcome.path("ids").size();
        int done = outcome.path("done").asInt();
        root.print(outcome, out -> {
            if (dryRun) {
                out.println("dry run: " + asked + " entries would land in sink '" + sink + "'" + (asked == 0 ? "" : " (ids " + Text.value(outcome.path("ids"))
                        + ")") + "; nothing changed; " + field(outcome, "remaining") + " in the queue");
            } else {
                out.println("replayed " + done + " of " + asked + " entries to sink '" + sink + "'; " + field(outcome, "remaining") + " remain in the queue");
            }
        });
        if (!dryRun && done < asked) {
            root.err().println((asked - done) + " of " + asked + " entries did not land and stay in the queue: `sluice dlq list " + sink
                    + "` shows why");
            return ExitCode.FAILED;
        }
        return ExitCode.OK;
    }

    @Command(name = "discard", description = "Removes entries from the queue without sending them.")
    int discard(@Parameters(paramLabel = "SINK", description = "The sink.") String sink,
            @ArgGroup(exclusive = true, multiplicity = "1") Selection selection,
            @Option(names = "--dry-run", description = "Report what would happen, change nothing.") boolean dryRun) {
        JsonNode outcome = root.api().post("api/v1/sinks/" + seg(sink) + "/dead-letters/discard", body(selection, dryRun), HINT);
        root.print(outcome, out -> out.println((dryRun ? "dry run: would discard " + outcome.path("ids").size() : "discarded " + field(outcome, "done"))
                + " entries of sink '" + sink + "'; " + field(outcome, "remaining") + " remain in the queue"));
        return ExitCode.OK;
    }

    private static Map<String, Object> body(Selection s, boolean dryRun) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (s.ids != null) {
            body.put("ids", s.ids);
        } else if (s.group != null) {
            body.put("group", s.group);
        } else {
            body.put("all", true);
        }
        body.put("dryRun", dryRun);
        return body;
    }
}
