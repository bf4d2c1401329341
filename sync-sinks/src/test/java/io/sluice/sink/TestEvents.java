package io.sluice.sink;

import io.sluice.event.ChangeEvent;
import io.sluice.event.EventVersion;
import io.sluice.event.Operation;
import io.sluice.event.SourcePosition;
import io.sluice.event.TableId;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/** Change events of a {@code shop.inventory.customers} table, as capture would produce them. */
public final class TestEvents {
    public static final TableId TABLE = new TableId("shop", "inventory", "customers");
    public static final Schema KEY = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Key\",\"namespace\":\"shop.inventory.customers\","
            + "\"fields\":[{\"name\":\"id\",\"type\":\"int\"}]}");
    public static final Schema VALUE = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Value\",\"namespace\":\"shop.inventory.customers\","
            + "\"fields\":[{\"name\":\"id\",\"type\":\"int\"},{\"name\":\"name\",\"type\":\"string\"},"
            + "{\"name\":\"email\",\"type\":[\"null\",\"string\"],\"default\":null},"
            + "{\"name\":\"balance\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":10,\"scale\":2}},"
            + "{\"name\":\"joined\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}}]}");

    private TestEvents() {
    }

    /** A version at binlog file 1, the given position. */
    public static long version(long position) {
        return EventVersion.of(0, 1, position, 0, true);
    }

    public static GenericRecord key(int id) {
        GenericData.Record k = new GenericData.Record(KEY);
        k.put("id", id);
        return k;
    }

    public static GenericRecord row(int id, String name, String email, String balance) {
        GenericData.Record r = new GenericData.Record(VALUE);
        r.put("id", id);
        r.put("name", name);
        r.put("email", email);
        Schema decimal = VALUE.getField("balance").schema();
        ByteBuffer b = new Conversions.DecimalConversion().toBytes(new BigDecimal(balance), decimal, LogicalTypes.decimal(10, 2));
        r.put("balance", b);
        r.put("joined", 1_709_251_199_123_456L);
        return r;
    }

    public static ChangeEvent upsert(int id, String name, long position) {
        return new ChangeEvent(TABLE, Operation.CREATE, key(id), null, row(id, name, name.toLowerCase() + "@example.org", "12.50"),
                new SourcePosition("mysql-bin.000001", position, 0, null, 1, false), Instant.parse("2026-01-01T00:00:00Z"), version(position));
    }

    /** The version of the rows a snapshot taken at a position of binlog file 1 reads. */
    public static long snapshotVersion(long position) {
        return EventVersion.of(0, 1, position, 0, false);
    }

    /** The table's snapshot completed at a position of binlog file 1, as a sweep takes it. */
    public static Map<TableId, Long> snapshotAt(long position) {
        return Map.of(TABLE, snapshotVersion(position));
    }

    /** The same change of another table. */
    public static ChangeEvent inTable(TableId table, ChangeEvent e) {
        return new ChangeEvent(table, e.operation(), e.key(), e.before(), e.after(), e.position(), e.commitTime(), e.version());
    }

    /** A row read by a snapshot taken at a position of binlog file 1. */
    public static ChangeEvent snapshotRead(int id, String name, long position) {
        return new ChangeEvent(TABLE, Operation.READ, key(id), null, row(id, name, name.toLowerCase() + "@example.org", "12.50"),
                new SourcePosition("mysql-bin.000001", position, 0, null, 1, true), Instant.parse("2026-01-01T00:00:00Z"),
                snapshotVersion(position));
    }

    /**
     * A table's life across two snapshots, for the sinks' sweep tests: rows 1 to 5 streamed, row 5 deleted; while
     * nothing captured, row 4 was deleted; then a snapshot at position 1,000 read rows 1 to 3 (row 3 renamed), and
     * after it row 6 was inserted. Row 4 is what the sweep at {@link #snapshotVersion snapshotVersion(1000)} removes.
     */
    public static List<ChangeEvent> acrossTwoSnapshots() {
        return List.of(upsert(1, "Ada", 100), upsert(2, "Grace", 110), upsert(3, "Barbara", 120), upsert(4, "Hedy", 130),
                upsert(5, "Radia", 140), delete(5, 150),
                snapshotRead(1, "Ada", 1000), snapshotRead(2, "Grace", 1000), snapshotRead(3, "Barbara L.", 1000),
                upsert(6, "Frances", 1010));
    }

    public static ChangeEvent delete(int id, long position) {
        return new ChangeEvent(TABLE, Operation.DELETE, key(id), row(id, "gone", null, "0.00"), null,
                new SourcePosition("mysql-bin.000001", position, 0, null, 1, false), Instant.parse("2026-01-01T00:00:00Z"), version(position));
    }
}
