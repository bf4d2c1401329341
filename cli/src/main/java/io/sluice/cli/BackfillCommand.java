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
 * {@code sluice backfill}: online backfills ({@code /api/v1/backfills}). Servers of this version answer 501; the
 * command then prints the server's message and exits 5.
 */
@Command(name = "backfill", description = "Online backfills: start, list, status, pause, resume, cancel (exit 5 where the server does not offer them yet).",
        footerHeading = "%nExamples:%n",
        footer = {"  sluice backfill start --pipeline shop --table shop.orders --sink index", "  sluice backfill list",
            "  sluice backfill status 3", "  sluice backfill cancel 3"})
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
            @Option(names = "--rate", paramLabel = "ROWS/S", description = "At most this many rows per second.") Integer rate) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("pipeline", pipeline);
        body.put("tables", tables);
        body.put("sink", sink);
        body.put("where", where);
        body.put("chunkSize", chunkSize);
        body.put("rowsPerSecond", rate);
        body.values().removeIf(v -> v == null);
        JsonNode created = root.api().post("api/v1/backfills", body, null);
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
    int status(@Parameters(paramLabel = "ID", description = "The backfill.") String id) {
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

    private int control(String id, String action) {
        JsonNode b = root.api().post("api/v1/backfills/" + seg(id) + "/" + action, null, HINT);
        root.print(b, out -> Text.generic(out, b));
        return ExitCode.OK;
    }
}
