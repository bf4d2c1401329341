package io.sluice.testkit;

import io.sluice.embedded.FreePorts;
import io.sluice.embedded.ScratchDirectories;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.postgresql.Driver;

/**
 * A real PostgreSQL server (the operating system's binaries, Debian's {@code postgresql} package, no Docker) on a
 * free loopback port, with its own data directory under {@code /tmp}.
 *
 * <p>The server binaries are looked up in {@code /usr/lib/postgresql/<version>/bin}, the newest version first. If there
 * are none, starting fails with an {@link IllegalStateException} that says to run {@code apt-get install -y postgresql}.
 *
 * <p>PostgreSQL refuses to run as root. When the JVM runs as root (as CI does), {@code initdb}, {@code pg_ctl} and so
 * the server run as the OS user {@code postgres} (created by that package) through {@code runuser}, and the
 * temporary directory is owned by that user; otherwise they run as the JVM's user.
 *
 * <p>The server listens on {@code 127.0.0.1} only; its unix socket is in its own directory. The superuser
 * {@value #USER} connects over TCP with the password {@value #PASSWORD} (SCRAM). The database {@value #DATABASE}
 * exists; {@link #createDatabase(String)} gives a test a fresh database of its own. The server is tuned for tests, not
 * for durability ({@code fsync=off}), and has {@code wal_level=logical} so that change-data capture can read it.
 *
 * <p>Most tests use {@link #shared()}, started once per JVM and stopped when the JVM exits. A JVM killed with
 * {@code SIGKILL} cannot stop its servers: the next start in any JVM on this machine stops and deletes servers whose
 * JVM is gone.
 *
 * <p>Thread safety: every method may be called from several threads.
 */
public final class PostgresTestServer implements AutoCloseable {
    /** The superuser that tests connect as. */
    public static final String USER = "sluice";
    /** The password of {@link #USER}. */
    public static final String PASSWORD = "sluice-test";
    /** The database that {@link #jdbcUrl()} points at. */
    public static final String DATABASE = "sluice";

    /** How long initdb, start, stop and the first successful connection may each take. */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Path INSTALL_ROOT = Path.of("/usr/lib/postgresql");
    private static final Path TEMP_ROOT = Path.of("/tmp");
    private static final String DIR_PREFIX = "sluice-postgres-";
    private static final String OWNER_FILE = "owner.pid";
    private static final String SERVER_OS_USER = "postgres";
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private static PostgresTestServer shared;

    private final Path binDir;
    private final boolean asServerOsUser;
    private final int port;
    private final Path dir;
    private final Path dataDir;
    private final Path socketDir;
    private final Path serverLog;
    private final Path commandLog;
    private boolean closed;

