package io.sluice.cli;

import static io.sluice.cli.ApiClient.seg;
import static io.sluice.cli.Text.field;
import static io.sluice.cli.Text.pair;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sluice sources}: list, show, status, preflight, start, stop, pause, resume, recover ({@code /api/v1/sources}).
 */
@Command(name = "sources", description = "Source databases: list, show, status, preflight; start, stop, pause, resume capture; recover"
        + " one whose binlog position is gone.",
        footerHeading = "%nExamples:%n",
        footer = {"  sluice sources list", "  sluice sources preflight shop", "  sluice sources start shop", "  sluice sources status shop -o json",
            "  sluice sources recover shop --wait"})
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
                        field(st, "state"), field(st, "desired"), String.format(Locale.ROOT, "%.1f", st.path("eventsPerSecond").asDouble()),
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

    @Command(name = "recover", description = "Recovers a source failed with BINLOG_PURGED or SCHEMA_HISTORY_MISSING in one command: sets"
            + " its stored offsets aside, snapshots it again (its settings stay), waits until it streams, then verifies every table"
            + " against each sink with repair. Exit 0 when it succeeded (or started, without --wait), 1 when it failed, 7 when there is"
            + " nothing to recover from.")
    int recover(@Parameters(paramLabel = "NAME", description = "The source.") String name,
            @Option(names = "--wait", description = "Follow the recovery to its end, a line per step, then print each verification's"
                    + " counts.") boolean wait) {
        JsonNode started = root.api().post("api/v1/sources/" + seg(name) + "/recover", null, HINT);
        if (wait) {
            return follow(name, started);
        }
        root.print(started, out -> {
            out.println("recovery " + field(started, "id") + " of source '" + name + "' started (" + field(started, "cause") + "): "
                    + field(started, "progress"));
            out.println("follow it with `sluice sources recovery " + name + " " + field(started, "id") + " --wait`");
        });
        return ExitCode.OK;
    }

    @Command(name = "recovery", description = "A source's latest recovery, or the one with ID: phase, verifications and their counts."
            + " Exit 0 unless it failed.")
    int recovery(@Parameters(index = "0", paramLabel = "NAME", description = "The source.") String name,
            @Parameters(index = "1", arity = "0..1", paramLabel = "ID", description = "The recovery (default: the latest).") String id,
            @Option(names = "--wait", description = "Follow a running recovery to its end (see recover --wait).") boolean wait,
            @Option(names = "--cancel", description = "Cancel the running recovery (its verification stops, what it repaired stays),"
                    + " then show it.") boolean cancel) {
        JsonNode r;
        if (id == null) {
            JsonNode all = root.api().get("api/v1/sources/" + seg(name) + "/recoveries", HINT);
            if (all.isEmpty()) {
                throw new CliException(ExitCode.NOT_FOUND, "source '" + name + "' has no recovery yet: `sluice sources recover " + name
                        + "` starts one when it failed with BINLOG_PURGED or SCHEMA_HISTORY_MISSING");
            }
            r = all.get(0);
        } else {
            r = root.api().get("api/v1/sources/" + seg(name) + "/recoveries/" + seg(id), "`sluice sources recovery " + name
                    + "` shows the latest.");
        }
        if (cancel) {
            JsonNode cancelled = root.api().post("api/v1/sources/" + seg(name) + "/recoveries/" + seg(r.path("id").asText()) + "/cancel", null,
                    "`sluice sources recovery " + name + "` shows whether it still runs.");
            root.print(cancelled, out -> recoveryReport(out, cancelled));
            return ExitCode.OK;
        }
        if (wait) {
            return follow(name, r);
        }
        JsonNode shown = r;
        root.print(shown, out -> recoveryReport(out, shown));
        return "failed".equals(shown.path("state").asText()) ? ExitCode.FAILED : ExitCode.OK;
    }

    /** Polls a recovery until it ends, printing a line whenever its step changes, then its report. */
    private int follow(String name, JsonNode started) {
        String path = "api/v1/sources/" + seg(name) + "/recoveries/" + started.path("id").asText();
        JsonNode r = started;
        String last = null;
        while (true) {
            String line = "recovery " + field(r, "id") + " of source '" + name + "': " + field(r, "phase") + ", " + field(r, "progress");
            if (!root.json() && !line.equals(last)) {
                root.out().println(line);
                root.out().flush();
                last = line;
            }
            if (!"running".equals(r.path("state").asText())) {
                break;
            }
            try {
                Thread.sleep(root.watchIntervalMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ExitCode.FAILED;
            }
            r = root.api().get(path, HINT);
        }
        JsonNode done = r;
        root.print(done, out -> recoveryReport(out, done));
        if (!"succeeded".equals(done.path("state").asText())) {
            root.err().println("recovery " + field(done, "id") + " of source '" + name + "' failed: " + field(done, "reason"));
            return ExitCode.FAILED;
        }
        return ExitCode.OK;
    }

    /** The recovery's state, each verification with its counts, the totals and the notes. */
    static void recoveryReport(PrintWriter out, JsonNode r) {
        out.println("recovery " + field(r, "id") + " of source '" + field(r, "source") + "': " + field(r, "state") + " (" + field(r, "cause")
                + (r.path("resnapshot").asBoolean() ? "; new snapshot, " + r.path("eventsCaptured").asLong() + " events" : "") + ")");
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode v : r.path("verifications")) {
            rows.add(List.of(field(v, "id"), field(v, "table"), field(v, "sink"), field(v, "state"), field(v, "rowsChecked"), field(v, "missing"),
                    field(v, "stale"), field(v, "extra"), field(v, "repaired")));
        }
        if (!rows.isEmpty()) {
            Text.table(out, List.of("VERIFICATION", "TABLE", "SINK", "STATE", "ROWS", "MISSING", "STALE", "EXTRA", "REPAIRED"), rows);
        }
        out.printf("%,d verification(s): %,d rows checked, %,d missing, %,d stale, %,d extra, %,d repaired%n", r.path("verifications").size(),
                r.path("rowsChecked").asLong(), r.path("missing").asLong(), r.path("stale").asLong(), r.path("extra").asLong(),
                r.path("repaired").asLong());
        for (JsonNode note : r.path("notes")) {
            out.println("note: " + Text.clean(note.asText()));
        }
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
        pairs.add(pair("events/s", String.format(Locale.ROOT, "%.1f", st.path("eventsPerSecond").asDouble())));
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

    private static Map<String, JsonNode> toMap(JsonNode object) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }
}
