package io.sluice.cli;

import static io.sluice.cli.ApiClient.seg;
import static io.sluice.cli.Text.field;
import static io.sluice.cli.Text.pair;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sluice views}: document views built from several tables ({@code /api/v1/views}): list, show, preview, apply
 * a definition from a file (created or replaced; left alone when unchanged), delete, rebuild.
 */
@Command(name = "views", description = "Document views (one document from several tables): list, show, preview, apply from a file, delete,"
        + " rebuild.",
        footerHeading = "%nExamples:%n",
        footer = {"  sluice views list", "  sluice views preview -f orders.yaml --key 1001", "  sluice views apply -f orders.yaml",
            "  sluice views show orders -o yaml", "  sluice verify --view orders --sink cache --repair"})
final class ViewsCommand {
    private static final String HINT = "`sluice views list` shows the views.";

    @ParentCommand
    SluiceCli root;

    @Command(name = "list", description = "Every view with its pipeline, root table and what it did since its source started.")
    int list() {
        JsonNode views = root.api().get("api/v1/views", null);
        root.print(views, out -> {
            if (views.isEmpty()) {
                root.err().println("no views yet: write one to a file and `sluice views apply -f FILE` (docs/views.md shows how)");
                return;
            }
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode v : views) {
                JsonNode d = v.path("definition");
                JsonNode st = v.path("status");
                rows.add(List.of(field(d, "name"), field(d, "pipeline"), field(d, "root"), String.valueOf(d.path("relations").size()), state(st),
                        field(st, "changes"), field(st, "documents"), st.isObject() ? String.format(Locale.ROOT, "%.2f",
                                st.path("amplification").asDouble()) : Text.NONE));
            }
            Text.table(out, List.of("NAME", "PIPELINE", "ROOT", "RELATIONS", "STATE", "CHANGES", "DOCUMENTS", "AMPLIFICATION"), rows);
        });
        return ExitCode.OK;
    }

    @Command(name = "show", description = "A view's definition, its status and its latest background rebuilds.")
    int show(@Parameters(paramLabel = "NAME", description = "The view.") String name) {
        JsonNode view = root.api().get("api/v1/views/" + seg(name), HINT);
        JsonNode rebuilds = root.api().get("api/v1/views/" + seg(name) + "/rebuilds", HINT);
        ObjectNode shown = view.deepCopy();
        shown.set("rebuilds", rebuilds);
        root.print(shown, out -> {
            Text.yaml(out, view.path("definition"));
            out.println();
            JsonNode st = view.path("status");
            List<String[]> pairs = new ArrayList<>();
            pairs.add(pair("source", field(view, "source")));
            pairs.add(pair("state", state(st)));
            st.path("problems").forEach(p -> pairs.add(pair("problem", p.asText())));
            pairs.add(pair("changes", field(st, "changes")));
            pairs.add(pair("documents", field(st, "documents")));
            pairs.add(pair("handed over", field(st, "handedOver")));
            pairs.add(pair("amplification", st.isObject() ? String.format(Locale.ROOT, "%.2f", st.path("amplification").asDouble()) : Text.NONE));
            Text.fields(out, pairs);
            if (!rebuilds.isEmpty()) {
                out.println();
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode r : rebuilds) {
                    rows.add(List.of(field(r, "id"), field(r, "state"), r.path("keys").asInt() == 0 ? "every" : field(r, "keys"), field(r, "done"),
                            field(r, "createdAt"), field(r, "reason")));
                }
                Text.table(out, List.of("REBUILD", "STATE", "DOCUMENTS", "DONE", "CREATED", "REASON"), rows);
            }
        });
        return ExitCode.OK;
    }

    @Command(name = "preview", description = "Documents a view builds from the current rows, stored (NAME) or from a file (-f); nothing"
            + " is stored or written.")
    int preview(@Parameters(arity = "0..1", paramLabel = "NAME", description = "A stored view.") String name,
            @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "A definition in JSON or YAML.") Path file,
            @Option(names = "--key", paramLabel = "VALUES", description = "A root key to build, its values comma-separated in primary-key"
                    + " order; repeat for more (with -f only; default: the first rows).") List<String> keys,
            @Option(names = "--limit", paramLabel = "N", defaultValue = "5", description = "How many documents at most, without --key"
                    + " (default: ${DEFAULT-VALUE}).") int limit) {
        if ((name == null) == (file == null)) {
            throw new CliException(ExitCode.USAGE, "name a stored view or give -f FILE, not " + (name == null ? "neither" : "both")
                    + ": `sluice views preview orders` or `sluice views preview -f orders.yaml`");
        }
        JsonNode documents;
        if (name != null) {
            if (keys != null) {
                throw new CliException(ExitCode.USAGE, "--key works with -f FILE; for a stored view use `sluice views show " + name
                        + " -o json` and `--limit`");
            }
            documents = root.api().get("api/v1/views/" + seg(name) + "/preview?limit=" + limit, HINT);
        } else {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("view", read(file));
            if (keys != null) {
                body.put("keys", keys.stream().map(k -> List.of(k.split(",", -1))).toList());
            } else {
                body.put("limit", limit);
            }
            documents = root.api().post("api/v1/views/preview", body, null);
        }
        root.print(documents, out -> {
            if (documents.isEmpty()) {
                root.err().println("the view builds no documents: its root table has no rows" + (keys == null ? "" : " with these keys"));
            }
            for (JsonNode d : documents) {
                out.println("---");
                Text.yaml(out, d);
            }
        });
        return ExitCode.OK;
    }

    @Command(name = "apply", description = "Creates the view a file defines, or replaces the stored one of that name (its documents are"
            + " then rebuilt); a definition equal to the stored one changes nothing.")
    int apply(@Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "A definition in JSON or YAML.") Path file) {
        JsonNode definition = read(file);
        String name = definition.path("name").asText("");
        if (name.isEmpty()) {
            throw new CliException(ExitCode.INVALID, file + ": the definition has no \"name\": add one (lower case letters, digits and _)");
        }
        JsonNode stored = null;
        for (JsonNode v : root.api().get("api/v1/views", null)) {
            if (name.equals(v.path("definition").path("name").asText())) {
                stored = v.path("definition");
            }
        }
        String verb;
        JsonNode answer;
        if (stored == null) {
            answer = root.api().post("api/v1/views", definition, null);
            verb = "created; its documents are being built";
        } else if (normal(stored).equals(normal(definition))) {
            answer = root.api().get("api/v1/views/" + seg(name), HINT);
            verb = "unchanged";
        } else {
            answer = root.api().send("PUT", "api/v1/views/" + seg(name), definition, HINT);
            verb = "replaced; its documents are being rebuilt";
        }
        root.print(answer, out -> out.println("view '" + name + "' " + verb + " (`sluice views show " + name + "` follows it)"));
        return ExitCode.OK;
    }

    @Command(name = "delete", description = "Deletes a view; the documents it wrote stay in the sinks.")
    int delete(@Parameters(paramLabel = "NAME", description = "The view.") String name) {
        root.api().send("DELETE", "api/v1/views/" + seg(name), null, HINT);
        if (!root.json()) {
            root.out().println("view '" + name + "' deleted; the documents it wrote stay in the sinks");
        }
        return ExitCode.OK;
    }

    @Command(name = "rebuild", description = "Rebuilds every document of a view from the source in the background, for example into an"
            + " emptied sink.")
    int rebuild(@Parameters(paramLabel = "NAME", description = "The view.") String name) {
        JsonNode started = root.api().post("api/v1/views/" + seg(name) + "/rebuild", null, HINT);
        root.print(started, out -> out.println("rebuild " + field(started, "rebuild") + " of view '" + name + "' started (`sluice views show "
                + name + "` follows it)"));
        return ExitCode.OK;
    }

    /** A view definition file as a tree: JSON or YAML; errors name the file, the line and what was expected. */
    static JsonNode read(Path file) {
        return DefinitionFile.read(file, "a view definition", "one object with name, pipeline, root, columns and relations (docs/views.md"
                + " shows one)");
    }

    /** A definition without its absent parts (null, empty lists and maps), so that two ways to write "none" compare equal. */
    static JsonNode normal(JsonNode node) {
        if (node.isObject()) {
            ObjectNode copy = ApiClient.JSON.createObjectNode();
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                JsonNode v = normal(f.getValue());
                if (!v.isNull() && !(v.isContainerNode() && v.isEmpty())) {
                    copy.set(f.getKey(), v);
                }
            }
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = ApiClient.JSON.createArrayNode();
            node.forEach(e -> copy.add(normal(e)));
            return copy;
        }
        return node;
    }

    private static String state(JsonNode status) {
        if (!status.isObject()) {
            return "stopped";
        }
        if (!status.path("problems").isEmpty()) {
            return "failed";
        }
        return status.path("waitingFor").isEmpty() ? "running" : "waiting for " + status.path("waitingFor").size() + " table(s)";
    }
}
