package io.sluice.capture;

import io.sluice.avro.ConnectToAvro;
import io.sluice.event.ChangeEvent;
import io.sluice.event.EventVersion;
import io.sluice.event.Operation;
import io.sluice.event.SchemaChangeEvent;
import io.sluice.event.SourceEvent;
import io.sluice.event.SourcePosition;
import io.sluice.event.TableId;
import java.time.Instant;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.connector.ConnectRecord;

/**
 * Turns the Connect records of Debezium's MySQL and MariaDB connectors (change-event envelopes, schema changes,
 * heartbeats) into Sluice's events, with their versions. Used by the capture worker in-process and by the sink
 * tasks in Kafka Connect, so that both see the same events.
 *
 * <p>Not thread-safe: one per capture worker or task.
 */
public final class DebeziumRecords {
    private final String source;
    private final String topicPrefix;
    private final int epoch;
    private final ConnectToAvro avro = new ConnectToAvro();

    /**
     * @param source the source's name in Sluice
     * @param topicPrefix Debezium's {@code topic.prefix} (schema changes go to a topic of that name)
     * @param epoch the source's version epoch
     */
    public DebeziumRecords(String source, String topicPrefix, int epoch) {
        this.source = source;
        this.topicPrefix = topicPrefix;
        this.epoch = epoch;
    }

    /** What kind of record Debezium sent. */
    public enum Kind { DATA, SCHEMA_CHANGE, HEARTBEAT, OTHER }

    /** The kind of a record, from its topic and value. */
    public Kind kind(ConnectRecord<?> record) {
        String topic = record.topic();
        if (topic.startsWith("__debezium-heartbeat")) {
            return Kind.HEARTBEAT;
        }
        if (!(record.value() instanceof Struct value)) {
            return Kind.OTHER; // tombstones (disabled by the worker) and anything unexpected
        }
        if (topic.equals(topicPrefix)) {
            return value.schema().field("ddl") != null ? Kind.SCHEMA_CHANGE : Kind.OTHER;
        }
        return value.schema().field("op") != null && value.schema().field("source") != null ? Kind.DATA : Kind.OTHER;
    }

    /**
     * Maps a data or schema-change record.
     *
     * @param kind the record's {@link #kind}, which the caller has already asked for
     * @throws io.sluice.event.VersionOverflowException if its binlog coordinates do not fit a version
     * @throws IllegalArgumentException for a record of another kind
     */
    public SourceEvent map(ConnectRecord<?> record, Kind kind) {
        Struct value = (Struct) record.value();
        Struct src = value.getStruct("source");
        SourcePosition position = position(src);
        long version = version(position);
        Instant commitTime = Instant.ofEpochMilli(src.getInt64("ts_ms"));
        return switch (kind) {
            case DATA -> dataEvent(record, value, src, position, version, commitTime);
            case SCHEMA_CHANGE -> new SchemaChangeEvent(source, nullToEmpty(value.getString("databaseName")),
                    singleTable(src), value.getString("ddl"), position, commitTime, version);
            case HEARTBEAT, OTHER -> throw new IllegalArgumentException("not a data or schema change record: " + record.topic());
        };
    }

    private ChangeEvent dataEvent(ConnectRecord<?> record, Struct value, Struct src, SourcePosition position, long version,
            Instant commitTime) {
        TableId table = new TableId(source, src.getString("db"), src.getString("table"));
        Operation op = switch (value.getString("op")) {
            case "c" -> Operation.CREATE;
            case "u" -> Operation.UPDATE;
            case "d" -> Operation.DELETE;
            case "r" -> Operation.READ;
            default -> throw new IllegalArgumentException("unknown Debezium operation '" + value.getString("op") + "' on " + table);
        };
        Struct key = record.key() instanceof Struct k ? k : null;
        return new ChangeEvent(table, op, avro.toAvroRecord(key), avro.toAvroRecord(value.getStruct("before")),
                avro.toAvroRecord(value.getStruct("after")), position, commitTime, version);
    }

    /**
     * Whether a data record is the last row that an initial (blocking) snapshot read of its table: Debezium marks
     * it {@code last_in_data_collection}, or {@code last} for the snapshot's very last row. Incremental snapshots
     * ({@code incremental}) are not marked so: their rows are chunks of a live stream.
     */
    public static boolean endsTableSnapshot(ConnectRecord<?> record) {
        String snapshot = snapshotMarker(record);
        return "last_in_data_collection".equals(snapshot) || "last".equals(snapshot);
    }

    /** Whether a data record is the very last row an initial snapshot read ({@code last}). */
    public static boolean endsSnapshot(ConnectRecord<?> record) {
        return "last".equals(snapshotMarker(record));
    }

    /** Debezium's {@code source.snapshot} of a record, or null. */
    private static String snapshotMarker(ConnectRecord<?> record) {
        if (!(record.value() instanceof Struct value) || value.schema().field("source") == null) {
            return null;
        }
        return value.get("source") instanceof Struct src ? optionalString(src, "snapshot") : null;
    }

    private static SourcePosition position(Struct src) {
        String snapshot = optionalString(src, "snapshot");
        boolean isSnapshot = snapshot != null && !"false".equals(snapshot);
        Object row = optional(src, "row");
        Object serverId = optional(src, "server_id");
        return new SourcePosition(src.getString("file"), src.getInt64("pos"), row == null ? 0 : ((Number) row).intValue(),
                optionalString(src, "gtid"), serverId == null ? 0 : ((Number) serverId).longValue(), isSnapshot);
    }

    public long version(SourcePosition p) {
        return EventVersion.of(epoch, EventVersion.fileNumber(p.binlogFile()), p.binlogPosition(), p.rowInEvent(),
                !p.snapshot());
    }

    private static String singleTable(Struct src) {
        String table = optionalString(src, "table");
        return table == null || table.isEmpty() || table.contains(",") ? null : table;
    }

    private static Object optional(Struct s, String field) {
        Field f = s.schema().field(field);
        return f == null ? null : s.get(f);
    }

    private static String optionalString(Struct s, String field) {
        Object v = optional(s, field);
        return v == null ? null : v.toString();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
