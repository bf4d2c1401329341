package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code sluice}: the Sluice server's command line. It talks to the server's REST API ({@code /api/v1}) with an API
 * token; the server comes from {@code --server}, {@code SLUICE_SERVER} or the current context of the config file.
 *
 * <p>{@link #run} executes a command line in-process and returns its exit code ({@link ExitCode}); {@link #main}
 * exits with it.
 */
@Command(name = "sluice",
        description = "Talks to a Sluice server: sources, schema reviews, views, dead letters, backfills; contexts store servers and tokens.",
        subcommands = {SourcesCommand.class, SchemasCommand.class, ViewsCommand.class, RulesCommand.class, AuditsCommand.class, AlertsCommand.class, DlqCommand.class, BackfillCommand.class, VerifyCommand.class,
            ContextCommand.class, CompletionCommand.class, CompletionCommand.Names.class},
        versionProvider = SluiceCli.Version.class,
        footerHeading = "%nServer and token:%n",
        footer = {
            "  --server/--token, else SLUICE_SERVER/SLUICE_TOKEN, else the current context",
            "  (`sluice context use NAME`); a context's token goes only to its own server.",
            "  Config file: ~/.sluice/config.json, or the file $SLUICE_CONFIG names.",
            "",
            "Examples:",
            "  sluice context set prod --server https://sluice.internal --token slc_...",
            "  sluice sources list",
            "  sluice schemas list --status pending -o json",
            "  sluice --server http://localhost:8080 --token $T dlq replay index --all"})
public final class SluiceCli implements Callable<Integer> {

    /** The output format of commands that print data. */
    enum Format { table, json, yaml }

    @Spec
    CommandSpec spec;

    @Option(names = "--server", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "The Sluice server, for example http://localhost:8080 (default: $SLUICE_SERVER, then the current context).")
    String server;

    @Option(names = "--token", scope = ScopeType.INHERIT, paramLabel = "TOKEN",
            description = "API token, sent as 'Authorization: Bearer' (default: $SLUICE_TOKEN, then the context's token).")
    String token;

    @Option(names = "--ca-file", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "PEM file of the CA that signed an https:// server's certificate, when the JVM does not trust it (default: $SLUICE_CA_FILE).")
    String caFile;

    @Option(names = "--context", scope = ScopeType.INHERIT, paramLabel = "NAME",
            description = "Use this context instead of the current one.")
    String context;

    @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "FORMAT",
            description = "table (for people, the default), json (the server's JSON, for scripts) or yaml (the same, as YAML).")
    Format output;

    private final Map<String, String> env;
    private final PrintWriter out;
    private final PrintWriter err;
    private ApiClient api;

    SluiceCli(Map<String, String> env, PrintWriter out, PrintWriter err) {
        this.env = Map.copyOf(env);
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        Map<String, String> env = new HashMap<>(System.getenv());
        // Progress bars only where a person watches: a console, and a terminal that understands a carriage return.
        env.putIfAbsent(TERMINAL_ENV, System.console() != null && !"dumb".equals(env.get("TERM")) ? "1" : "0");
        System.exit(run(args, env, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Set to 1 when the output is a terminal (progress bars) or 0 when not (plain lines); {@link #main} sets it. */
    static final String TERMINAL_ENV = "SLUICE_TERMINAL";

    /** True when the output is a terminal. */
    boolean terminal() {
        return "1".equals(env.get(TERMINAL_ENV));
    }

    /** How often {@code --watch} asks the server, in ms ({@code SLUICE_WATCH_INTERVAL_MS}, default 1000). */
    long watchIntervalMs() {
        try {
            return Math.max(50, Long.parseLong(env.getOrDefault("SLUICE_WATCH_INTERVAL_MS", "1000")));
        } catch (NumberFormatException e) {
            return 1000;
        }
    }

    /**
     * Runs a command line.
     *
     * @param env the environment ({@code SLUICE_SERVER}, {@code SLUICE_TOKEN}, {@code SLUICE_CONFIG})
     * @return the exit code, see {@link ExitCode}
     */
    public static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        try {
            return commandLine(new SluiceCli(env, out, err)).execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** What {@link #run} printed and returned, for tests and embedding. */
    public record Result(int exitCode, String out, String err) {
    }

    /** Runs a command line and captures its output. */
    public static Result execute(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(args, env, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    static CommandLine commandLine(SluiceCli root) {
        CommandLine cl = new CommandLine(root);
        cl.setOut(root.out);
        cl.setErr(root.err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        Map<String, String> codes = new LinkedHashMap<>();
        for (String line : ExitCode.HELP_LIST) {
            int colon = line.indexOf(':');
            codes.put(" " + line.substring(0, colon), line.substring(colon + 1));
        }
        cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
        helpEverywhere(cl);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            // Messages echo what was typed or stored, which may hold control characters: they must not drive the terminal.
            if (ex instanceof CliException e) {
                root.err.println(Text.clean(e.getMessage()));
                e.details().forEach(d -> root.err.println("  " + Text.clean(d)));
                return e.exitCode();
            }
            if (root.env.containsKey("SLUICE_DEBUG")) {
                ex.printStackTrace(root.err);
            }
            // Only the type: the message of an unexpected exception may quote an input, a token for one.
            root.err.println("sluice failed unexpectedly (" + ex.getClass().getName() + "); run it again with SLUICE_DEBUG=1 for the details"
                    + " and report them");
            return ExitCode.FAILED;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println(Text.clean(ex.getMessage()));
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("`" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help` shows the usage");
            return ExitCode.USAGE;
        });
        return cl;
    }

    /** {@code -h/--help} on every command; {@code -V/--version} on the top one. */
    private static void helpEverywhere(CommandLine cl) {
        cl.getCommandSpec().mixinStandardHelpOptions(true);
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (sub.getCommandSpec().optionsMap().get("--help") == null) {
                sub.getCommandSpec().addOption(CommandLine.Model.OptionSpec.builder("-h", "--help").usageHelp(true)
                        .description("Show this help message and exit.").build());
            }
            helpEverywhere(sub);
        }
    }

    /** Without a command: the usage, as a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(err);
        return ExitCode.USAGE;
    }

    PrintWriter out() {
        return out;
    }

    PrintWriter err() {
        return err;
    }

    /** True when the output is structured (json or yaml) rather than a table for people. */
    boolean json() {
        return output == Format.json || output == Format.yaml;
    }

    Contexts contexts() {
        return Contexts.load(Contexts.location(env));
    }

    /** The API client for the resolved server and token. */
    ApiClient api() {
        if (api == null) {
            api = new ApiClient(ApiClient.resolve(server, token, context, env, contexts()), ApiClient.trust(caFile, env));
        }
        return api;
    }

    /** Prints a tree as the output format asks: JSON or YAML. */
    void structured(JsonNode answer) {
        if (output == Format.yaml) {
            Text.yaml(out, answer);
        } else {
            Text.json(out, answer);
        }
    }

    /** Prints an answer: as JSON or YAML with {@code --output json|yaml}, else with {@code table}. */
    void print(JsonNode answer, Consumer<PrintWriter> table) {
        if (json()) {
            structured(answer);
        } else {
            table.accept(out);
        }
    }

    static String version() {
        return Version.VALUE;
    }

    /** The version from the build ({@code version.properties}). */
    static final class Version implements CommandLine.IVersionProvider {
        static final String VALUE = load();

        private static String load() {
            Properties p = new Properties();
            try (InputStream in = SluiceCli.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                // the version is only informative
            }
            return p.getProperty("version", "unknown");
        }

        @Override
        public String[] getVersion() {
            return new String[] {"sluice " + VALUE};
        }
    }
}
