package io.sluice.connect.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import io.sluice.testkit.ConnectWorker;
import io.sluice.testkit.OpenSearchTestNode;
import io.sluice.testkit.TargetRows;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sluice in distributed mode, end to end and with real parts only: MariaDB with its binlog, Debezium's MariaDB
 * connector and Sluice's sink connectors in a distributed Kafka Connect worker that loads them from
 * {@code plugin.path} (the archive this module builds), a KRaft broker, Sluice's registry, Redis and OpenSearch.
 * The example to start from for this module.
 */
class DistributedPipelineIT {

    private final String id = UUID.randomUUID().toString().substring(0, 6);
    private DistributedStack stack;
    private MariaDbServer db;
    private RedisServer redis;
    private OpenSearchTestNode search;

    @BeforeEach
    void servers() throws Exception {
        stack = DistributedStack.shared();
        db = MariaDbServer.shared();
        redis = RedisServer.shared();
        search = OpenSearchTestNode.shared();
        DistributedStack.captureUser(db);
    }

    @Test
    void shouldCarryInsertsUpdatesAndDeletesThroughKafkaIntoRedisAndOpenSearch() throws Exception {
        String database = "kshop_" + id;
        String prefix = "k" + id;
        db.recreateItemsDatabase(database);
        for (int i = 1; i <= 200; i++) {
            db.execute("INSERT INTO " + database + ".items VALUES (" + i + ", 'item " + i + "', " + i + ")");
        }

        try (ConnectWorker worker = new ConnectWorker(stack.kafka.bootstrapServers(), stack.build, "pipeline-" + id,
                Path.of("target", "connect-" + id))) {
            worker.start();
            String plugins = worker.send("GET", "/connector-plugins?connectorsOnly=false", null).body();
            assertThat(plugins).contains("io.sluice.sink.connect.RedisSinkConnector", "io.sluice.sink.connect.OpenSearchSinkConnector",
                    "io.sluice.connect.SluiceAvroConverter", "io.debezium.connector.mariadb.MariaDbConnector");

            String topics = prefix + "\\." + database + "\\..*";
            worker.put("source-" + id, stack.mariaDbSource(db, database, prefix, 5400 + Math.abs(id.hashCode() % 500)));
            worker.put("cache-" + id, stack.redisSink(topics, redis));
            worker.put("search-" + id, stack.openSearchSink(topics, search));
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> worker.running("source-" + id)
                    && worker.running("cache-" + id) && worker.running("search-" + id));

            // Connect reports the source running before Debezium's snapshot has read the table: wait for the snapshot
            // to land, so that the changes below are streamed as updates and deletes rather than read by the snapshot.
            Map<String, String> initial = db.rows(database, "SELECT id, name, qty FROM items");
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                worker.running("cache-" + id);
                assertThat(TargetRows.redis(redis, prefix + ":" + database + ":items:{")).as("Redis after the snapshot")
                        .containsExactlyInAnyOrderEntriesOf(initial);
            });

            db.execute("UPDATE " + database + ".items SET qty = qty + 1000, name = 'changed' WHERE id <= 20",
                    "DELETE FROM " + database + ".items WHERE id BETWEEN 21 AND 30",
                    "INSERT INTO " + database + ".items VALUES (201, 'new', 1), (202, 'new', 2)",
                    "UPDATE " + database + ".items SET qty = 7 WHERE id = 201");

            Map<String, String> table = db.rows(database, "SELECT id, name, qty FROM items");
            assertThat(table).hasSize(192);
            assertTargetsEqual(worker, prefix, database, table);

            assertTopicHoldsWireFormatAvroWithTombstones(stack, prefix + "." + database + ".items");
        }
    }

    @Test
    void shouldRemoveRowsDeletedWhileNothingCapturedOnceASnapshotIsTakenAgain() throws Exception {
        String database = "kagain_" + id;
        String prefix = "a" + id;
        db.recreateItemsDatabase(database);
        db.insertItems(database + ".items", 1, 100);

        try (ConnectWorker worker = new ConnectWorker(stack.kafka.bootstrapServers(), stack.build, "again-" + id,
                Path.of("target", "connect-again-" + id))) {
            worker.start();
            String topics = prefix + "\\." + database + "\\..*";
            int serverId = 6000 + Math.abs(id.hashCode() % 500);
            worker.put("source-" + id, stack.mariaDbSource(db, database, prefix, serverId));
            worker.put("cache-" + id, stack.redisSink(topics, redis));
            worker.put("search-" + id, stack.openSearchSink(topics, search));
            assertTargetsEqual(worker, prefix, database, db.rows(database, "SELECT id, name, qty FROM items"));

            // The source connector goes; while nothing captures, rows are deleted and one changes. A connector
            // registered anew over the same topics takes the snapshot again: it reads only the rows that are left.
            assertThat(worker.send("DELETE", "/connectors/source-" + id, null).statusCode()).isEqualTo(204);
            await().atMost(Duration.ofSeconds(30)).until(() -> worker.send("GET", "/connectors/source-" + id, null).statusCode() == 404);
            db.execute("DELETE FROM " + database + ".items WHERE id <= 30", "UPDATE " + database + ".items SET name = 'changed' WHERE id = 31");
            Map<String, String> again = new HashMap<>(stack.mariaDbSource(db, database, prefix, serverId + 1));
            again.put("schema.history.internal.kafka.topic", "schema-history." + prefix + ".again");
            worker.put("again-" + id, again);

            Map<String, String> table = db.rows(database, "SELECT id, name, qty FROM items");
            assertThat(table).hasSize(70);
            assertTargetsEqual(worker, prefix, database, table);
        }
    }

    /** Waits until Redis and OpenSearch hold exactly the table's rows; a sink task that failed fails it at once. */
    private void assertTargetsEqual(ConnectWorker worker, String prefix, String database, Map<String, String> table) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            worker.running("cache-" + id); // a failed task fails the test at once, with its trace
            assertThat(TargetRows.redis(redis, prefix + ":" + database + ":items:{")).as("Redis").containsExactlyInAnyOrderEntriesOf(table);
        });
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            worker.running("search-" + id);
            assertThat(TargetRows.openSearch(search, prefix + "." + database + ".items")).as("OpenSearch").containsExactlyInAnyOrderEntriesOf(table);
        });
    }

    /**
     * Reads the table's topic as any Kafka consumer would: each key and value is Confluent's wire format (magic byte
     * 0, the schema id, Avro binary); the schema comes from the registry by id, and every delete is followed by a
     * tombstone for its key.
     */
    private static void assertTopicHoldsWireFormatAvroWithTombstones(DistributedStack stack, String topic) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", stack.kafka.bootstrapServers());
        props.put("key.deserializer", ByteArrayDeserializer.class.getName());
        props.put("value.deserializer", ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                consumer.poll(Duration.ofSeconds(1)).forEach(records::add);
            }
        }
        Map<Integer, Schema> schemas = new HashMap<>();
        Map<String, Integer> ops = new HashMap<>();
        int deletes = 0;
        for (int i = 0; i < records.size(); i++) {
            ConsumerRecord<byte[], byte[]> r = records.get(i);
            GenericRecord key = decode(stack, r.key(), schemas);
            if (r.value() == null) {
                continue;
            }
            GenericRecord value = decode(stack, r.value(), schemas);
            String op = value.get("op").toString();
            ops.merge(op, 1, Integer::sum);
            if (op.equals("d")) {
                deletes++;
                ConsumerRecord<byte[], byte[]> next = records.get(i + 1);
                assertThat(next.value()).as("the record after the delete of %s", key).isNull();
                assertThat(decode(stack, next.key(), schemas).get("id")).isEqualTo(key.get("id"));
            }
        }
        assertThat(deletes).isEqualTo(10);
        assertThat(ops).containsEntry("r", 200).containsEntry("u", 21).containsEntry("c", 2);
        assertThat(schemas).hasSize(2); // one key schema, one value schema
    }

    private static GenericRecord decode(DistributedStack stack, byte[] bytes, Map<Integer, Schema> schemas) throws Exception {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        assertThat(buffer.get()).as("magic byte").isZero();
        int schemaId = buffer.getInt();
        Schema schema = schemas.get(schemaId);
        if (schema == null) {
            JsonNode answer = stack.server.json("GET", "/registry/schemas/ids/" + schemaId, null, 200);
            schema = new Schema.Parser().parse(answer.path("schema").asText());
            schemas.put(schemaId, schema);
        }
        return new GenericDatumReader<GenericRecord>(schema).read(null,
                DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null));
    }
}
