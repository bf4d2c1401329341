package io.sluice.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
        store.configure(new StandaloneConfig(Map.of(
                StandaloneConfig.OFFSET_STORAGE_FILE_FILENAME_CONFIG, file.toString(),
                WorkerConfig.KEY_CONVERTER_CLASS_CONFIG, JsonConverter.class.getName(),
                WorkerConfig.VALUE_CONVERTER_CLASS_CONFIG, JsonConverter.class.getName(),
                WorkerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092")));
        store.start();
        store.set(Map.of(buffer("[\"sluice-x\",{\"server\":\"sluice_x\"}]"),
                buffer("{\"file\":\"mysql-bin.000007\",\"pos\":3094,\"gtids\":\"0-1-15\"}")), null).get();
        store.stop();

        assertThat(StoredOffsets.binlogFile(file)).contains("mysql-bin.000007");
    }

    @Test
    void shouldReadKafkasFilesAndSaveAtomicallyInTheSameFormat() throws Exception {
        Path file = dir.resolve("offsets.dat");
        JsonConverter keyConverter = new JsonConverter();
        keyConverter.configure(Map.of("schemas.enable", "false"), true);
        StandaloneConfig config = new StandaloneConfig(Map.of(
                StandaloneConfig.OFFSET_STORAGE_FILE_FILENAME_CONFIG, file.toString(),
                WorkerConfig.KEY_CONVERTER_CLASS_CONFIG, JsonConverter.class.getName(),
                WorkerConfig.VALUE_CONVERTER_CLASS_CONFIG, JsonConverter.class.getName(),
                WorkerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092"));
        FileOffsetBackingStore kafka = new FileOffsetBackingStore(keyConverter);
        kafka.configure(config);
        kafka.start();
        kafka.set(Map.of(buffer("k1"), buffer("{\"file\":\"mysql-bin.000003\",\"pos\":10}")), null).get();
        kafka.stop();

        AtomicFileOffsetBackingStore ours = new AtomicFileOffsetBackingStore();
        ours.configure(config);
        ours.start();
        assertThat(ours.get(java.util.List.of(buffer("k1"))).get().get(buffer("k1"))).isEqualTo(buffer("{\"file\":\"mysql-bin.000003\",\"pos\":10}"));
        ours.set(Map.of(buffer("k1"), buffer("{\"file\":\"mysql-bin.000004\",\"pos\":4}")), null).get();
        ours.stop();

        assertThat(StoredOffsets.binlogFile(file)).contains("mysql-bin.000004");
        assertThat(dir.resolve("offsets.dat.tmp")).doesNotExist();
    }

    @Test
    void shouldFindNothingWithoutAFile() throws Exception {
        assertThat(StoredOffsets.binlogFile(dir.resolve("none.dat"))).isEmpty();
    }

    private static ByteBuffer buffer(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }
}
