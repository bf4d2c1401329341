package io.sluice.bench;

import java.util.Arrays;

/**
 * Entry point of {@code ./sluice bench <scenario> [arguments]}.
 *
 * <ul>
 * <li>{@code capture [rows] [rounds]}: the capture worker against Debezium's engine alone ({@link CaptureBench})</li>
 * <li>{@code streaming [rows] [rounds] [redis,lucene] [flush ms] [refresh ms]}: the embedded pipeline into Redis + Lucene (or one of
 *     them) against Debezium's engine alone ({@link StreamingBench})</li>
 * <li>{@code serde [records] [rounds]}: Avro in Confluent's wire format with the registry against plain Avro ({@link SerdeBench})</li>
 * <li>{@code sinks [events] [batch]}: each sink against its raw client doing the same writes, and what the sweep after a snapshot costs ({@link SinkBench})</li>
 * <li>{@code freshness [rows/s] [seconds]}: commit-to-visible time of the packaged server in Redis and Lucene under load,
 *     and its memory, against Debezium's engine alone ({@link FreshnessBench})</li>
 * <li>{@code backfill [rows] [chunk]}: a DBLog backfill into Lucene and Redis against Debezium's snapshot and a plain JDBC
 *     scan ({@link BackfillBench})</li>
 * <li>{@code rules [events] [rounds]}: ten data-contract rules on captured rows against none ({@link RulesBench})</li>
 * <li>{@code views [changes/s] [seconds] [root rows] [heap root rows] [warm-up s]}: document views against plain table sync into Redis:
 *     freshness, CPU, amplification, a 50,000-document fan-out, heap ({@link ViewsBench})</li>
 * <li>{@code connect [rows]}: MariaDB to Redis end to end, embedded against Kafka Connect with a KRaft broker ({@link ConnectBench})</li>
 * <li>{@code profile <file.jfr> [thread] [top]}: where a recording's CPU samples went ({@link ProfileReport})</li>
 * </ul>
 * Exits 2 for an unknown scenario, 1 if a scenario could not run.
 */
public final class Bench {
    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        String scenario = args.length == 0 ? "" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (scenario) {
            case "capture" -> CaptureBench.main(rest);
            case "streaming" -> StreamingBench.main(rest);
            case "profile" -> ProfileReport.main(rest);
            case "serde" -> SerdeBench.main(rest);
            case "sinks" -> SinkBench.main(rest);
            case "freshness" -> FreshnessBench.main(rest);
            case "backfill" -> BackfillBench.main(rest);
            case "connect" -> ConnectBench.main(rest);
            case "views" -> ViewsBench.main(rest);
            case "rules" -> RulesBench.main(rest);
            default -> {
                System.err.println("usage: ./sluice bench capture [rows] [rounds] | streaming [rows] [rounds] [redis,lucene] [flush ms] [refresh ms] | serde [records] [rounds] | sinks [events] [batch] | freshness [rows/s] [seconds] | backfill [rows] [chunk] | views [changes/s] [seconds] [root rows] [heap root rows] [warm-up s] | rules [events] [rounds] | connect [rows] | profile <file.jfr> [thread] [top]");
                System.exit(2);
            }
        }
    }
}
