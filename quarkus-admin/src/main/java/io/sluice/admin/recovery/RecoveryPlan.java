package io.sluice.admin.recovery;

import io.sluice.admin.pipeline.PipelineSpec;
import io.sluice.capture.SourceConfig;
import io.sluice.event.TableId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/** Which repairing verifications a recovery runs: every captured table of every pipeline of the source, against each of its sinks. */
final class RecoveryPlan {
    /**
     * One verification to run.
     *
     * @param pipeline the first pipeline of the source that writes the table to the sink
     * @param table {@code database.table}
     */
    record Step(String pipeline, String table, String sink) {
    }

    private RecoveryPlan() {
    }

    /**
     * The tables a source captures ({@link SourceConfig#captures(List, List)}), ordered by database and table.
     *
     * @param all the source's base tables
     * @param databases the source's {@code databases} setting
     * @param tables the source's {@code tables} setting, as {@code database.table} expressions
     */
    static List<TableId> captured(List<TableId> all, List<String> databases, List<String> tables) {
        return all.stream().filter(SourceConfig.captures(databases, tables))
                .sorted(Comparator.comparing(TableId::database).thenComparing(TableId::table)).toList();
    }

    /**
     * The verifications: for each pipeline in turn, each table it takes against each of its sinks; a table and sink
     * that two pipelines share is verified once, for the first.
     */
    static List<Step> steps(List<PipelineSpec> pipelines, List<TableId> tables) {
        List<Step> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (PipelineSpec p : pipelines) {
            Predicate<TableId> taken = p.tableFilter();
            for (TableId t : tables) {
                if (!taken.test(t)) {
                    continue;
                }
                String table = t.database() + "." + t.table();
                for (String sink : p.sinks()) {
                    if (seen.add(table + "\n" + sink)) {
                        out.add(new Step(p.name(), table, sink));
                    }
                }
            }
        }
        return out;
    }
}
