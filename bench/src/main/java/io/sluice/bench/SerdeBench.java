package io.sluice.bench;

import io.sluice.registry.SchemaRegistry;
import io.sluice.serde.AvroSerde;
import io.sluice.serde.CachingRegistryClient;
import io.sluice.serde.LocalRegistryClient;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;

/**
 * Serialize plus deserialize throughput of {@link AvroSerde} (Confluent wire format, ids from Sluice's registry
 * through the caching client) against plain Avro binary encoding of the same records, in one run, and the
 * registry calls made at steady state (after the first record).
 */
public final class SerdeBench {
    private static final Schema SCHEMA = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"shop\","
            + "\"fields\":[{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"customer\",\"type\":\"string\"},"
            + "{\"name\":\"amount\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":12,\"scale\":2}},"
            + "{\"name\":\"placed\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}},"
            + "{\"name\":\"note\",\"type\":[\"null\",\"string\"],\"default\":null}]}");

    private SerdeBench() {
    }

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.println("Sluice serde benchmark: " + records + " records, " + rounds + " rounds");
        System.out.println("machine: " + Machine.describe());
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        CachingRegistryClient client = new CachingRegistryClient(new LocalRegistryClient(new SchemaRegistry(ds, Clock.systemUTC())));
        AvroSerde serde = new AvroSerde(client, true);

        List<GenericRecord> data = new ArrayList<>(records);
        Schema amount = SCHEMA.getField("amount").schema();
        Conversions.DecimalConversion decimals = new Conversions.DecimalConversion();
        for (int i = 0; i < records; i++) {
            GenericData.Record r = new GenericData.Record(SCHEMA);
            r.put("id", (long) i);
            r.put("customer", "customer-" + (i % 10_000));
            r.put("amount", decimals.toBytes(BigDecimal.valueOf(i % 100_000, 2), amount, LogicalTypes.decimal(12, 2)));
            r.put("placed", 1_700_000_000_000_000L + i);
            r.put("note", i % 3 == 0 ? null : "note " + i);
            data.add(r);
        }
        serde.deserialize(serde.serialize("shop.orders-value", SCHEMA, data.get(0)));
        long callsAfterWarmUp = client.remoteCalls();

        List<Double> wire = new ArrayList<>();
        List<Double> plain = new ArrayList<>();
        long sink = 0;
        for (int round = 0; round < rounds; round++) {
            long t0 = System.nanoTime();
            for (GenericRecord r : data) {
                sink += ((GenericRecord) serde.deserialize(serde.serialize("shop.orders-value", SCHEMA, r))).hashCode() & 1;
            }
            double w = records / ((System.nanoTime() - t0) / 1e9);
            t0 = System.nanoTime();
            sink += plainRoundTrip(data);
            double p = records / ((System.nanoTime() - t0) / 1e9);
            System.out.printf("round %d: wire format + registry %,.0f records/s | plain Avro binary %,.0f records/s | ratio %.2f%n",
                    round + 1, w, p, w / p);
            wire.add(w);
            plain.add(p);
        }
        long steadyCalls = client.remoteCalls() - callsAfterWarmUp;
        double w = Figures.medianAfterWarmUp(wire);
        double p = Figures.medianAfterWarmUp(plain);
        System.out.printf("median after warm-up: wire format %,.0f records/s, plain Avro %,.0f records/s, ratio %.2f%n", w, p, w / p);
        System.out.printf("registry calls at steady state: %d in %,d serialize+deserialize pairs (%.1f per second)%n", steadyCalls,
                (long) records * rounds, steadyCalls / (records * rounds / w));
        if (sink == Long.MIN_VALUE) {
            System.out.println(sink); // keeps the JIT from dropping the work
        }
        System.exit(0);
    }

    private static long plainRoundTrip(List<GenericRecord> data) throws Exception {
        GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(SCHEMA);
        GenericDatumReader<GenericRecord> reader = new GenericDatumReader<>(SCHEMA);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        BinaryEncoder encoder = null;
        BinaryDecoder decoder = null;
        long sink = 0;
        for (GenericRecord r : data) {
            out.reset();
            encoder = EncoderFactory.get().directBinaryEncoder(out, encoder);
            writer.write(r, encoder);
            encoder.flush();
            byte[] bytes = out.toByteArray();
            decoder = DecoderFactory.get().binaryDecoder(bytes, decoder);
            sink += reader.read(null, decoder).hashCode() & 1;
        }
        return sink;
    }

}
