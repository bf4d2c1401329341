package io.sluice.testkit;

import io.sluice.embedded.FreePorts;
import io.sluice.embedded.ScratchDirectories;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node OpenSearch 2.19 cluster in a JVM of its own (the {@code opensearch-node} module's launcher
 * and jars, built by Maven), with HTTP on a free loopback port. Its Netty and Lucene never meet Sluice's
 * classpath. {@link #stop()} and {@link #start()} simulate an outage; the data directory survives them.
 *
 * <p>The child watches its stdin: if this JVM dies, the node exits too.
 */
public final class OpenSearchTestNode implements AutoCloseable {
    /** The user with every right on a {@linkplain #startSecure secure} node, and its password. */
    public static final String ADMIN = "admin";
    public static final String ADMIN_PASSWORD = "admin-pw";
    /** The user of a secure node that holds only {@link #SINK_ROLE}, and its password. */
    public static final String SINK_USER = "sluice";
    public static final String SINK_PASSWORD = "sluice-pw";
    /**
     * The least rights a Sluice sink needs, for indexes whose names start with {@code shop} (docs/production.md shows
     * the same role): bulk writes, reads and scrolls, creating and mapping its indexes, aliases for reindexing, and its
     * generation index. No cluster monitoring.
     */
    public static final String SINK_ROLE = """
            sluice_sink:
              reserved: false
              cluster_permissions:
                - "indices:data/write/bulk"
                - "indices:data/read/mget"
                - "indices:data/read/scroll"
                - "indices:data/read/scroll/clear"
              index_permissions:
                - index_patterns: ["shop*", "sluice-generations"]
                  allowed_actions:
                    - "indices:data/write/*"
                    - "indices:data/read/*"
                    - "indices:admin/create"
                    - "indices:admin/get"
                    - "indices:admin/exists"
                    - "indices:admin/mapping/put"
                    - "indices:admin/mappings/get"
                    - "indices:admin/refresh*"
                    - "indices:admin/aliases*"
                    - "indices:admin/delete"
            """;

    private static OpenSearchTestNode shared;

    private final int httpPort;
    private final Path home;
    /** The certificates of a secure node, null for a plain one. */
    private final TestCertificates certificates;
    private Process process;

    private OpenSearchTestNode(TestCertificates certificates) {
        this.certificates = certificates;
        this.httpPort = FreePorts.next();
        try {
            this.home = Files.createTempDirectory("sluice-opensearch-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The node shared by every test of this JVM, started at the first call. */
    public static synchronized OpenSearchTestNode shared() {
        if (shared == null) {
            OpenSearchTestNode node = startNew();
            Runtime.getRuntime().addShutdownHook(new Thread(node::close, "opensearch-test-node-stop"));
            shared = node;
        }
        return shared;
    }

    /** A node of its own; the caller closes it. */
    public static OpenSearchTestNode startNew() {
        OpenSearchTestNode node = new OpenSearchTestNode(null);
        node.start();
        return node;
    }

    /**
     * A node of its own with OpenSearch's Security plugin: HTTPS only, with the certificates' server certificate (for
     * {@code localhost} and {@code 127.0.0.1}); users {@value #ADMIN} (every right) and {@value #SINK_USER} (only
     * {@link #SINK_ROLE}). The caller closes it.
     */
    public static OpenSearchTestNode startSecure(TestCertificates certificates) {
        OpenSearchTestNode node = new OpenSearchTestNode(certificates);
        node.writeSecurityConfig();
        node.start();
        return node;
    }

    private void writeSecurityConfig() {
        Path config = home.resolve("config");
        Path security = config.resolve("opensearch-security");
        try {
            Files.createDirectories(security);
            Files.copy(certificates.serverChainPem(), config.resolve("node.pem"));
            Files.copy(certificates.serverKeyPem(), config.resolve("node-key.pem"));
            Files.copy(certificates.caPem(), config.resolve("ca.pem"));
            Files.writeString(security.resolve("config.yml"), """
                    _meta: {type: "config", config_version: 2}
                    config:
                      dynamic:
                        http: {anonymous_auth_enabled: false}
                        authc:
                          basic_internal_auth_domain:
                            http_enabled: true
                            transport_enabled: true
                            order: 0
                            http_authenticator: {type: basic, challenge: true}
                            authentication_backend: {type: intern}
                    """);
            // bcrypt hashes of ADMIN_PASSWORD and SINK_PASSWORD (the plugin's Hasher), for test users only
            Files.writeString(security.resolve("internal_users.yml"), """
                    _meta: {type: "internalusers", config_version: 2}
                    admin: {hash: "$2y$12$UOvqrJBGkB8r44QslD.dauw93jfMmm4c9u6THewTU2jgzsbUb9qPm", reserved: true, backend_roles: ["admin"]}
                    sluice: {hash: "$2y$12$MV.dGN3XWkHQx7RxiaNeH.DyC0U0fOPJHbSqgBogJryLRSS9.M0wa", reserved: false}
                    """);
            Files.writeString(security.resolve("roles.yml"), "_meta: {type: \"roles\", config_version: 2}\n" + SINK_ROLE);
            Files.writeString(security.resolve("roles_mapping.yml"), """
                    _meta: {type: "rolesmapping", config_version: 2}
                    all_access: {reserved: false, backend_roles: ["admin"]}
                    sluice_sink: {reserved: false, users: ["sluice"]}
                    """);
            Files.writeString(security.resolve("action_groups.yml"), "_meta: {type: \"actiongroups\", config_version: 2}\n");
            Files.writeString(security.resolve("tenants.yml"), "_meta: {type: \"tenants\", config_version: 2}\n");
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the secure node's configuration into " + config, e);
        }
    }

    /** Starts the node (again) and waits until HTTP answers. */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        Path module = moduleDir();
        String classpath = module.resolve("target/classes") + File.pathSeparator + module.resolve("target/lib") + File.separator + "*";
        if (certificates != null) {
            classpath += File.pathSeparator + module.resolve("target/security") + File.separator + "*";
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xms512m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dopensearch.launcher.secure=" + (certificates != null), "-cp", classpath, "io.sluice.opensearchnode.OpenSearchLauncher",
                Integer.toString(httpPort), "0", home.toString());
        pb.environment().put("OPENSEARCH_ADMIN_PASSWORD", ADMIN_PASSWORD);
        pb.redirectError(ProcessBuilder.Redirect.appendTo(home.resolve("node.log").toFile()));
        try {
            Process p = pb.start();
            CompletableFuture<Boolean> ready = CompletableFuture.supplyAsync(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = out.readLine()) != null) {
                        if (line.startsWith("OPENSEARCH_READY")) {
                            return true;
                        }
                    }
                    return false;
                } catch (IOException e) {
                    return false;
                }
            });
            if (!Boolean.TRUE.equals(ready.get(120, TimeUnit.SECONDS))) {
                p.destroyForcibly();
                throw new IllegalStateException("OpenSearch did not start; see " + home.resolve("node.log"));
            }
            process = p;
        } catch (Exception e) {
            throw new IllegalStateException("OpenSearch did not start on port " + httpPort + " (log: " + home.resolve("node.log") + "): "
                    + e.getMessage(), e);
        }
    }

    /** Stops the node (SIGTERM, clean close), keeping its data. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            process = null;
        }
    }

    @Override
    public void close() {
        stop();
        ScratchDirectories.delete(home);
    }

    /** {@code http://127.0.0.1:<port>}, or {@code https://localhost:<port>} for a secure node. */
    public String url() {
        return certificates == null ? "http://127.0.0.1:" + httpPort : "https://localhost:" + httpPort;
    }

    public int httpPort() {
        return httpPort;
    }

    private static Path moduleDir() {
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("opensearch-node");
            if (Files.isDirectory(candidate.resolve("target/lib"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("opensearch-node/target/lib not found above " + System.getProperty("user.dir")
                + ": build the opensearch-node module first (mvn -pl opensearch-node package)");
    }

}
