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
    private static OpenSearchTestNode shared;

    private final int httpPort;
    private final Path home;
    private Process process;

    private OpenSearchTestNode() {
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
        OpenSearchTestNode node = new OpenSearchTestNode();
        node.start();
        return node;
    }

    /** Starts the node (again) and waits until HTTP answers. */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        Path module = moduleDir();
        String classpath = module.resolve("target/classes") + File.pathSeparator + module.resolve("target/lib") + File.separator + "*";
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xms512m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classpath, "io.sluice.opensearchnode.OpenSearchLauncher", Integer.toString(httpPort), "0", home.toString());
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

    /** {@code http://127.0.0.1:<port>} */
    public String url() {
        return "http://127.0.0.1:" + httpPort;
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
