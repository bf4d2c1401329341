package io.sluice.connect.plugin;

import io.sluice.embedded.FreePorts;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import io.sluice.embedded.ServerProcess;
import io.sluice.testkit.ConnectWorker;
import io.sluice.testkit.OpenSearchTestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * What the distributed-mode tests share, started once per test JVM: a real KRaft Kafka broker
 * ({@link KafkaClusterTestKit}), the packaged Sluice server (its {@code /registry} serves the converter), and the
 * plugin path: Sluice's archive as the build made it, unzipped beside Debezium's MariaDB connector plugin. Stopped
 * by a shutdown hook.
 */
final class DistributedStack {
    static final String ADMIN_PASSWORD = "Connect-Admin-Password-1";
    static final String CAPTURE_PASSWORD = "Capture-Password-1";
    private static DistributedStack shared;

    final KafkaClusterTestKit kafka;
    final ServerProcess server;
    /** This module's build folder: the worker's classpath and plugin path (see {@link ConnectWorker}). */
    final Path build = Path.of("target");

    private DistributedStack() throws Exception {
        ConnectWorker.pluginPath(build, System.getProperty("sluice.version"));
        kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1)
                .build())
                // one broker: every internal topic with one replica
                .setConfigProp("offsets.topic.replication.factor", "1").setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1").setConfigProp("group.initial.rebalance.delay.ms", "0").build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();

        Path data = Files.createTempDirectory("sluice-connect-it-");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path log = Path.of("target", "sluice-server.log");
        Files.deleteIfExists(log);
        server = new ServerProcess(ServerProcess.packagedJar(), FreePorts.next(), Map.of("sluice.data-dir", data.toString(),
                "sluice.encryption-key", Base64.getEncoder().encodeToString(key), "sluice.admin.initial-password", ADMIN_PASSWORD,
                "sluice.secure-cookies", "false"), log);
        server.start();
    }

    static synchronized DistributedStack shared() throws Exception {
        if (shared == null) {
            shared = new DistributedStack();
            // Normally closed when the test session ends (StackSessionListener); this covers an aborted run.
            Runtime.getRuntime().addShutdownHook(new Thread(DistributedStack::closeShared));
        }
        return shared;
    }

    /**
     * Stops the shared server and broker, if started. Called when the test session ends, before the JVM's shutdown
     * hooks run: a broker stopped from a hook raced Kafka's own hook that deletes its log directory, and a broker
     * whose log directory vanishes halts the JVM (the fork then ends with an error although every test passed).
     */
    static synchronized void closeShared() {
        if (shared == null) {
            return;
        }
        try {
            shared.server.close();
            shared.kafka.close();
        } catch (Exception e) {
            // ending anyway
        } finally {
            shared = null;
        }
    }

    /** The converter keys of a connector: Sluice's Avro converter for keys and values, against the server's registry. */
    Map<String, String> converters() {
        Map<String, String> c = new HashMap<>();
        for (String side : new String[] {"key", "value"}) {
            c.put(side + ".converter", "io.sluice.connect.SluiceAvroConverter");
            c.put(side + ".converter.schema.registry.url", server.url() + "/registry");
            c.put(side + ".converter.basic.auth.user.info", "admin:" + ADMIN_PASSWORD);
        }
        return c;
    }

    /** Debezium's MariaDB connector over one database, with Sluice's converter and tombstones after deletes. */
    Map<String, String> mariaDbSource(MariaDbServer db, String database, String prefix, int serverId) {
        Map<String, String> c = new HashMap<>(converters());
        c.putAll(Map.of("connector.class", "io.debezium.connector.mariadb.MariaDbConnector", "tasks.max", "1",
                "database.hostname", db.host(), "database.port", Integer.toString(db.port()), "database.user", "connect_capture",
                "database.password", CAPTURE_PASSWORD, "database.server.id", Integer.toString(serverId), "topic.prefix", prefix,
                "database.include.list", database, "schema.history.internal.kafka.bootstrap.servers", kafka.bootstrapServers()));
        c.putAll(Map.of("schema.history.internal.kafka.topic", "schema-history." + prefix, "tombstones.on.delete", "true",
                "include.schema.changes", "false", "snapshot.mode", "initial", "database.ssl.mode", "disable"));
        return c;
    }

    /** Grants Debezium needs, for the user {@link #mariaDbSource} connects as. */
    static void captureUser(MariaDbServer db) {
        db.createCaptureUser("connect_capture", CAPTURE_PASSWORD);
    }

    /**
     * What every sink connector here shares: the converters, and a consumer that looks for new topics matching
     * {@code topics.regex} every two seconds (Kafka's default is five minutes: a table created after the sink
     * would wait that long).
     */
    private Map<String, String> sink() {
        Map<String, String> c = new HashMap<>(converters());
        c.put("consumer.override.metadata.max.age.ms", "2000");
        return c;
    }

    Map<String, String> redisSink(String topicsRegex, RedisServer redis) {
        Map<String, String> c = sink();
        c.putAll(Map.of("connector.class", "io.sluice.sink.connect.RedisSinkConnector", "tasks.max", "1", "topics.regex", topicsRegex,
                "redis.uri", "redis://" + redis.host() + ":" + redis.port()));
        return c;
    }

    Map<String, String> openSearchSink(String topicsRegex, OpenSearchTestNode search) {
        Map<String, String> c = sink();
        c.putAll(Map.of("connector.class", "io.sluice.sink.connect.OpenSearchSinkConnector", "tasks.max", "1", "topics.regex", topicsRegex,
                "opensearch.urls", search.url(), "index.replicas", "0"));
        return c;
    }
}
