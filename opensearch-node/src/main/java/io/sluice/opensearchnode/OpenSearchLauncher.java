package io.sluice.opensearchnode;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
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
 * With -Dopensearch.launcher.secure=true the node loads the Security plugin (its jars on the classpath, from
 * target/security): HTTPS and TLS between nodes with &lt;homeDir&gt;/config/node.pem, node-key.pem and ca.pem, users and
 * roles from &lt;homeDir&gt;/config/opensearch-security/*.yml (read once, when the node creates its security index), and
 * readiness asked over HTTPS as admin with the password in $OPENSEARCH_ADMIN_PASSWORD.
 *
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

        final boolean secure = Boolean.getBoolean("opensearch.launcher.secure");
        final PrintStream handshake = System.out;
        if (secure) {
            System.setOut(System.err); // the plugin's event bus prints to stdout, which carries only the ready line
        }
        final long t0 = System.nanoTime();
        Settings.Builder builder = Settings.builder()
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
            .put("indices.breaker.total.use_real_memory", false);
        List<Class<? extends Plugin>> plugins = new ArrayList<>(List.of(Netty4Plugin.class, MapperExtrasPlugin.class));
        if (secure) {
            String subject = System.getProperty("opensearch.launcher.nodeDn", "CN=localhost");
            for (String layer : List.of("transport", "http")) {
                builder.put("plugins.security.ssl." + layer + ".pemcert_filepath", "node.pem")
                    .put("plugins.security.ssl." + layer + ".pemkey_filepath", "node-key.pem")
                    .put("plugins.security.ssl." + layer + ".pemtrustedcas_filepath", "ca.pem");
            }
            builder.put("plugins.security.ssl.http.enabled", true)
                .put("plugins.security.ssl.transport.enforce_hostname_verification", false)
                .put("plugins.security.allow_default_init_securityindex", true)
                .putList("plugins.security.nodes_dn", subject)
                .putList("plugins.security.authcz.admin_dn", "CN=sluice-test-admin")
                .put("plugins.security.audit.type", "noop");
            // the plugin's jars are on the classpath at run time only (unpacked from its zip)
            plugins.add(Class.forName("org.opensearch.security.OpenSearchSecurityPlugin").asSubclass(Plugin.class));
        }
        Settings settings = builder.build();

        Environment env = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> "node-1");
        final Node node = new EmbeddedNode(env, plugins);

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
            String health = "127.0.0.1:" + httpPort + "/_cluster/health?wait_for_status=yellow&timeout=1s";
            if (secure) {
                waitForHttp("https://" + health, 90_000, home.resolve("config").resolve("ca.pem"), System.getenv("OPENSEARCH_ADMIN_PASSWORD"));
            } else {
                waitForHttp("http://" + health, 60_000, null, null);
            }
        } catch (Throwable t) {
            // e.g. BindHttpException when the port is taken: exit non-zero (runs the hook, closes the node)
            t.printStackTrace();
            System.exit(1);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.err.println("OpenSearchLauncher: started in " + ms + " ms");
        handshake.println("OPENSEARCH_READY " + httpPort);
        handshake.flush();

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

    /** Waits for 200 from a URL; over HTTPS trusting the CA file and signed in as admin (the index of users exists then). */
    private static void waitForHttp(String url, long timeoutMs, Path ca, String adminPassword) throws Exception {
        SSLContext trust = null;
        if (ca != null) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            try (InputStream in = Files.newInputStream(ca)) {
                store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            trust = SSLContext.getInstance("TLS");
            trust.init(null, tmf.getTrustManagers(), null);
        }
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (true) {
            try {
                HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
                if (c instanceof HttpsURLConnection https && trust != null) {
                    https.setSSLSocketFactory(trust.getSocketFactory());
                    c.setRequestProperty("Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin:" + adminPassword)
                        .getBytes(StandardCharsets.UTF_8)));
                }
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
