package io.sluice.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.embedded.MariaDbServer;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The chunk reader of backfills against a real MariaDB: key order, composite keys, resume, filters, refusals. */
class ChunkReaderIT {
    private static MariaDbServer db;

    @BeforeAll
    static void tables() {
        db = MariaDbServer.shared();
        db.recreateDatabase("chunks");
        db.execute("CREATE TABLE chunks.lines (order_id INT NOT NULL, line INT NOT NULL, sku VARCHAR(20) NOT NULL, PRIMARY KEY (order_id, line))",
                "CREATE TABLE chunks.`odd``name` (id INT PRIMARY KEY)",
                "INSERT INTO chunks.`odd``name` VALUES (1), (2)",
                "CREATE TABLE chunks.nokey (a INT)",
                "CREATE TABLE chunks.orders (id INT PRIMARY KEY)");
        StringBuilder sql = new StringBuilder("INSERT INTO chunks.lines VALUES ");
        for (int o = 1; o <= 501; o++) {
            for (int l = 1; l <= 5; l++) {
                sql.append(o == 1 && l == 1 ? "" : ",").append('(').append(o).append(',').append(l).append(",'sku-").append(o % 7).append("')");
            }
        }
        db.execute(sql.toString());
    }

    @Test
    void shouldReadEveryRowOnceInKeyOrderAndResumeAfterAnyChunk() throws Exception {
        try (Connection c = db.connect("chunks")) {
            ChunkReader reader = ChunkReader.open(c, "chunks", "lines", null, 1000, null, null);
            assertThat(reader.keyColumns()).containsExactly("order_id", "line");
            List<List<Object>> keys = new ArrayList<>();
            List<Object> resumeAt = null;
            int chunks = 0;
            for (ChunkReader.Chunk chunk = reader.next(); !chunk.isEmpty(); chunk = reader.next()) {
                chunks++;
                chunk.rows().forEach(r -> keys.add(List.of(r.get("order_id"), r.get("line"))));
                if (chunks == 2) {
                    resumeAt = chunk.lastKey();
                }
            }
            assertThat(chunks).isEqualTo(3);
            assertThat(keys).hasSize(2505).doesNotHaveDuplicates();
            assertThat(keys.get(0)).isEqualTo(List.of(1, 1));
            assertThat(keys.get(2504)).isEqualTo(List.of(501, 5));

            ChunkReader resumed = ChunkReader.open(c, "chunks", "lines", null, 1000, resumeAt, null);
            ChunkReader.Chunk rest = resumed.next();
            assertThat(rest.rows()).hasSize(505);
            assertThat(rest.rows().get(0)).containsEntry("order_id", 401).containsEntry("line", 1);
            assertThat(resumed.next().isEmpty()).isTrue();
        }
    }

    @Test
    void shouldStopAtTheLargestKeyItSawWhenOpenedSoThatABusyTableEnds() throws Exception {
        db.execute("CREATE TABLE chunks.growing (id INT PRIMARY KEY)", "INSERT INTO chunks.growing VALUES (1), (2), (3)");
        try (Connection c = db.connect("chunks")) {
            ChunkReader reader = ChunkReader.open(c, "chunks", "growing", null, 2, null, null);
            assertThat(reader.upTo()).containsExactly(3);
            db.execute("INSERT INTO chunks.growing VALUES (4), (5)");
            List<Object> read = new ArrayList<>();
            for (ChunkReader.Chunk chunk = reader.next(); !chunk.isEmpty(); chunk = reader.next()) {
                chunk.rows().forEach(r -> read.add(r.get("id")));
            }
            assertThat(read).containsExactly(1, 2, 3);
            assertThat(ChunkReader.open(c, "chunks", "growing", null, 10, List.of(1), reader.upTo()).next().rows()).extracting(r -> r.get("id"))
                    .containsExactly(2, 3);
            db.execute("CREATE TABLE chunks.empty (id INT PRIMARY KEY)");
            assertThat(ChunkReader.open(c, "chunks", "empty", null, 10, null, null).next().isEmpty()).isTrue();
        }
    }

    @Test
    void shouldApplyAFilterAndQuoteOddNames() throws Exception {
        try (Connection c = db.connect("chunks")) {
            ChunkReader reader = ChunkReader.open(c, "chunks", "lines", "sku = 'sku-3' AND line <= 2", 50, null, null);
            int rows = 0;
            for (ChunkReader.Chunk chunk = reader.next(); !chunk.isEmpty(); chunk = reader.next()) {
                assertThat(chunk.rows()).allSatisfy(r -> assertThat(r).containsEntry("sku", "sku-3"));
                rows += chunk.rows().size();
            }
            assertThat(rows).isEqualTo(2 * 72);
            assertThat(ChunkReader.open(c, "chunks", "odd`name", null, 10, null, null).next().rows()).extracting(r -> r.get("id"))
                    .containsExactly(1, 2);
        }
    }

    @Test
    void shouldRefuseWhatItCannotBackfillWithTheReasonAndTheFix() throws Exception {
        try (Connection c = db.connect("chunks")) {
            assertThatThrownBy(() -> ChunkReader.open(c, "chunks", "nokey", null, 10, null, null)).isInstanceOf(BackfillException.class)
                    .hasMessageContaining("chunks.nokey has no primary key").hasMessageContaining("ADD PRIMARY KEY");
            assertThatThrownBy(() -> ChunkReader.open(c, "chunks", "ord_rs", null, 10, null, null)).isInstanceOf(BackfillException.class)
                    .hasMessageContaining("chunks.ord_rs does not exist");
            assertThatThrownBy(() -> ChunkReader.open(c, "chunks", "lines", "colour = 'red'", 10, null, null)).isInstanceOf(BackfillException.class)
                    .hasMessageContaining("not valid SQL for chunks.lines").hasMessageContaining("colour");
            assertThatThrownBy(() -> ChunkReader.open(c, "chunks", "lines", "1=1; DROP TABLE chunks.orders", 10, null, null))
                    .isInstanceOf(BackfillException.class).hasMessageContaining("contains ';'");
            assertThatThrownBy(() -> ChunkReader.open(c, "chunks", "lines", null, 0, null, null)).hasMessageContaining("chunk size 0");
            assertThatThrownBy(() -> ChunkReader.open(c, "chunks", "lines", null, 10, List.of(1), null)).hasMessageContaining("2 columns");
            assertThat(ChunkReader.open(c, "chunks", "lines", null, 10, null, null).estimatedRows()).isGreaterThan(0);
        }
        assertThat(Map.of("t", ChunkReader.quote("a`b"))).containsEntry("t", "`a``b`");
    }
}
