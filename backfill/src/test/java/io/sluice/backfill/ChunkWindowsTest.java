package io.sluice.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.event.ChangeEvent;
import io.sluice.event.Operation;
import io.sluice.event.SourceEvent;
import io.sluice.event.SourcePosition;
import io.sluice.event.TableId;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.junit.jupiter.api.Test;

class ChunkWindowsTest {
    private static final TableId TABLE = new TableId("s", "db", "items");
    private static final Schema ROW = SchemaBuilder.record("Row").fields().requiredInt("id").endRecord();
    private static final String FILE = "mysql-bin.000003";

    private static ChangeEvent update(int id, long position) {
        GenericData.Record row = new GenericData.Record(ROW);
        row.put("id", id);
        return new ChangeEvent(TABLE, Operation.UPDATE, row, row, row, new SourcePosition(FILE, position, 0, null, 1, false), Instant.EPOCH, 1);
    }

    private static List<Map<String, Object>> rows(int... ids) {
        return Arrays.stream(ids).mapToObj(i -> Map.<String, Object>of("id", i)).toList();
    }

    @Test
    void shouldDropTheRowsWhoseKeysTheStreamChangedBeforeItPassedTheHighPoint() {
        ChunkWindows windows = new ChunkWindows();
        ChunkWindow w = windows.open(TABLE, List.of("id"));
        windows.observe(List.<SourceEvent>of(update(2, 100)));
        windows.chunkRead(w, rows(1, 2, 3), new BinlogPoint(FILE, 300));
        windows.observe(List.<SourceEvent>of(update(3, 200)));
        assertThat(w.closed()).isFalse();
        windows.observe(List.<SourceEvent>of(update(9, 300)));
        assertThat(w.closed()).isTrue();
        assertThat(w.survivors()).containsExactly(Map.of("id", 1));
        assertThat(windows.size()).isZero();
    }

    @Test
    void shouldCloseAtOnceWhenTheStreamHasAlreadyReadPastTheHighPoint() {
        ChunkWindows windows = new ChunkWindows();
        windows.reached(FILE, 500);
        ChunkWindow idle = windows.open(TABLE, List.of("id"));
        windows.chunkRead(idle, rows(1, 2), new BinlogPoint(FILE, 500));
        assertThat(idle.closed()).as("nothing was written since the stream's last heartbeat").isTrue();
        assertThat(idle.survivors()).hasSize(2);

        ChunkWindow busy = windows.open(TABLE, List.of("id"));
        windows.chunkRead(busy, rows(1, 2), new BinlogPoint(FILE, 700));
        assertThat(busy.closed()).as("a write after the heartbeat: wait for the stream").isFalse();
        windows.reached(FILE, 400); // an older point (a restarted worker) says nothing new
        assertThat(busy.closed()).isFalse();
        windows.reached("mysql-bin.000004", 4); // rotation: the next file is past every point of the old one
        assertThat(busy.closed()).isTrue();
    }
}
