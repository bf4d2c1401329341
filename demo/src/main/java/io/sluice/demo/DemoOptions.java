package io.sluice.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The demo's command line.
 *
 * @param port the server's HTTP port; 0 for any free one
 * @param portGiven whether the port was given (a busy given port is an error; a busy default one falls back to a free port)
 * @param bind the address the server listens on
 * @param rate changes per second the generator makes; 0 for none
 * @param duration how long to run before stopping by itself; empty for until Ctrl-C
 * @param dataDir the server's data directory, wiped at every start
 * @param serverJar the server's {@code quarkus-run.jar}
 * @param help whether to print the usage and stop
 */
public record DemoOptions(int port, boolean portGiven, String bind, double rate, Optional<Duration> duration, Path dataDir,
        Path serverJar, boolean help) {

    /** Where {@code mvn package} puts the server, relative to the project root. */
    public static final String SERVER_JAR = "quarkus-admin/target/quarkus-app/quarkus-run.jar";

    public static final String USAGE = """
            usage: ./sluice demo [options]
              --port <n>          the server's HTTP port (default 8080; a free one if 8080 is busy; 0 for any free port)
              --bind <address>    the address the server listens on (default 127.0.0.1)
              --rate <n>          changes per second made to the shop database (default 10; 0 for none)
              --duration <s>      stop after this many seconds (default: run until Ctrl-C)
              --data-dir <dir>    the server's data directory, emptied at start (default target/demo)
              --server-jar <jar>  the server to run (default quarkus-admin/target/quarkus-app/quarkus-run.jar)
              --help              this text""";

    /**
     * Parses the arguments.
     *
     * @throws IllegalArgumentException naming the bad argument and what is allowed
     */
    public static DemoOptions parse(String... args) {
        int port = 8080;
        boolean portGiven = false;
        String bind = "127.0.0.1";
        double rate = 10;
        Optional<Duration> duration = Optional.empty();
        Path dataDir = null;
        Path serverJar = null;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            String inline = a.contains("=") ? a.substring(a.indexOf('=') + 1) : null;
            if (name.equals("--help") || name.equals("-h")) {
                help = true;
                continue;
            }
            if (!name.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'; options start with --");
            }
            String value = inline;
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                value = args[++i];
            }
            switch (name) {
                case "--port" -> {
                    port = integer(name, value, 0, 65535);
                    portGiven = true;
                }
                case "--bind" -> bind = value;
                case "--rate" -> rate = number(name, value, 0, 1000);
                case "--duration" -> duration = Optional.of(Duration.ofSeconds(integer(name, value, 1, Integer.MAX_VALUE)));
                case "--data-dir" -> dataDir = Path.of(value);
                case "--server-jar" -> serverJar = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + name + "; see --help");
            }
        }
        Path root = projectRoot();
        if (dataDir == null) {
            dataDir = root.resolve("target").resolve("demo");
        }
        if (serverJar == null) {
            serverJar = root.resolve(SERVER_JAR);
        }
        return new DemoOptions(port, portGiven, bind, rate, duration, dataDir.toAbsolutePath().normalize(),
                serverJar.toAbsolutePath().normalize(), help);
    }

    /** The project root: the working directory or the nearest parent holding quarkus-admin; else the working directory. */
    public static Path projectRoot() {
        Path cwd = Path.of("").toAbsolutePath();
        for (Path p = cwd; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("quarkus-admin")) && Files.exists(p.resolve("pom.xml"))) {
                return p;
            }
        }
        return cwd;
    }

    private static int integer(String option, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(option + " must be a whole number from " + min + (max == Integer.MAX_VALUE ? " up" : " to " + max)
                + ", not '" + value + "'");
    }

    private static double number(String option, String value, double min, double max) {
        try {
            double n = Double.parseDouble(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(option + " must be a number from " + (int) min + " to " + (int) max + ", not '" + value + "'");
    }
}