    private PostgresTestServer(Path binDir, boolean asServerOsUser) {
        this.binDir = binDir;
        this.asServerOsUser = asServerOsUser;
        this.port = FreePorts.next();
        try {
            this.dir = Files.createTempDirectory(TEMP_ROOT, DIR_PREFIX);
            Files.writeString(dir.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
            this.socketDir = Files.createDirectory(dir.resolve("socket"));
        } catch (IOException e) {
            throw new UncheckedIOException("could not create the test PostgreSQL's directory under " + TEMP_ROOT, e);
        }
        this.dataDir = dir.resolve("data");
        this.serverLog = dir.resolve("server.log");
        this.commandLog = dir.resolve("commands.log");
    }

    /** The server shared by every test of this JVM, started at the first call and stopped at JVM exit. */
    public static synchronized PostgresTestServer shared() {
        if (shared == null) {
            PostgresTestServer server = startNew();
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "postgres-test-server-stop"));
            shared = server;
        }
        return shared;
    }

    /**
     * Starts a server of its own; the caller closes it.
     *
     * @throws IllegalStateException if there are no server binaries, or the server did not start within 30 s (the
     *     message then ends with the tail of the server's log)
     */
    public static PostgresTestServer startNew() {
        Path binDir = findBinDir();
        boolean asRoot = runningAsRoot();
        reapAbandoned();
        PostgresTestServer server = new PostgresTestServer(binDir, asRoot);
        try {
            server.start();
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void start() {
        long started = System.nanoTime();
        if (asServerOsUser) {
            giveToServerOsUser(dir);
            giveToServerOsUser(socketDir);
        }
        Path passwordFile = dir.resolve("password");
        try {
            Files.writeString(passwordFile, PASSWORD);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (asServerOsUser) {
            giveToServerOsUser(passwordFile);
        }
        run("initdb", List.of(bin("initdb"), "-D", dataDir.toString(), "-U", USER, "--pwfile=" + passwordFile,
                "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync",
                "--no-instructions"));
        ScratchDirectories.delete(passwordFile);
        configure();
        run("pg_ctl start", List.of(bin("pg_ctl"), "-D", dataDir.toString(), "-l", serverLog.toString(), "-w",
                "-t", Long.toString(TIMEOUT.toSeconds()), "-s", "start"));
        awaitConnection();
        createDatabase(DATABASE);
        System.err.printf("sluice test kit: PostgreSQL (%s) ready on 127.0.0.1:%d in %d ms%n",
                binDir.getParent().getFileName(), port, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /** Appends the test settings to the postgresql.conf that initdb wrote (appending keeps its owner). */
    private void configure() {
        String settings = String.join("\n",
                "",
                "# sluice test kit",
                "listen_addresses = '127.0.0.1'",
                "port = " + port,
                "unix_socket_directories = '" + socketDir + "'",
                "fsync = off",
                "synchronous_commit = off",
                "full_page_writes = off",
                "wal_level = logical",
                "max_wal_senders = 10",
                "max_replication_slots = 10",
                "max_connections = 200",
                "");
        try {
            Files.writeString(dataDir.resolve("postgresql.conf"), settings, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("could not configure the test PostgreSQL in " + dataDir, e);
        }
    }

    /** pg_ctl -w has seen the server up; this also proves that the password works over TCP. */
    private void awaitConnection() {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            try (Connection c = connect(jdbcUrl("postgres"))) {
                return;
            } catch (SQLException e) {
                last = e;
            }
            sleep(200);
        }
        throw new IllegalStateException("PostgreSQL on port " + port + " accepted no connection within "
                + TIMEOUT.toSeconds() + " s: " + (last == null ? "" : last.getMessage()) + logTails(), last);
    }

    /**
     * Drops the database if it exists (disconnecting its clients) and creates it empty, so that a test has a
     * database of its own.
     *
     * @param name lower-case letters, digits and underscores, starting with a letter or underscore, at most 63
     * @return a JDBC URL of the new database; connect as {@link #user()} with {@link #password()}
     */
    public String createDatabase(String name) {
        if (name == null || !DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a database name for the test PostgreSQL: " + name);
        }
        try (Connection c = connect(jdbcUrl("postgres")); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
            s.execute("CREATE DATABASE \"" + name + "\"");
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name + " on the test PostgreSQL: "
                    + e.getMessage(), e);
        }
        return jdbcUrl(name);
    }

    /** Stops the server ({@code pg_ctl stop -m fast}) and deletes its files. Never throws: it also runs from hooks. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            stopServer();
        } catch (RuntimeException e) {
            System.err.println("sluice test kit: " + e.getMessage());
        }
        ScratchDirectories.delete(dir);
    }

    private void stopServer() {
        if (!Files.exists(dataDir.resolve("postmaster.pid"))) {
            return;
        }
        try {
            run("pg_ctl stop", List.of(bin("pg_ctl"), "-D", dataDir.toString(), "-m", "fast", "-w",
                    "-t", Long.toString(TIMEOUT.toSeconds()), "-s", "stop"));
        } catch (RuntimeException e) {
            // The postmaster's children exit on their own once it is gone.
            killPostmaster(dataDir);
            throw e;
        }
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public String user() {
        return USER;
    }

    public String password() {
        return PASSWORD;
    }

    /** A JDBC URL of the database {@value #DATABASE}. */
    public String jdbcUrl() {
        return jdbcUrl(DATABASE);
    }

    /** A JDBC URL of the given database, which may not exist yet. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port + "/" + database;
    }

    private static Connection connect(String url) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", USER);
        props.setProperty("password", PASSWORD);
        props.setProperty("connectTimeout", "5");
        return new Driver().connect(url, props); // not DriverManager: see MariaDbServer#connect
    }

    /** The server's temporary directory (data, socket, logs); gone after {@link #close()}. */
    Path directory() {
        return dir;
    }

    private String bin(String program) {
        return binDir.resolve(program).toString();
    }

    /**
     * Runs a PostgreSQL program to its end, as the server's OS user when the JVM is root. Output goes to a file, not a
     * pipe: the server that pg_ctl starts would otherwise keep the pipe open.
     */
    private void run(String what, List<String> command) {
        List<String> full = new ArrayList<>();
        if (asServerOsUser) {
            full.addAll(List.of("runuser", "-u", SERVER_OS_USER, "--"));
        }
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full)
                // The server's OS user may not be allowed into the JVM's working directory.
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(commandLog.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("LC_ALL", "C");
        builder.environment().remove("PGDATA");
        try {
            Process process = builder.start();
            // pg_ctl waits TIMEOUT itself; leave it a little more.
            if (!process.waitFor(TIMEOUT.toSeconds() + 15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(what + " of the test PostgreSQL on port " + port + " did not finish"
                        + logTails());
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(what + " of the test PostgreSQL on port " + port + " failed with exit "
                        + process.exitValue() + logTails());
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + full + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " of the test PostgreSQL was interrupted", e);
        }
    }

    private String logTails() {
        return "\n--- " + commandLog + " (tail) ---\n" + tail(commandLog, 30)
                + "\n--- " + serverLog + " (tail) ---\n" + tail(serverLog, 40);
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** The bin directory of the newest PostgreSQL that has postgres, initdb and pg_ctl. */
    private static Path findBinDir() {
        List<Path> candidates = new ArrayList<>();
        if (Files.isDirectory(INSTALL_ROOT)) {
            try (Stream<Path> versions = Files.list(INSTALL_ROOT)) {
                versions.map(v -> v.resolve("bin"))
                        .filter(b -> Stream.of("postgres", "initdb", "pg_ctl").allMatch(p -> Files.isExecutable(b.resolve(p))))
                        .forEach(candidates::add);
            } catch (IOException e) {
                throw new UncheckedIOException("could not list " + INSTALL_ROOT, e);
            }
        }
        return candidates.stream()
                .max(Comparator.comparingDouble(b -> majorVersion(b.getParent().getFileName().toString())))
                .orElseThrow(() -> new IllegalStateException("no PostgreSQL server binaries (postgres, initdb, pg_ctl) in "
                        + INSTALL_ROOT + "/*/bin: install them with `apt-get install -y postgresql`"));
    }

    private static double majorVersion(String name) {
        try {
            return Double.parseDouble(name);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean runningAsRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        } catch (IOException | RuntimeException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static void giveToServerOsUser(Path path) {
        try {
            UserPrincipal user = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(SERVER_OS_USER);
            Files.setOwner(path, user);
        } catch (UserPrincipalNotFoundException e) {
            throw new IllegalStateException("PostgreSQL refuses to run as root, and the OS user " + SERVER_OS_USER
                    + " to run it as does not exist: install the server with `apt-get install -y postgresql`, which"
                    + " creates that user", e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not give " + path + " to the OS user " + SERVER_OS_USER, e);
        }
    }

    /**
     * Stops and deletes the servers of this kit whose JVM is gone (killed with SIGKILL, say), so that they do not pile
     * up. A directory whose JVM still runs, or that records none, is left alone.
     */
    private static void reapAbandoned() {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(TEMP_ROOT, DIR_PREFIX + "*")) {
            for (Path abandoned : dirs) {
                Path owner = abandoned.resolve(OWNER_FILE);
                long ownerPid;
                try {
                    ownerPid = Long.parseLong(Files.readString(owner).trim());
                } catch (IOException | NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(ownerPid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                killPostmaster(abandoned.resolve("data"));
                ScratchDirectories.delete(abandoned);
            }
        } catch (IOException e) {
            System.err.println("sluice test kit: could not look for abandoned PostgreSQL servers: " + e.getMessage());
        }
    }

    /** Kills the postmaster of the data directory, if it runs and is a postgres process, and waits for its end. */
    private static void killPostmaster(Path dataDir) {
        long pid;
        try {
            pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
        } catch (IOException | RuntimeException e) {
            return;
        }
        ProcessHandle.of(pid)
                .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                .ifPresent(p -> {
                    p.destroyForcibly();
                    try {
                        p.onExit().get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        System.err.println("sluice test kit: postgres " + pid + " did not exit: " + e.getMessage());
                    }
                });
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the test PostgreSQL", e);
        }
    }
}
