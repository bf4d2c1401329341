package io.sluice.connect.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import io.sluice.testkit.ConnectWorker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Data contracts in the Kafka Connect runtime give the embedded pipeline's results: one table captured twice, by
 * an embedded pipeline in Sluice's server and by Debezium's connector into Sluice's Redis sink connector, under the
 * same rule set registered on both value subjects (on Connect's, whose schema is Debezium's envelope, the rules see
 * the row as they do in the embedded pipeline). Both targets end with the same documents, masked alike, and both
 * dead-letter queues hold the same rows, with the rule named. An {@code ERROR} rule fails the Connect task without
 * writing its batch; the task restarted after the rule is fixed writes it.
 */
class ConnectContractIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String id = UUID.randomUUID().toString().substring(0, 6);
    private final String database = "kcontract_" + id;
    private final String prefix = "kc" + id;
    private final String embeddedSource = "ec" + id;
    private DistributedStack stack;
    private MariaDbServer db;
    private RedisServer redis;

    @BeforeEach
    void servers() throws Exception {
        stack = DistributedStack.shared();
        db = MariaDbServer.shared();
        redis = RedisServer.shared();
        DistributedStack.captureUser(db);
    }

    @Test
    void shouldMaskDeadLetterAndStopAsTheEmbeddedPipelineDoesUnderTheSameRules() throws Exception {
        db.recreateDatabase(database);
        db.execute("CREATE TABLE " + database + ".patients (id INT PRIMARY KEY, ssn VARCHAR(20) NOT NULL, email VARCHAR(80) NULL,"
                + " price DECIMAL(10,2) NOT NULL)", "INSERT INTO " + database + ".patients VALUES (1, '123456789', 'ann@example.com', 10.00)");
        String embeddedPrefix = embeddedSource + ":" + database + ":patients:{";
        String connectPrefix = prefix + ":" + database + ":patients:{";

        stack.server.json("POST", "/api/v1/sources", JSON.writeValueAsString(db.sourceRequest(embeddedSource, "connect_capture",
                DistributedStack.CAPTURE_PASSWORD, database, 6600 + Math.abs(id.hashCode() % 300))), 201);
        stack.server.json("POST", "/api/v1/sinks", JSON.writeValueAsString(Map.of("name", "ecache-" + id, "type", "redis", "config",
                Map.of("redis.uri", "redis://" + redis.host() + ":" + redis.port()))), 201);
        stack.server.json("POST", "/api/v1/pipelines", JSON.writeValueAsString(Map.of("name", "ep-" + id, "source", embeddedSource, "sinks",
                List.of("ecache-" + id))), 201);

        try (ConnectWorker worker = new ConnectWorker(stack.kafka.bootstrapServers(), stack.build, "contract-" + id,
                Path.of("target", "connect-contract-" + id))) {
            worker.start();
            String topics = prefix + "\\." + database + "\\..*";
            Map<String, String> cache = new HashMap<>(stack.redisSink(topics, redis));
            cache.putAll(Map.of("errors.tolerance", "all", "errors.deadletterqueue.topic.name", "dlq-" + id,
                    "errors.deadletterqueue.topic.replication.factor", "1", "errors.deadletterqueue.context.headers.enable", "true",
                    "sluice.rules.refresh.ms", "0"));
            worker.put("source-" + id, stack.mariaDbSource(db, database, prefix, 6950 + Math.abs(id.hashCode() % 40)));
            worker.put("cache-" + id, cache);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                worker.running("cache-" + id);
                assertThat(redis.strings(connectPrefix, "}")).hasSize(1);
                assertThat(redis.strings(embeddedPrefix, "}")).hasSize(1);
            });

            Map<String, Object> ruleSet = Map.of("domainRules", List.of(
                    rule("checkSsnLen", "CONDITION", "CEL", "size(message.ssn) == 9", "DLQ"),
                    rule("positivePrice", "CONDITION", "CEL", "message.price > 0.0", "NONE"),
                    Map.of("name", "maskPii", "kind", "TRANSFORM", "type", "CEL_FIELD", "mode", "WRITE", "tags", List.of("PII"),
                            "expr", "typeName == 'STRING' ; 'XXXX'")));
            Map<String, Object> metadata = Map.of("tags", Map.of("**.email", List.of("PII")));
            String embeddedSubject = embeddedSource + "." + database + ".patients-value";
            String connectSubject = prefix + "." + database + ".patients-value";
            register(embeddedSubject, ruleSet, metadata);
            register(connectSubject, ruleSet, metadata);

            db.execute("INSERT INTO " + database + ".patients VALUES (2, '987654321', 'bob@example.com', 5.00)",
                    "INSERT INTO " + database + ".patients VALUES (3, '12', 'cy@example.com', 7.00)",
                    "INSERT INTO " + database + ".patients VALUES (4, '111223333', NULL, -1.00)",
                    "UPDATE " + database + ".patients SET ssn = '99', price = 6.00 WHERE id = 2",
                    "UPDATE " + database + ".patients SET email = 'ann@elsewhere.org' WHERE id = 1",
                    "INSERT INTO " + database + ".patients VALUES (5, '555667777', 'dee@example.com', 8.00)");

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                worker.running("cache-" + id);
                assertThat(documents(connectPrefix).keySet()).containsExactly("1", "2", "4", "5");
                assertThat(documents(embeddedPrefix).keySet()).containsExactly("1", "2", "4", "5");
            });
            Map<String, JsonNode> connect = documents(connectPrefix);
            assertThat(connect.get("1").path("email").asText()).as("masked by the transform").isEqualTo("XXXX");
            assertThat(connect.get("2").path("ssn").asText()).as("the update that failed a DLQ rule was not written").isEqualTo("987654321");
            assertThat(connect.get("4").path("price").asDouble()).as("a NONE rule counts, the row goes on").isEqualTo(-1.0);
            assertThat(connect).as("the same documents as the embedded pipeline wrote").isEqualTo(documents(embeddedPrefix));

            List<String> connectLetters = connectDeadLetters();
            assertThat(connectLetters).hasSize(2).allSatisfy(reason -> assertThat(reason).contains("checkSsnLen", "size(message.ssn) == 9"));
            assertThat(new TreeSet<>(connectLetters.stream().map(ConnectContractIT::ssn).toList())).containsExactly("12", "99")
                    .isEqualTo(embeddedDeadLetterSsns());

            // An ERROR rule fails the task before anything of the batch is written; fixed and restarted, the task writes it.
            register(connectSubject, Map.of("domainRules", List.of(rule("modestPrice", "CONDITION", "CEL", "message.price < 1000.0", "ERROR"))),
                    metadata);
            db.execute("INSERT INTO " + database + ".patients VALUES (6, '666778888', 'eve@example.com', 5000.00)");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> taskTrace(worker) != null);
            assertThat(taskTrace(worker)).contains("modestPrice", "message.price < 1000.0", "restart the task");
            assertThat(documents(connectPrefix)).doesNotContainKey("6");

            register(connectSubject, Map.of("domainRules", List.of(rule("modestPrice", "CONDITION", "CEL", "message.price < 10000.0",
                    "ERROR"))), metadata);
            assertThat(worker.send("POST", "/connectors/cache-" + id + "/tasks/0/restart", null).statusCode()).isEqualTo(204);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                worker.running("cache-" + id);
                assertThat(documents(connectPrefix)).containsKey("6");
            });
        }
    }

    private void register(String subject, Map<String, Object> ruleSet, Map<String, Object> metadata) throws Exception {
        String schema = stack.server.json("GET", "/registry/subjects/" + subject + "/versions/latest", null, 200).path("schema").asText();
        stack.server.json("POST", "/registry/subjects/" + subject + "/versions", JSON.writeValueAsString(Map.of("schema", schema, "ruleSet",
                ruleSet, "metadata", metadata)), 200);
    }

    private static Map<String, Object> rule(String name, String kind, String type, String expr, String onFailure) {
        return Map.of("name", name, "kind", kind, "type", type, "mode", "WRITE", "expr", expr, "onFailure", onFailure);
    }

    /** The documents under a key prefix, by primary key. */
    private Map<String, JsonNode> documents(String keyPrefix) throws Exception {
        Map<String, JsonNode> out = new TreeMap<>();
        for (Map.Entry<String, String> e : redis.strings(keyPrefix, "}").entrySet()) {
            out.put(e.getKey().substring(keyPrefix.length(), e.getKey().length() - 1), JSON.readTree(e.getValue()));
        }
        return out;
    }

    /** The failed task's trace, or null while no task failed. */
    private String taskTrace(ConnectWorker worker) throws Exception {
        JsonNode status = worker.status("cache-" + id);
        for (JsonNode task : status.path("tasks")) {
            if ("FAILED".equals(task.path("state").asText())) {
                return task.path("trace").asText();
            }
        }
        return null;
    }

    /** The reasons Connect's dead-letter queue gives for its records. */
    private List<String> connectDeadLetters() {
        Properties props = new Properties();
        props.put("bootstrap.servers", stack.kafka.bootstrapServers());
        props.put("key.deserializer", ByteArrayDeserializer.class.getName());
        props.put("value.deserializer", ByteArrayDeserializer.class.getName());
        List<String> reasons = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            TopicPartition partition = new TopicPartition("dlq-" + id, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
                    Header message = r.headers().lastHeader("__connect.errors.exception.message");
                    reasons.add(message == null ? "(no reason header)" : new String(message.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return reasons;
    }

    private TreeSet<String> embeddedDeadLetterSsns() throws Exception {
        JsonNode letters = stack.server.json("GET", "/api/v1/sinks/ecache-" + id + "/dead-letters", null, 200);
        TreeSet<String> out = new TreeSet<>();
        for (JsonNode entries : letters.findValues("entries")) {
            for (JsonNode entry : entries) {
                out.add(ssn(entry.path("reason").asText()));
            }
        }
        return out;
    }

    /** The ssn a dead letter's reason names among the values the rule read ({@code values {ssn=12}}). */
    private static String ssn(String reason) {
        int at = reason.indexOf("ssn=");
        int end = at;
        while (end + 4 < reason.length() && Character.isDigit(reason.charAt(end + 4))) {
            end++;
        }
        return reason.substring(at + 4, end + 4);
    }
}
