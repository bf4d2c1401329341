package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sluice completion}: a bash (and zsh, through {@code bashcompinit}) completion script. Commands and options
 * come from the command model; names (sources, sinks, pipelines, views, tables, backfill ids, proposals, contexts) are
 * asked of the server at completion time through the hidden {@code sluice __names KIND}, which prints nothing
 * when the server cannot be reached, so that a tab never shows an error.
 */
@Command(name = "completion", description = "Prints a bash/zsh completion script that also completes live names from the server.",
        footerHeading = "%nExamples:%n",
        footer = {"  source <(sluice completion)", "  sluice completion > /etc/bash_completion.d/sluice"})
final class CompletionCommand implements Callable<Integer> {

    @ParentCommand
    SluiceCli root;

    /** What the positional parameter of a command names, by "command subcommand". */
    static final Map<String, String> POSITIONAL = Map.ofEntries(Map.entry("sources show", "sources"), Map.entry("sources status", "sources"),
            Map.entry("sources preflight", "sources"), Map.entry("sources start", "sources"), Map.entry("sources stop", "sources"),
            Map.entry("sources pause", "sources"), Map.entry("sources resume", "sources"), Map.entry("sources recover", "sources"),
            Map.entry("sources recovery", "sources"), Map.entry("schemas show", "proposals"),
            Map.entry("schemas approve", "proposals"), Map.entry("schemas reject", "proposals"), Map.entry("dlq list", "sinks"),
            Map.entry("dlq replay", "sinks"), Map.entry("dlq discard", "sinks"), Map.entry("backfill status", "backfills"),
            Map.entry("backfill pause", "backfills"), Map.entry("backfill resume", "backfills"), Map.entry("backfill cancel", "backfills"),
            Map.entry("context use", "contexts"), Map.entry("context delete", "contexts"), Map.entry("views show", "views"),
            Map.entry("views preview", "views"), Map.entry("views delete", "views"), Map.entry("views rebuild", "views"));

    /** What an option's value names. */
    static final Map<String, String> OPTIONS = Map.of("--pipeline", "pipelines", "--table", "tables", "--sink", "sinks", "--context",
            "contexts", "--output", "formats", "-o", "formats", "--view", "views");

    @Override
    public Integer call() {
        CommandSpec top = root.spec.commandLine().getCommandSpec();
        StringBuilder s = new StringBuilder();
        s.append("# sluice completion for bash (zsh: autoload bashcompinit && bashcompinit first)\n");
        s.append("_sluice_names() { COMPREPLY=($(compgen -W \"$(sluice __names \"$1\" 2>/dev/null)\" -- \"$cur\")); }\n");
        s.append("_sluice() {\n  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd=${COMP_WORDS[1]} sub=${COMP_WORDS[2]}\n");
        s.append("  case \"$prev\" in\n");
        OPTIONS.forEach((option, kind) -> s.append("    ").append(option).append(") _sluice_names ").append(kind).append("; return;;\n"));
        s.append("  esac\n  if [ \"$COMP_CWORD\" -eq 1 ]; then COMPREPLY=($(compgen -W \"").append(names(top)).append("\" -- \"$cur\")); return; fi\n");
        s.append("  case \"$cmd\" in\n");
        for (Map.Entry<String, CommandLine> e : top.subcommands().entrySet()) {
            CommandSpec cmd = e.getValue().getCommandSpec();
            if (e.getKey().startsWith("__")) {
                continue;
            }
            s.append("    ").append(e.getKey()).append(")\n");
            if (!cmd.subcommands().isEmpty()) {
                s.append("      if [ \"$COMP_CWORD\" -eq 2 ]; then COMPREPLY=($(compgen -W \"").append(names(cmd)).append("\" -- \"$cur\")); return; fi\n");
                s.append("      case \"$sub\" in\n");
                for (Map.Entry<String, CommandLine> sub : cmd.subcommands().entrySet()) {
                    String kind = POSITIONAL.get(e.getKey() + " " + sub.getKey());
                    s.append("        ").append(sub.getKey()).append(") ");
                    if (kind != null) {
                        s.append("if [[ \"$cur\" != -* ]]; then _sluice_names ").append(kind).append("; return; fi; ");
                    }
                    s.append("COMPREPLY=($(compgen -W \"").append(options(sub.getValue().getCommandSpec())).append("\" -- \"$cur\"));;\n");
                }
                s.append("      esac;;\n");
            } else {
                s.append("      COMPREPLY=($(compgen -W \"").append(options(cmd)).append("\" -- \"$cur\"));;\n");
            }
        }
        s.append("  esac\n}\ncomplete -F _sluice sluice\n");
        root.out().print(s);
        return ExitCode.OK;
    }

    private static String names(CommandSpec spec) {
        return String.join(" ", spec.subcommands().keySet().stream().filter(n -> !n.startsWith("__")).toList());
    }

    private static String options(CommandSpec spec) {
        TreeSet<String> out = new TreeSet<>();
        for (OptionSpec o : spec.options()) {
            if (!o.hidden()) {
                out.add(o.longestName());
            }
        }
        return String.join(" ", out);
    }

    /** {@code sluice __names KIND}: live names for completion, one per line; nothing at all when anything fails. */
    @Command(name = "__names", hidden = true)
    static final class Names implements Callable<Integer> {
        @ParentCommand
        SluiceCli root;

        @Parameters(paramLabel = "KIND")
        String kind;

        @Override
        public Integer call() {
            List<String> out = new ArrayList<>();
            try {
                switch (kind) {
                    case "contexts" -> out.addAll(root.contexts().all().keySet());
                    case "formats" -> out.addAll(List.of("table", "json", "yaml"));
                    case "sources", "sinks", "pipelines" -> root.api().get("api/v1/" + kind, null).forEach(n -> out.add(n.path("name").asText()));
                    case "views" -> root.api().get("api/v1/views", null).forEach(v -> out.add(v.path("definition").path("name").asText()));
                    case "backfills" -> root.api().get("api/v1/backfills", null).forEach(n -> out.add(n.path("id").asText()));
                    case "proposals" -> root.api().get("api/v1/schemas/proposals", null).forEach(n -> out.add(n.path("id").asText()));
                    case "tables" -> {
                        TreeSet<String> tables = new TreeSet<>();
                        for (JsonNode subject : root.api().get("registry/subjects", null)) {
                            String[] parts = subject.asText().replaceFirst("-(value|key)$", "").split("\\.");
                            if (parts.length == 3) {
                                tables.add(parts[1] + "." + parts[2]);
                            }
                        }
                        out.addAll(tables);
                    }
                    default -> {
                        return ExitCode.USAGE;
                    }
                }
            } catch (RuntimeException e) {
                return ExitCode.FAILED; // a tab press shows nothing rather than an error
            }
            out.forEach(root.out()::println);
            return ExitCode.OK;
        }
    }
}
