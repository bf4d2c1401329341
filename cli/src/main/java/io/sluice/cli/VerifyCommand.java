package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sluice verify}: compares a table with one sink ({@code /api/v1/verifications}), waits for the result and
 * prints the missing, stale and extra keys; {@code --repair} re-sends them. Exit 0 when the target is in step (or
 * was repaired), 1 when differences were found without repair or the verification failed.
 */
@Command(name = "verify", description = "Compares a table, or a view's documents, with a sink: missing, stale and extra keys; --repair"
        + " fixes them.",
        footerHeading = "%nExamples:%n",
        footer = {"  sluice verify --pipeline shop --table shop.orders --sink search", "  sluice verify --view orders --sink cache --repair",
            "  sluice verify --pipeline shop --table shop.orders --sink cache --repair -o json"})
final class VerifyCommand implements Callable<Integer> {

    @ParentCommand
    SluiceCli root;

    @Option(names = "--pipeline", paramLabel = "NAME", description = "The pipeline that writes the table to the sink.")
    String pipeline;

    @Option(names = "--table", paramLabel = "DB.TABLE", description = "The table to compare.")
    String table;

    @Option(names = "--view", paramLabel = "NAME", description = "A view to compare instead of a table: the documents it builds from the"
            + " source against the sink's (its pipeline is the view's).")
    String view;

    @Option(names = "--sink", paramLabel = "SINK", description = "The sink to compare (required when the pipeline has several).")
    String sink;

    @Option(names = "--where", paramLabel = "SQL", description = "Only rows matching this filter.")
    String where;

    @Option(names = "--repair", description = "Re-send missing and stale rows and delete extra keys, with versions that never beat a live change.")
    boolean repair;

    @Override
    public Integer call() {
        Map<String, Object> body = new LinkedHashMap<>();
        JsonNode v;
        if (view != null) {
            if (pipeline != null || table != null || where != null) {
                throw new CliException(ExitCode.USAGE, "--view compares a view's documents: leave out --pipeline, --table and --where (the view"
                        + " names its pipeline and tables)");
            }
            body.put("sink", sink);
            body.put("repair", repair);
            body.values().removeIf(value -> value == null);
            v = root.api().post("api/v1/views/" + ApiClient.seg(view) + "/verify", body, "`sluice views list` shows the views.");
        } else {
            if (pipeline == null || table == null) {
                throw new CliException(ExitCode.USAGE, "verify needs what to compare: --pipeline NAME with --table DB.TABLE,"
                        + " or --view NAME (`sluice pipelines list` and `sluice views list` show them)");
            }
            body.put("pipeline", pipeline);
            body.put("table", table);
            body.put("sink", sink);
            body.put("where", where);
            body.put("repair", repair);
            body.values().removeIf(value -> value == null);
            v = root.api().post("api/v1/verifications", body, null);
        }
        String path = "api/v1/verifications/" + v.path("id").asText();
        while ("running".equals(v.path("state").asText())) {
            try {
                Thread.sleep(root.watchIntervalMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ExitCode.FAILED;
            }
            v = root.api().get(path, "`sluice verify` starts a new one.");
        }
        JsonNode result = v;
        root.print(result, out -> report(out, result));
        if (!"succeeded".equals(result.path("state").asText())) {
            root.err().println("verification " + result.path("id").asText() + " failed: " + Text.clean(result.path("reason").asText("")));
            return ExitCode.FAILED;
        }
        long differences = result.path("missing").asLong() + result.path("stale").asLong() + result.path("extra").asLong();
        return differences == 0 || result.path("repair").asBoolean() ? ExitCode.OK : ExitCode.FAILED;
    }

    private static void report(PrintWriter out, JsonNode v) {
        out.printf("%s against %s: %,d rows checked, %,d missing, %,d stale, %,d extra%s%n", v.path("table").asText(), v.path("sink").asText(),
                v.path("rowsChecked").asLong(), v.path("missing").asLong(), v.path("stale").asLong(), v.path("extra").asLong(),
                v.path("extraChecked").asBoolean() ? "" : " (extra keys not checked: the sink's id template is not {key})");
        for (String kind : new String[] {"missing", "stale", "extra"}) {
            JsonNode sample = v.path("samples").path(kind);
            if (sample.size() > 0) {
                StringBuilder keys = new StringBuilder();
                sample.forEach(k -> keys.append(keys.length() == 0 ? "" : ", ").append(Text.clean(k.asText())));
                out.printf("  %s, for example: %s%n", kind, keys);
            }
        }
        if (v.path("repair").asBoolean()) {
            out.printf("repaired %,d keys; run verify again to confirm%n", v.path("repaired").asLong());
        }
    }
}
