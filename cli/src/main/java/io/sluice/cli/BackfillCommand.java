package io.sluice.cli;

import static io.sluice.cli.ApiClient.seg;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sluice backfill}: online backfills ({@code /api/v1/backfills}); {@code --watch} follows one to its end.
 */
@Command(name = "backfill", description = "Online backfills: start, list, status, pause, resume, cancel.",
        footerHeading = "%nExamples:%n",
        footer = {"  sluice backfill start --pipeline shop --table shop.orders --sink index", "  sluice backfill list",
            "  sluice backfill start --pipeline shop --sink search --where \"created_at >= '2026-01-01'\" --watch",
            "  sluice backfill status 3 --watch", "  sluice backfill cancel 3"})
final class BackfillCommand {
    private static final String HINT = "`sluice backfill list` shows the backfills.";

    @ParentCommand
    SluiceCli root;

    @Command(name = "start", description = "Fills the pipeline's targets from the live tables, online.")
    int start(@Option(names = "--pipeline", required = true, paramLabel = "NAME", description = "The pipeline whose tables to read.") String pipeline,
            @Option(names = "--table", split = ",", paramLabel = "DB.TABLE", description = "Only these tables (default: all of the pipeline's).")
            List<String> tables,
            @Option(names = "--sink", paramLabel = "SINK", description = "Only this sink (default: every sink of the pipeline).") String sink,
            @Option(names = "--where", paramLabel = "SQL", description = "Only rows matching this filter.") String where,
            @Option(names = "--chunk-size", paramLabel = "ROWS", description = "Rows per chunk.") Integer chunkSize,
            @Option(names = "--rate", paramLabel = "ROWS/S", description = "At most this many rows per second.") Integer rate,
            @Option(names = "--reindex", description = "Fill a new index of the OpenSearch --sink and swap it in behind the old name"
                    + " once it caught up (zero-downtime reindex).") boolean reindex,
            @Option(names = "--watch", description = "Follow the progress until the backfill ends: a bar on a terminal, plain lines"
                    + " otherwise; exits 0 if it succeeded, 1 if it failed or was cancelled.") boolean watch) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("pipeline", pipeline);
        body.put("tables", tables);
        body.put("sink", sink);
        body.put("where", where);
        body.put("chunkSize", chunkSize);
        body.put("rowsPerSecond", rate);
        body.put("reindex", reindex ? Boolean.TRUE : null);
        body.values().removeIf(v -> v == null);
        JsonNode created = root.api().post("api/v1/backfills", body, null);
        if (watch) {
            return watch(created.path("id").asText());
        }
        root.print(created, out -> Text.generic(out, created));
        return ExitCode.OK;
    }

    @Command(name = "list", description = "Running and past backfills.")
    int list() {
        JsonNode list = root.api().get("api/v1/backfills", null);
        root.print(list, out -> Text.generic(out, list));
        return ExitCode.OK;
    }

    @Command(name = "status", description = "A backfill's progress: rows done, estimated total, rows/s, ETA.")
    int status(@Parameters(paramLabel = "ID", description = "The backfill.") String id,
            @Option(names = "--watch", description = "Follow the progress until the backfill ends (see start --watch).") boolean watch) {
        if (watch) {
            return watch(id);
        }
        JsonNode b = root.api().get("api/v1/backfills/" + seg(id), HINT);
        root.print(b, out -> Text.generic(out, b));
        return ExitCode.OK;
    }

    @Command(name = "pause", description = "Pauses a backfill after its current chunk.")
    int pause(@Parameters(paramLabel = "ID", description = "The backfill.") String id) {
        return control(id, "pause");
    }

    @Command(name = "resume", description = "Resumes a paused backfill from its last finished chunk.")
    int resume(@Parameters(paramLabel = "ID", description = "The backfill.") String id) {
        return control(id, "resume");
    }

    @Command(name = "cancel", description = "Cancels a backfill; rows already written stay.")
    int cancel(@Parameters(paramLabel = "ID", description = "The backfill.") String id) {
        return control(id, "cancel");
    }

    /** Polls a backfill until it ends, drawing its progress; the final answer is printed as usual. */
    private int watch(String id) {
        boolean bar = root.terminal() && !root.json();
        String lastState = null;
        long lastLine = 0;
        while (true) {
            JsonNode b = root.api().get("api/v1/backfills/" + seg(id), HINT);
            String state = b.path("state").asText();
            boolean done = !"running".equals(state) && !"paused".equals(state);
            if (!root.json()) {
                long now = System.nanoTime();
                if (bar) {
                    root.out().print("\r" + progressBar(b) + "   ");
                    if (done) {
                        root.out().println();
                    }
                    root.out().flush();
                } else if (done || !state.equals(lastState) || now - lastLine >= 5_000_000_000L) {
                    root.out().println(progressLine(b));
                    root.out().flush();
                    lastLine = now;
                }
            }
            lastState = state;
            if (done) {
                if (root.json()) {
                    root.structured(b);
                }
                if ("succeeded".equals(state)) {
                    return ExitCode.OK;
                }
                root.err().println("backfill " + b.path("id").asText() + " " + state + (b.path("reason").isTextual() ? ": "
                        + Text.clean(b.path("reason").asText()) : ""));
                return ExitCode.FAILED;
            }
            try {
                Thread.sleep(root.watchIntervalMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ExitCode.FAILED;
            }
        }
    }

    /** {@code [#########-----------]  45%  90,000 / ~200,000 rows  12,345 rows/s  ETA 9 s  running}. */
    static String progressBar(JsonNode b) {
        long read = b.path("rowsRead").asLong();
        long total = b.path("estimatedRows").asLong();
        String state = b.path("state").asText();
        int pct = "succeeded".equals(state) ? 100 : total > 0 ? (int) Math.min(99, read * 100 / total) : 0;
        int filled = pct / 5;
        return "[" + "#".repeat(filled) + "-".repeat(20 - filled) + "] " + String.format("%3d%%", pct) + "  " + counts(b) + "  " + state;
    }

    /** {@code backfill 3 running: 90,000 / ~200,000 rows (45%), 12,345 rows/s, ETA 9 s}. */
    static String progressLine(JsonNode b) {
        long read = b.path("rowsRead").asLong();
        long total = b.path("estimatedRows").asLong();
        String pct = total > 0 ? " (" + Math.min(100, read * 100 / total) + "%)" : "";
        return "backfill " + b.path("id").asText() + " " + b.path("state").asText() + ": " + counts(b).replace("  ", ", ").replace(" rows,",
                " rows" + pct + ",");
    }

    /** Rows, then the rate and ETA while it runs, or how long it took and its average rate once it ended. */
    private static String counts(JsonNode b) {
        StringBuilder s = new StringBuilder(String.format("%,d / ~%,d rows", b.path("rowsRead").asLong(), b.path("estimatedRows").asLong()));
        if (b.path("averageRate").isNumber()) {
            s.append(String.format("  %,d rows/s on average", Math.round(b.path("averageRate").asDouble())));
            s.append("  took ").append(seconds(b.path("durationSeconds").asLong()));
            return s.toString();
        }
        s.append(b.path("rate").isNumber() ? String.format("  %,d rows/s", Math.round(b.path("rate").asDouble())) : "  – rows/s");
        if (b.path("etaSeconds").isNumber()) {
            s.append("  ETA ").append(seconds(b.path("etaSeconds").asLong()));
        }
        return s.toString();
    }

    private static String seconds(long s) {
        return s < 90 ? s + " s" : Math.round(s / 60.0) + " min";
    }

    private int control(String id, String action) {
        JsonNode b = root.api().post("api/v1/backfills/" + seg(id) + "/" + action, null, HINT);
        root.print(b, out -> Text.generic(out, b));
        return ExitCode.OK;
    }
}
