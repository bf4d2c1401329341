package io.sluice.opensearchnode;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.logging.log4j.LogManager;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * Starts a real single-node OpenSearch 2.19.x cluster in this JVM from Maven artifacts.
 *
 * <p>Usage: java -cp target/classes:target/lib/* io.sluice.opensearchnode.OpenSearchLauncher <httpPort> <transportPort> <homeDir>
 *
 * stdout carries exactly one line, "OPENSEARCH_READY <httpPort>", once HTTP answers; all logging goes to stderr.
 * SIGTERM / SIGINT -> shutdown hook closes the node. EOF on stdin -> exit (so a dead parent leaves no orphan);
 * disable with -Dopensearch.launcher.watchStdin=false when started with stdin=/dev/null.
 */
public final class OpenSearchLauncher {

    /** Node's constructor that accepts classpath plugins is protected, hence the subclass. */
    static final class EmbeddedNode extends Node {
        EmbeddedNode(Environment env, Collection<Class<? extends Plugin>> plugins) {
            super(env, plugins, true);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: OpenSearchLauncher <httpPort> <transportPort> <homeDir>");
            System.exit(2);
        }
        final int httpPort = Integer.parseInt(args[0]);
        final int transportPort = Integer.parseInt(args[1]);
        final Path home = Paths.get(args[2]).toAbsolutePath();
        Files.createDirectories(home);

        final long t0 = System.nanoTime();
        Settings settings = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("cluster.name", "sluice-it")
            .put("node.name", "node-1")
            .put("discovery.type", "single-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", httpPort)
            .put("transport.port", transportPort)
            // test box disks are often >90% full; never block writes/allocation because of that
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            // real-memory breaker misfires with small heaps
            .put("indices.breaker.total.use_real_memory", false)
            .build();

        Environment env = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> "node-1");
        final Node node = new EmbeddedNode(env, List.of(Netty4Plugin.class, MapperExtrasPlugin.class));

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                if (!node.awaitClose(20, TimeUnit.SECONDS)) {
                    System.err.println("OpenSearchLauncher: node did not close within 20s");
                }
            } catch (Throwable t) {
                t.printStackTrace();
            } finally {
                LogManager.shutdown();
            }
        }, "opensearch-shutdown"));

        try {
            node.start();
            waitForHttp("http://127.0.0.1:" + httpPort + "/_cluster/health?wait_for_status=yellow&timeout=1s", 60_000);
        } catch (Throwable t) {
            // e.g. BindHttpException when the port is taken: exit non-zero (runs the hook, closes the node)
            t.printStackTrace();
            System.exit(1);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.err.println("OpenSearchLauncher: started in " + ms + " ms");
        System.out.println("OPENSEARCH_READY " + httpPort);
        System.out.flush();

        // PITFALL: all OpenSearch threads are daemon threads (the distribution's Bootstrap keeps a
        // dedicated non-daemon "keepAlive" thread). If main() returned here the JVM would exit at once.
        if (Boolean.parseBoolean(System.getProperty("opensearch.launcher.watchStdin", "true"))) {
            try {
                byte[] buf = new byte[256];
                while (System.in.read(buf) >= 0) {
                    // ignore input; we only care about EOF (parent died or closed the pipe)
                }
            } catch (IOException ignored) {
                // treat as EOF
            }
            System.err.println("OpenSearchLauncher: stdin closed, shutting down");
            System.exit(0);
        } else {
            new CountDownLatch(1).await(); // park forever; SIGTERM -> shutdown hook -> exit
        }
    }

    private static void waitForHttp(String url, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (true) {
            try {
                HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
                c.setConnectTimeout(1000);
                c.setReadTimeout(5000);
                int code = c.getResponseCode();
                c.disconnect();
                if (code == 200) {
                    return;
                }
            } catch (IOException ignored) {
                // not up yet
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("OpenSearch HTTP did not become ready: " + url);
            }
            Thread.sleep(100);
        }
    }
}
