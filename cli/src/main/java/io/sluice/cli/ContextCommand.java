package io.sluice.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sluice context}: named servers and their tokens in the config file, and which one is current. Never prints
 * a token.
 */
@Command(name = "context", description = "Named servers and tokens in the config file (~/.sluice/config.json or $SLUICE_CONFIG, mode 600).",
        footerHeading = "%nExamples:%n",
        footer = {"  sluice context set prod --server https://sluice.internal --token slc_...", "  sluice context set local --server http://localhost:8080",
            "  sluice context use prod", "  sluice context list"})
final class ContextCommand {

    @ParentCommand
    SluiceCli root;

    @Command(name = "set", description = "Creates or updates a context from --server and --token; the first context becomes the current one.")
    int set(@Parameters(paramLabel = "NAME", description = "The context's name.") String name) {
        if (name.isBlank()) {
            throw new CliException(ExitCode.USAGE, "a context needs a name: `sluice context set NAME --server URL`");
        }
        Contexts contexts = root.contexts();
        Contexts.Context existing = contexts.get(name).orElse(null);
        String server = root.server != null ? root.server : existing == null ? null : existing.server();
        if (server == null) {
            throw new CliException(ExitCode.USAGE, "context '" + name + "' needs a server: `sluice context set " + name + " --server URL [--token T]`");
        }
        ApiClient.parseServer(server, "--server");
        String token = root.token != null ? (root.token.isBlank() ? null : root.token.strip()) : existing == null ? null : existing.token();
        if (root.token != null && token != null) {
            ApiClient.checkToken(token, "--token"); // stored, it would fail every later command instead of this one
        }
        contexts.put(new Contexts.Context(name, server.trim(), token));
        boolean becameCurrent = contexts.currentName() == null || contexts.current().isEmpty();
        if (becameCurrent) {
            contexts.use(name);
        }
        contexts.save();
        root.out().println("context '" + name + "' " + (existing == null ? "created" : "updated") + " in " + contexts.file() + " (server " + server.trim()
                + ", " + (token == null ? "no token" : "token stored") + ")" + (becameCurrent ? "; it is the current context" : ""));
        return ExitCode.OK;
    }

    @Command(name = "use", description = "Makes a context the current one.")
    int use(@Parameters(paramLabel = "NAME", description = "The context's name.") String name) {
        Contexts contexts = root.contexts();
        if (contexts.get(name).isEmpty()) {
            throw new CliException(ExitCode.NOT_FOUND, "no context '" + name + "' in " + contexts.file() + ": `sluice context list` shows them, `sluice context set "
                    + name + " --server URL` creates it");
        }
        contexts.use(name);
        contexts.save();
        root.out().println("current context: " + name + " (" + contexts.get(name).get().server() + ")");
        return ExitCode.OK;
    }

    @Command(name = "delete", description = "Removes a context and its token.")
    int delete(@Parameters(paramLabel = "NAME", description = "The context's name.") String name) {
        Contexts contexts = root.contexts();
        if (contexts.all().remove(name) == null) {
            throw new CliException(ExitCode.NOT_FOUND, "no context '" + name + "' in " + contexts.file() + ": `sluice context list` shows them");
        }
        if (name.equals(contexts.currentName())) {
            contexts.use(null);
        }
        contexts.save();
        root.out().println("context '" + name + "' deleted");
        return ExitCode.OK;
    }

    @Command(name = "list", description = "The contexts; * marks the current one. Tokens are never shown.")
    int list() {
        Contexts contexts = root.contexts();
        if (root.json()) {
            ObjectNode o = ApiClient.JSON.createObjectNode();
            o.put("file", contexts.file().toString());
            o.put("current", contexts.current().map(Contexts.Context::name).orElse(null));
            ArrayNode list = o.putArray("contexts");
            for (Contexts.Context c : contexts.all().values()) {
                list.addObject().put("name", c.name()).put("server", c.server()).put("token", c.token() != null);
            }
            root.structured(o);
            return ExitCode.OK;
        }
        if (contexts.all().isEmpty()) {
            root.err().println("no contexts in " + contexts.file() + ": `sluice context set NAME --server URL [--token T]` creates one");
            return ExitCode.OK;
        }
        List<List<String>> rows = new ArrayList<>();
        String current = contexts.current().map(Contexts.Context::name).orElse(null);
        for (Contexts.Context c : contexts.all().values()) {
            rows.add(List.of(c.name().equals(current) ? "*" : "", c.name(), c.server(), c.token() == null ? "-" : "stored"));
        }
        Text.table(root.out(), List.of("CURRENT", "NAME", "SERVER", "TOKEN"), rows);
        return ExitCode.OK;
    }
}
