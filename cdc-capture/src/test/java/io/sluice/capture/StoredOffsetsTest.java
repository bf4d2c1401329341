package io.sluice.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.runtime.standalone.StandaloneConfig;
import org.apache.kafka.connect.storage.FileOffsetBackingStore;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoredOffsetsTest {

    @TempDir
    Path dir;

    @Test
    void shouldReadTheBinlogFileFromOffsetsWrittenByKafkasFileStore() throws Exception {
        Path file = dir.resolve("offsets.dat");
        JsonConverter keyConverter = new JsonConverter();
        keyConverter.configure(Map.of("schemas.enable", "false"), true);
        FileOffsetBackingStore store = new FileOffsetBackingStore(keyConverter);
        store.configure(config(file));
        store.start();
        store.set(Map.of(buffer("[\"sluice-x\",{\"server\":\"sluice_x\"}]"),
                buffer("{\"file\":\"mysql-bin.000007\",\"pos\":3094,\"gtids\":\"0-1-15\"}")), null).get();
        store.stop();

        assertThat(StoredOffsets.binlogFile(file)).contains("mysql-bin.000007");
    }

    @Test
    void shouldReplaceTheGtidsAndDropTheCountsToSkipAfterThem() throws Exception {
        Path file = dir.resolve("offsets.dat");
        AtomicFileOffsetBackingStore ours = new AtomicFileOffsetBackingStore();
        ours.configure(config(file));
        ours.start();
        ours.set(Map.of(buffer("k1"), buffer("{\"event\":2,\"file\":\"mysql-bin.000003\",\"pos\":10,\"gtids\":\"0-1-120\",\"row\":1,\"server_id\":1}")),
                null).get();
        ours.stop();

        StoredOffsets.replaceGtids(file, "0-1-95");

        assertThat(StoredOffsets.gtids(file)).contains("0-1-95");
        ours = new AtomicFileOffsetBackingStore();
        ours.configure(config(file));
        ours.start();
        assertThat(ours.get(List.of(buffer("k1"))).get().get(buffer("k1")))
                .isEqualTo(buffer("{\"file\":\"mysql-bin.000003\",\"pos\":10,\"gtids\":\"0-1-95\",\"server_id\":1}"));
        ours.stop();
    }

    @Test
    void shouldReadKafkasFilesAndSaveAtomicallyInTheSameFormat() throws Exception {
        Path file = dir.resolve("offsets.dat");
        JsonConverter keyConverter = new JsonConverter();
        keyConverter.configure(Map.of("schemas.enable", "false"), true);
        StandaloneConfig config = config(file);
        FileOffsetBackingStore kafka = new FileOffsetBackingStore(keyConverter);
        kafka.configure(config);
        kafka.start();
        kafka.set(Map.of(buffer("k1"), buffer("{\"file\":\"mysql-bin.000003\",\"pos\":10}")), null).get();
        kafka.stop();

        AtomicFileOffsetBackingStore ours = new AtomicFileOffsetBackingStore();
        ours.configure(config);
        ours.start();
        assertThat(ours.get(List.of(buffer("k1"))).get().get(buffer("k1"))).isEqualTo(buffer("{\"file\":\"mysql-bin.000003\",\"pos\":10}"));
        ours.set(Map.of(buffer("k1"), buffer("{\"file\":\"mysql-bin.000004\",\"pos\":4}")), null).get();
        ours.stop();

        assertThat(StoredOffsets.binlogFile(file)).contains("mysql-bin.000004");
        assertThat(dir.resolve("offsets.dat.tmp")).doesNotExist();
    }

    @Test
    void shouldFindNothingWithoutAFile() throws Exception {
        assertThat(StoredOffsets.binlogFile(dir.resolve("none.dat"))).isEmpty();
        assertThat(StoredOffsets.insideSnapshot(dir.resolve("none.dat"))).isFalse();
    }

    @Test
    void shouldTellAnOffsetInsideASnapshotFromOnePastIt() throws Exception {
        // Debezium 3.5's binlog connectors: "snapshot" holds the snapshot's type while it runs, and is gone once it streams.
        assertThat(StoredOffsets.insideSnapshot(stored("{\"ts_sec\":1767225600,\"file\":\"mysql-bin.000003\",\"pos\":385,"
                + "\"snapshot\":\"INITIAL\"}"))).isTrue();
        assertThat(StoredOffsets.insideSnapshot(stored("{\"file\":\"mysql-bin.000003\",\"pos\":385,\"snapshot\":true}"))).isTrue();
        assertThat(StoredOffsets.insideSnapshot(stored("{\"file\":\"mysql-bin.000003\",\"pos\":385,\"snapshot\":\"INITIAL\","
                + "\"snapshot_completed\":true}"))).isFalse();
        assertThat(StoredOffsets.insideSnapshot(stored("{\"ts_sec\":1767225601,\"file\":\"mysql-bin.000003\",\"pos\":1210,"
                + "\"gtids\":\"0-1-15\",\"row\":1,\"server_id\":1,\"event\":2}"))).isFalse();
    }

    private Path stored(String offset) throws Exception {
        Path file = Files.createTempFile(dir, "offsets", ".dat");
        AtomicFileOffsetBackingStore store = new AtomicFileOffsetBackingStore();
        store.configure(config(file));
        store.start();
        store.set(Map.of(buffer("[\"sluice-x\",{\"server\":\"sluice_x\"}]"), buffer(offset)), null).get();
        store.stop();
        return file;
    }

    /** A standalone worker's configuration that stores offsets in {@code file}. */
    private static StandaloneConfig config(Path file) {
        return new StandaloneConfig(Map.of(
                StandaloneConfig.OFFSET_STORAGE_FILE_FILENAME_CONFIG, file.toString(),
                WorkerConfig.KEY_CONVERTER_CLASS_CONFIG, JsonConverter.class.getName(),
                WorkerConfig.VALUE_CONVERTER_CLASS_CONFIG, JsonConverter.class.getName(),
                WorkerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092"));
    }

    private static ByteBuffer buffer(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }
}
