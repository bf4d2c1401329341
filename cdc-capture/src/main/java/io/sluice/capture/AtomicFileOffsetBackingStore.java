package io.sluice.capture;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;

/**
 * Debezium offsets in a file, written so that a crash at any moment leaves either the old or the new offsets,
 * never a damaged file: write a temporary file, force it to disk, rename it over the old one atomically.
 *
 * <p>Why: Kafka's {@code FileOffsetBackingStore} truncates and rewrites the file in place without forcing it; a
 * {@code kill -9} during a save leaves a truncated file that the next start
 * cannot read, or an empty one that silently starts a new snapshot. The file format is the same serialized map
 * of key bytes to value bytes, so existing offset files keep working.
 *
 * <p>Configured with Kafka's {@code offset.storage.file.filename}. Thread safety: as its base class.
 */
public final class AtomicFileOffsetBackingStore extends MemoryOffsetBackingStore {
    public static final String FILENAME = "offset.storage.file.filename";

    private Path file;

    public AtomicFileOffsetBackingStore() {
        super();
    }

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        String name = config.originalsStrings().get(FILENAME);
        if (name == null || name.isBlank()) {
            throw new ConnectException(FILENAME + " must name the offsets file");
        }
        file = Path.of(name);
    }

    @Override
    public synchronized void start() {
        super.start();
        load();
    }

    private void load() {
        try {
            if (!Files.exists(file) || Files.size(file) == 0) {
                return;
            }
            try (InputStream in = Files.newInputStream(file); ObjectInputStream ois = new ObjectInputStream(in)) {
                Object raw = ois.readObject();
                if (!(raw instanceof Map<?, ?> map)) {
                    throw new ConnectException(file + " does not hold offsets");
                }
                map.forEach((k, v) -> data.put(k == null ? null : ByteBuffer.wrap((byte[]) k), v == null ? null : ByteBuffer.wrap((byte[]) v)));
            }
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            throw new ConnectException("cannot read the offsets in " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected void save() {
        Map<byte[], byte[]> raw = new HashMap<>();
        for (Map.Entry<ByteBuffer, ByteBuffer> e : data.entrySet()) {
            raw.put(e.getKey() == null ? null : bytes(e.getKey()), e.getValue() == null ? null : bytes(e.getValue()));
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
                    OutputStream out = Channels.newOutputStream(channel);
                    ObjectOutputStream oos = new ObjectOutputStream(out)) {
                oos.writeObject(raw);
                oos.flush();
                channel.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                dir.force(true); // the rename itself must survive a power loss
            } catch (IOException e) {
                // some file systems cannot open a directory; the rename is still atomic
            }
        } catch (IOException e) {
            throw new ConnectException("cannot save offsets to " + file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** Connect's offset-listing API (KIP-875) is not used by the embedded engine. */
    @Override
    public Set<Map<String, Object>> connectorPartitions(String connectorName) {
        return Set.of();
    }
}
