package io.sluice.bench;

import io.sluice.embedded.RedisServer;
import io.sluice.sink.DocumentMapper;
import io.sluice.sink.lucene.LuceneSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.FSDirectory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The benchmarks' floor under any pipeline into Redis and Lucene on this machine: rows written straight through
 * the clients, each batch to both targets at once on two threads (as Sluice's pipeline and backfills write their
 * sinks). Redis gets one pipelined {@code SET} of the row's JSON per row, Lucene an {@code addDocument} of the
 * fields the Lucene sink indexes. None of what Sluice adds: no versions (no compare-and-set script, no version
 * lookup), no Avro change events, no dead letters, no reopen per batch, and one Lucene commit at {@link #close()}
 * instead of one per checkpoint.
 *
 * <p>Not thread-safe: {@link #write} from one thread at a time.
 */
final class RawTargets implements AutoCloseable {
    private final String prefix;
    private final boolean toRedis;
    private final boolean toLucene;
    private final Jedis jedis;
    private final FSDirectory directory;
    private final IndexWriter lucene;
    private final ExecutorService redisThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "raw-redis");
        t.setDaemon(true);
        return t;
    });
    private long written;

    /**
     * @param prefix Redis keys are {@code prefix:items:{id}}
     * @param targets which targets to write: {@code redis}, {@code lucene} or both
     */
    RawTargets(RedisServer redis, Path luceneDir, String prefix, List<String> targets) throws IOException {
        this.prefix = prefix;
        this.toRedis = targets.contains("redis");
        this.toLucene = targets.contains("lucene");
        this.jedis = new Jedis(redis.host(), redis.port());
        this.directory = FSDirectory.open(luceneDir);
        this.lucene = new IndexWriter(directory, new IndexWriterConfig(new StandardAnalyzer()));
    }

    /**
     * Writes rows (column name to a plain Java value; each has an {@code id}) to both targets at once.
     *
     * @throws InterruptedException if interrupted while waiting for the Redis thread
     */
    void write(List<Map<String, Object>> rows) throws InterruptedException {
        List<String> ids = new ArrayList<>(rows.size());
        List<String> json = new ArrayList<>(rows.size());
        for (Map<String, Object> row : rows) {
            ids.add(String.valueOf(row.get("id")));
            json.add(DocumentMapper.json(row));
        }
        Future<?> cache = redisThread.submit(() -> {
            if (toRedis && !ids.isEmpty()) {
                Pipeline p = jedis.pipelined();
                for (int i = 0; i < ids.size(); i++) {
                    p.set(prefix + ":items:{" + ids.get(i) + "}", json.get(i));
                }
                p.sync();
            }
        });
        if (toLucene) {
            try {
                for (int i = 0; i < ids.size(); i++) {
                    lucene.addDocument(document(ids.get(i), json.get(i), rows.get(i)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("raw Lucene writes failed", e);
            }
        }
        try {
            cache.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("raw Redis writes failed: " + e.getCause(), e.getCause());
        }
        written += rows.size();
    }

    /** What {@link LuceneSink} indexes for a row, without its version fields. */
    private static Document document(String id, String json, Map<String, Object> row) {
        Document doc = new Document();
        doc.add(new StringField("_id", id, Field.Store.YES));
        doc.add(new StoredField("_source", json));
        LuceneSink.addSearchFields(doc, row);
        return doc;
    }

    /** Commits Lucene: what a pipeline does at a checkpoint, here once. */
    void commit() throws IOException {
        lucene.commit();
    }

    /**
     * Checks that each target holds every row written, after {@link #commit()}. Counts Redis keys with SCAN: other
     * contenders' millions of keys in the same server made KEYS outlast the client's timeout.
     *
     * @throws IllegalStateException if a target holds another number of documents
     */
    void check() throws IOException {
        long keys = written;
        if (toRedis) {
            keys = 0;
            ScanParams match = new ScanParams().match(prefix + ":items:{*}").count(10_000);
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = jedis.scan(cursor, match);
                keys += page.getResult().size();
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        }
        long docs = toLucene ? lucene.getDocStats().numDocs : written;
        if (keys != written || docs != written) {
            throw new IllegalStateException("raw writes: expected " + written + " documents in each target, found " + keys + " Redis keys and "
                    + docs + " Lucene documents");
        }
    }

    @Override
    public void close() throws IOException {
        redisThread.shutdownNow();
        try (jedis; directory; lucene) {
            // closed in reverse order
        }
    }
}
