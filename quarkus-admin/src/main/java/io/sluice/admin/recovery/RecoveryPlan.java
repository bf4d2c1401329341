package io.sluice.admin.recovery;

import io.sluice.admin.pipeline.PipelineSpec;
import io.sluice.event.TableId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Which repairing verifications a recovery runs: every captured table of every pipeline of the source, against each of its sinks. */
final class RecoveryPlan {
    /** Databases of the server itself, which Debezium never captures. */
    static final Set<String> SYSTEM_DATABASES = Set.of("mysql", "information_schema", "performance_schema", "sys");

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
     * The tables a source captures, as Debezium picks them: its databases and tables settings are regular expressions
     * that must match the whole name, case-insensitively; empty takes every database or table; the server's own
     * databases never count.
     *
     * @param all the source's base tables
     * @param databases the source's {@code databases} setting
     * @param tables the source's {@code tables} setting, as {@code database.table} expressions
     * @return the captured ones, ordered by database and table
     */
    static List<TableId> captured(List<TableId> all, List<String> databases, List<String> tables) {
        Predicate<String> database = matchesAny(databases);
        Predicate<String> table = matchesAny(tables);
        return all.stream().filter(t -> !SYSTEM_DATABASES.contains(t.database().toLowerCase(java.util.Locale.ROOT)))
                .filter(t -> database.test(t.database()) && table.test(t.database() + "." + t.table()))
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

    private static Predicate<String> matchesAny(List<String> expressions) {
        List<Pattern> patterns = expressions.stream().map(String::trim).filter(e -> !e.isEmpty())
                .map(e -> Pattern.compile(e, Pattern.CASE_INSENSITIVE)).toList();
        return patterns.isEmpty() ? name -> true : name -> patterns.stream().anyMatch(p -> p.matcher(name).matches());
    }
}
