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
    void shouldFindNothingWithoutAFile() throws Exception {
        assertThat(StoredOffsets.binlogFile(dir.resolve("none.dat"))).isEmpty();
    }

    private static ByteBuffer buffer(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }
}
