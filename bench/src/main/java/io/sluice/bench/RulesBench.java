package io.sluice.bench;

import io.sluice.contract.ContractCheck;
import io.sluice.contract.Metadata;
import io.sluice.contract.Rule;
import io.sluice.contract.RuleSet;
import io.sluice.event.ChangeEvent;
import io.sluice.event.Operation;
import io.sluice.event.SourceEvent;
import io.sluice.event.SourcePosition;
import io.sluice.event.TableId;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;

/**
 * What data contracts cost per change: ten typical rules (seven conditions, three field transforms: a mask by tag, a
 * lower-case, a trim) run by {@link ContractCheck} on batches of captured customer rows, against the same batches
 * through a check with no rules, in one run; CPU time of the benchmark's thread per event.
 */
public final class RulesBench {
    private static final Schema CUSTOMER = new Schema.Parser().parse("""
            {"type": "record", "name": "customers", "namespace": "bench.shop", "fields": [
              {"name": "id", "type": "long"},
              {"name": "name", "type": "string"},
              {"name": "email", "type": ["null", "string"], "default": null},
              {"name": "city", "type": "string"},
              {"name": "age", "type": "int"},
              {"name": "balance", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}},
              {"name": "status", "type": "string"},
              {"name": "created", "type": {"type": "long", "logicalType": "timestamp-micros"}}
            ]}""");
    private static final RuleSet TEN = new RuleSet(List.of(
            Rule.of("nameGiven", "CONDITION", "CEL", "size(message.name) > 0", "DLQ"),
            Rule.of("emailShape", "CONDITION", "CEL", "message.email == null || message.email.contains('@')", "DLQ"),
            Rule.of("ageRange", "CONDITION", "CEL", "message.age >= 0 && message.age < 150", "DLQ"),
            Rule.of("balanceNotNegative", "CONDITION", "CEL", "message.balance >= 0.0", "NONE"),
            Rule.of("knownStatus", "CONDITION", "CEL", "message.status in ['active', 'closed', 'new']", "DLQ"),
            Rule.of("cityLetters", "CONDITION", "CEL", "message.city.matches('^[A-Za-z ]+$')", "NONE"),
            Rule.of("positiveId", "CONDITION", "CEL", "message.id > 0", "DLQ"),
            new Rule("maskPii", null, "TRANSFORM", "WRITE", "CEL_FIELD", List.of("PII"), Map.of(), "typeName == 'STRING' ; 'XXXX'", null, null,
                    null),
            Rule.of("lowerStatus", "TRANSFORM", "CEL_FIELD", "name == 'status' ; value.lowerAscii()", null),
            Rule.of("trimCity", "TRANSFORM", "CEL_FIELD", "name == 'city' ; value.trim()", null)), List.of());

    private RulesBench() {
    }

    public static void main(String[] args) {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int batch = 500;
        System.out.printf("Sluice rules benchmark: %,d customer changes per round in batches of %d, %d rounds (the first is warm-up)%n",
                events, batch, rounds);
        System.out.println("machine: " + Machine.describe());
        List<List<SourceEvent>> batches = batches(events, batch);
        Metadata tags = new Metadata(Map.of("**.email", List.of("PII")), Map.of(), Set.of());
        ContractCheck none = new ContractCheck(t -> Optional.empty(), t -> true);
        ContractCheck ten = new ContractCheck(t -> Optional.of(new ContractCheck.Declared(1, TEN, tags)), t -> true);
        double[] bestNone = {Double.MAX_VALUE};
        double[] bestTen = {Double.MAX_VALUE};
        for (int round = 0; round < rounds; round++) {
            double a = perEvent(none, batches, events);
            double b = perEvent(ten, batches, events);
            System.out.printf("  round %d: no rules %.2f us/event, ten rules %.2f us/event%n", round + 1, a, b);
            if (round > 0) {
                bestNone[0] = Math.min(bestNone[0], a);
                bestTen[0] = Math.min(bestTen[0], b);
            }
        }
        System.out.printf("CPU per event, best round: no rules %.2f us, ten rules %.2f us: the rules cost %.2f us per event (target under 3)%n",
                bestNone[0], bestTen[0], bestTen[0] - bestNone[0]);
        System.out.println("failures counted (each row fails none): " + ten.counts().values().stream().mapToLong(ContractCheck.Counts::failed).sum());
    }

    private static double perEvent(ContractCheck check, List<List<SourceEvent>> batches, int events) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long start = threads.getCurrentThreadCpuTime();
        long kept = 0;
        try {
            for (List<SourceEvent> b : batches) {
                kept += check.apply(b).events().size();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        if (kept != events) {
            throw new IllegalStateException(kept + " events went on of " + events + ": a rule failed on a row made to pass");
        }
        return (threads.getCurrentThreadCpuTime() - start) / 1e3 / events;
    }

    private static List<List<SourceEvent>> batches(int events, int size) {
        TableId table = new TableId("bench", "shop", "customers");
        List<List<SourceEvent>> out = new ArrayList<>();
        List<SourceEvent> current = new ArrayList<>(size);
        String[] statuses = {"active", "closed", "new"};
        for (int i = 1; i <= events; i++) {
            GenericData.Record r = new GenericData.Record(CUSTOMER);
            r.put("id", (long) i);
            r.put("name", "customer " + i);
            r.put("email", i % 5 == 0 ? null : "c" + i + "@example.com");
            r.put("city", i % 2 == 0 ? "Lisbon" : " Oslo ");
            r.put("age", 18 + i % 70);
            r.put("balance", ByteBuffer.wrap(BigDecimal.valueOf(i % 100_000, 2).unscaledValue().toByteArray()));
            r.put("status", statuses[i % 3]);
            r.put("created", 1_700_000_000_000_000L + i);
            current.add(new ChangeEvent(table, Operation.CREATE, null, null, r, new SourcePosition("mysql-bin.000001", 4L + i, 0, null, 1, false),
                    Instant.EPOCH, i));
            if (current.size() == size) {
                out.add(current);
                current = new ArrayList<>(size);
            }
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }
}
