package io.sluice.sink.dlq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.event.ChangeEvent;
import io.sluice.event.Operation;
import io.sluice.event.SourcePosition;
import io.sluice.event.TableId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;

/**
 * A change event as self-describing JSON (each record with its Avro schema, values in Avro's JSON encoding), so
 * that a dead letter can be shown to people and turned back into the exact event for replay.
 */
public final class EventCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EventCodec() {
    }

    public static String encode(ChangeEvent e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("source", e.table().source()).put("database", e.table().database()).put("table", e.table().table());
        n.put("operation", e.operation().name()).put("version", e.version()).put("commitTime", e.commitTime().toString());
        SourcePosition p = e.position();
        n.putObject("position").put("file", p.binlogFile()).put("pos", p.binlogPosition()).put("row", p.rowInEvent())
                .put("gtid", p.gtid()).put("serverId", p.serverId()).put("snapshot", p.snapshot());
        record(n, "key", e.key());
        record(n, "before", e.before());
        record(n, "after", e.after());
        return n.toString();
    }

    public static ChangeEvent decode(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            JsonNode p = n.get("position");
            return new ChangeEvent(new TableId(n.get("source").asText(), n.get("database").asText(), n.get("table").asText()),
                    Operation.valueOf(n.get("operation").asText()), record(n.get("key")), record(n.get("before")), record(n.get("after")),
                    new SourcePosition(p.get("file").asText(), p.get("pos").asLong(), p.get("row").asInt(),
                            p.get("gtid").isNull() ? null : p.get("gtid").asText(), p.get("serverId").asLong(), p.get("snapshot").asBoolean()),
                    Instant.parse(n.get("commitTime").asText()), n.get("version").asLong());
        } catch (IOException e) {
            throw new UncheckedIOException("a stored dead letter is not valid JSON", e);
        }
    }

    private static void record(ObjectNode n, String field, GenericRecord r) {
        if (r == null) {
            n.putNull(field);
            return;
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            JsonEncoder enc = EncoderFactory.get().jsonEncoder(r.getSchema(), out);
            new GenericDatumWriter<GenericRecord>(r.getSchema()).write(r, enc);
            enc.flush();
            ObjectNode o = n.putObject(field);
            o.put("schema", r.getSchema().toString());
            o.set("value", JSON.readTree(out.toString(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static GenericRecord record(JsonNode n) throws IOException {
        if (n == null || n.isNull()) {
            return null;
        }
        Schema schema = new Schema.Parser().parse(n.get("schema").asText());
        return new GenericDatumReader<GenericRecord>(schema).read(null,
                DecoderFactory.get().jsonDecoder(schema, n.get("value").toString()));
    }
}
