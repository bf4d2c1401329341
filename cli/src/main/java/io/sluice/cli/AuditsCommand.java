package io.sluice.cli;

import static io.sluice.cli.ApiClient.seg;
import static io.sluice.cli.Text.field;
import static io.sluice.cli.Text.pair;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sluice audits}: continuous audits ({@code /api/v1/audits}): a pipeline's tables verified against its sinks
 * every few minutes, a rolling range of keys at a time.
 */
@Command(name = "audits", description = "Continuous audits (sampled verification on a schedule): list, show, set, run, delete.",
        footerHeading = "%nExamples:%n",
        footer = {"  sluice audits set shop --every 10 --rows 50000", "  sluice audits set shop --every 10 --rows 50000 --repair",
            "  sluice audits run shop", "  sluice audits show shop -o json"})
final class AuditsCommand {
    private static final String HINT = "`sluice audits list` shows the audits; `sluice audits set PIPELINE` makes one.";

    @ParentCommand
    SluiceCli root;

    @Command(name = "list", description = "Every audit with its schedule and the drift its last run found.")
    int list() {
        JsonNode audits = root.api().get("api/v1/audits", null);
        root.print(audits, out -> {
            if (audits.isEmpty()) {
                root.err().println("no audits yet: `sluice audits set PIPELINE --every MINUTES --rows N`");
                return;
            }
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode a : audits) {
                long drift = 0;
                for (JsonNode r : a.path("lastResults")) {
                    drift += r.path("missing").asLong() + r.path("stale").asLong() + r.path("extra").asLong();
                }
                rows.add(List.of(field(a, "pipeline"), field(a, "intervalMinutes") + " min", field(a, "sampleRows"), a.path("repair").asBoolean()
                        ? "yes" : "no", field(a, "lastRunAt"), a.path("lastRunAt").isNull() ? Text.NONE : Long.toString(drift)));
            }
            Text.table(out, List.of("PIPELINE", "EVERY", "ROWS", "REPAIR", "LAST RUN", "DRIFT"), rows);
        });
        return ExitCode.OK;
    }

    @Command(name = "show", description = "An audit's settings and its last run's results per table and sink.")
    int show(@Parameters(paramLabel = "PIPELINE") String pipeline) {
        JsonNode audit = root.api().get("api/v1/audits/" + seg(pipeline), HINT);
        root.print(audit, out -> print(out, audit));
        return ExitCode.OK;
    }

    @Command(name = "set", description = "Sets a pipeline's audit; it first runs one interval from now (or `sluice audits run`).")
    int set(@Parameters(paramLabel = "PIPELINE") String pipeline,
            @Option(names = "--every", required = true, paramLabel = "MINUTES", description = "How often, 1 to 1440 minutes.") int every,
            @Option(names = "--rows", required = true, paramLabel = "N", description = "Rows of each table per run.") int rows,
            @Option(names = "--repair", description = "Repair what differs (the source must run).") boolean repair) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("intervalMinutes", every);
        body.put("sampleRows", rows);
        body.put("repair", repair);
        JsonNode audit = root.api().send("PUT", "api/v1/audits/" + seg(pipeline), body, "no pipeline of that name: the UI's Pipelines"
                + " page lists them.");
        root.print(audit, out -> out.println("audit of pipeline '" + pipeline + "' set: every " + every + " min, " + rows + " rows of each table"
                + (repair ? ", repairing" : "") + "; first run at " + field(audit, "nextRunAt")));
        return ExitCode.OK;
    }

    @Command(name = "run", description = "Runs a pipeline's audit now and prints what it found.")
    int run(@Parameters(paramLabel = "PIPELINE") String pipeline) {
        JsonNode audit = root.api().post("api/v1/audits/" + seg(pipeline) + "/run", null, HINT);
        root.print(audit, out -> print(out, audit));
        return ExitCode.OK;
    }

    @Command(name = "delete", description = "Deletes a pipeline's audit.")
    int delete(@Parameters(paramLabel = "PIPELINE") String pipeline) {
        root.api().send("DELETE", "api/v1/audits/" + seg(pipeline), null, HINT);
        if (!root.json()) {
            root.out().println("audit of pipeline '" + pipeline + "' deleted");
        }
        return ExitCode.OK;
    }

    private static void print(PrintWriter out, JsonNode audit) {
        Text.fields(out, List.of(pair("pipeline", field(audit, "pipeline")), pair("every", field(audit, "intervalMinutes") + " min"),
                pair("rows per run", field(audit, "sampleRows")), pair("repair", audit.path("repair").asBoolean() ? "yes" : "no"),
                pair("last run", field(audit, "lastRunAt")), pair("next run", field(audit, "nextRunAt"))));
        if (audit.path("lastResults").isEmpty()) {
            return;
        }
        out.println();
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode r : audit.path("lastResults")) {
            rows.add(List.of(field(r, "table"), field(r, "sink"), field(r, "rowsChecked"), field(r, "missing"), field(r, "stale"),
                    r.path("extraChecked").asBoolean() ? field(r, "extra") : "-", field(r, "repaired"), r.path("error").asText("")));
        }
        Text.table(out, List.of("TABLE", "SINK", "ROWS", "MISSING", "STALE", "EXTRA", "REPAIRED", "ERROR"), rows);
    }
}
