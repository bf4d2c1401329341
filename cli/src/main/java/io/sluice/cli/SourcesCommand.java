package io.sluice.cli;

import static io.sluice.cli.ApiClient.seg;
import static io.sluice.cli.Text.field;
import static io.sluice.cli.Text.pair;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code sluice sources}: list, show, status, preflight, start, stop, pause, resume ({@code /api/v1/sources}). */
@Command(name = "sources", description = "Source databases: list, show, status, preflight; start, stop, pause, resume capture.",
        footerHeading = "%nExamples:%n",
        footer = {"  sluice sources list", "  sluice sources preflight shop", "  sluice sources start shop", "  sluice sources status shop -o json"})
final class SourcesCommand {
    private static final String HINT = "`sluice sources list` shows the sources.";

    @ParentCommand
    SluiceCli root;

    @Command(name = "list", description = "Every source with its state.")
    int list() {
        JsonNode sources = root.api().get("api/v1/sources", null);
        root.print(sources, out -> {
            if (sources.isEmpty()) {
                root.err().println("no sources yet: create one in the UI or with POST /api/v1/sources");
                return;
            }
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode s : sources) {
                JsonNode st = s.path("status");
                JsonNode settings = s.path("settings");
                rows.add(List.of(field(s, "name"), field(settings, "type"), field(settings, "host") + ":" + field(settings, "port"),
                        field(st, "state"), field(st, "desired"), String.format(java.util.Locale.ROOT, "%.1f", st.path("eventsPerSecond").asDouble()),
                        ms(st.get("lagMs")), field(st, "pipelines"), field(st, "reason")));
            }
            Text.table(out, List.of("NAME", "TYPE", "HOST", "STATE", "DESIRED", "EVENTS/S", "LAG", "PIPELINES", "REASON"), rows);
        });
        return ExitCode.OK;
    }

    @Command(name = "show", description = "A source's settings (never its password) and status.")
    int show(@Parameters(paramLabel = "NAME", description = "The source.") String name) {
        JsonNode source = root.api().get("api/v1/sources/" + seg(name), HINT);
        root.print(source, out -> {
            List<String[]> pairs = new ArrayList<>();
            pairs.add(pair("name", field(source, "name")));
            new TreeMap<String, JsonNode>(toMap(source.path("settings"))).forEach((k, v) -> pairs.add(pair(k, Text.value(v))));
            Text.fields(out, pairs);
            out.println();
            status(out, source.path("status"));
        });
        return ExitCode.OK;
    }

    @Command(name = "status", description = "What a source is doing: state, lag, freshness, events, sinks.")
    int status(@Parameters(paramLabel = "NAME", description = "The source.") String name) {
        JsonNode status = root.api().get("api/v1/sources/" + seg(name) + "/status", HINT);
        root.print(status, out -> status(out, status));
        return ExitCode.OK;
    }

    @Command(name = "preflight", description = "Checks the source's database: grants, binlog settings, GTIDs, retention. Exit 1 when a check fails.")
    int preflight(@Parameters(paramLabel = "NAME", description = "The source.") String name) {
        JsonNode report = root.api().post("api/v1/sources/" + seg(name) + "/preflight", null, HINT);
        int errors = 0;
        for (JsonNode f : report.path("findings")) {
            if ("ERROR".equals(f.path("severity").asText())) {
                errors++;
            }
        }
        root.print(report, out -> {
            for (JsonNode f : report.path("findings")) {
                String severity = f.path("severity").asText();
                out.println(String.format("%-8s %s: %s", severity, field(f, "check"), field(f, "message")));
                if (!"OK".equals(severity) && f.hasNonNull("fix")) {
                    out.println("         fix: " + field(f, "fix"));
                }
            }
        });
        if (errors > 0) {
            root.err().println("the preflight of source '" + name + "' found " + errors + " error(s): fix them (each says how), then"
                    + " `sluice sources preflight " + name + "` again");
            return ExitCode.FAILED;
        }
        return ExitCode.OK;
    }

    @Command(name = "start", description = "Starts capture; refused when the preflight finds errors, unless --force.")
    int start(@Parameters(paramLabel = "NAME", description = "The source.") String name,
            @Option(names = "--force", description = "Start even though the preflight finds errors.") boolean force) {
        return control(name, "start" + (force ? "?force=true" : ""));
    }

    @Command(name = "stop", description = "Stops capture; the source stays stopped across server restarts.")
    int stop(@Parameters(paramLabel = "NAME", description = "The source.") String name) {
        return control(name, "stop");
    }

    @Command(name = "pause", description = "Pauses capture; resume continues where it stopped.")
    int pause(@Parameters(paramLabel = "NAME", description = "The source.") String name) {
        return control(name, "pause");
    }

    @Command(name = "resume", description = "Resumes a paused source.")
    int resume(@Parameters(paramLabel = "NAME", description = "The source.") String name) {
        return control(name, "resume");
    }

    private int control(String name, String action) {
        JsonNode status = root.api().post("api/v1/sources/" + seg(name) + "/" + action, null, HINT);
        root.print(status, out -> out.println("source '" + name + "': " + field(status, "state") + " (wanted: " + field(status, "desired")
                + ")" + (status.hasNonNull("reason") ? "; " + field(status, "reason") : "")));
        return ExitCode.OK;
    }

    static void status(PrintWriter out, JsonNode st) {
        List<String[]> pairs = new ArrayList<>();
        pairs.add(pair("state", field(st, "state") + " (wanted: " + field(st, "desired") + ")"));
        pairs.add(pair("reason", field(st, "reason")));
        pairs.add(pair("fix", field(st, "fix")));
        pairs.add(pair("lag", ms(st.get("lagMs"))));
        pairs.add(pair("freshness", ms(st.get("freshnessMs"))));
        pairs.add(pair("events/s", String.format(java.util.Locale.ROOT, "%.1f", st.path("eventsPerSecond").asDouble())));
        pairs.add(pair("events", field(st, "eventsTotal")));
        pairs.add(pair("position", field(st, "lastPosition")));
        pairs.add(pair("restarts", field(st, "restarts")));
        pairs.add(pair("started", field(st, "startedAt")));
        pairs.add(pair("pipelines", field(st, "pipelines")));
        Text.fields(out, pairs);
        JsonNode sinks = st.path("sinks");
        if (sinks.isArray() && !sinks.isEmpty()) {
            out.println();
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode s : sinks) {
                rows.add(List.of(field(s, "sink"), s.path("healthy").asBoolean() ? "yes" : "no", field(s, "failingSince"), field(s, "retries"),
                        field(s, "deadLetters"), field(s, "lastError")));
            }
            Text.table(out, List.of("SINK", "HEALTHY", "FAILING-SINCE", "RETRIES", "DEAD-LETTERS", "LAST-ERROR"), rows);
        }
    }

    static String ms(JsonNode v) {
        return v == null || v.isNull() ? Text.NONE : v.asLong() + " ms";
    }

    private static java.util.Map<String, JsonNode> toMap(JsonNode object) {
        java.util.Map<String, JsonNode> m = new java.util.LinkedHashMap<>();
        object.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }
}
