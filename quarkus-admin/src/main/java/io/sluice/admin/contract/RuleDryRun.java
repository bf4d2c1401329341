package io.sluice.admin.contract;

import io.sluice.admin.backfill.TableSchemas;
import io.sluice.admin.error.InvalidRequestException;
import io.sluice.admin.error.Problem;
import io.sluice.admin.error.UnavailableException;
import io.sluice.admin.source.SourceDatabase;
import io.sluice.admin.source.SourceStore;
import io.sluice.backfill.BackfillException;
import io.sluice.backfill.ChunkReader;
import io.sluice.backfill.RowConverter;
import io.sluice.contract.Contract;
import io.sluice.contract.InvalidRulesException;
import io.sluice.contract.Metadata;
import io.sluice.contract.RuleFailure;
import io.sluice.contract.RuleSet;
import io.sluice.contract.Verdict;
import io.sluice.event.ChangeEvent;
import io.sluice.event.Operation;
import io.sluice.event.SourcePosition;
import io.sluice.event.TableId;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Runs a rule set over rows of the live table, as they are now, before it takes effect: how many rows each rule would
 * fail, with examples. Reads from the source's database in key order from the start (the sample is the table's first
 * rows by primary key); nothing is written anywhere.
 */
@ApplicationScoped
public class RuleDryRun {
    /** The most rows a dry run reads. */
    public static final int MAX_SAMPLE = 100_000;
    private static final int EXAMPLES = 5;

    @Inject
    SourceStore sources;

    @Inject
    TableSchemas schemas;

    @Inject
    Clock clock;

    /**
     * What a rule set would do to the table's rows.
     *
     * @param rows the rows read
     * @param passed rows that every rule passed (or failed with NONE only)
     * @param failed rows failed, by rule name (a row fails at most one rule that stops it, and any NONE rules before)
     * @param examples a few failures per rule: the row's key, the values the rule read, why
     */
    public record Result(int rows, int passed, Map<String, Integer> failed, List<Example> examples) {
    }

    /** One failing row. */
    public record Example(String rule, String key, Map<String, Object> values, String reason) {
    }

    /**
     * @param sample how many rows, 1 to {@link #MAX_SAMPLE}
     * @throws InvalidRequestException naming every problem of the rules against the table's schema, or a bad sample
     * @throws UnavailableException if the source's database cannot be read
     */
    public Result run(TableId table, RuleSet ruleSet, Metadata metadata, int sample) {
        if (sample < 1 || sample > MAX_SAMPLE) {
            throw InvalidRequestException.of("sample", "is " + sample + "; a dry run reads 1 to " + MAX_SAMPLE + " rows");
        }
        Schema schema = schemas.of(table).value();
        Contract contract = compile(ruleSet, metadata, schema);
        try (Connection c = SourceDatabase.connect(sources.runtimeConfig(table.source()))) {
            ChunkReader reader = ChunkReader.open(c, table.database(), table.table(), null, sample, null, null);
            ChunkReader.Chunk chunk = reader.next();
            int passed = 0;
            Map<String, Integer> failed = new LinkedHashMap<>();
            List<Example> examples = new ArrayList<>();
            SourcePosition here = new SourcePosition("dry-run", 0, 0, null, 0, true);
            for (Map<String, Object> row : chunk.rows()) {
                GenericRecord value = RowConverter.value(table, row, schema);
                Verdict verdict = contract.check(new ChangeEvent(table, Operation.READ, null, null, value, here, clock.instant(), 0));
                List<RuleFailure> failures = verdict.failures();
                if (failures.isEmpty()) {
                    passed++;
                }
                for (RuleFailure f : failures) {
                    int n = failed.merge(f.rule(), 1, Integer::sum);
                    if (n <= EXAMPLES) {
                        examples.add(new Example(f.rule(), key(reader.keyColumns(), row), f.values(), f.reason()));
                    }
                }
            }
            return new Result(chunk.rows().size(), passed, failed, examples);
        } catch (BackfillException e) {
            throw InvalidRequestException.of("table", e.getMessage());
        } catch (SQLException e) {
            throw new UnavailableException("source_unreachable", "The dry run could not read " + table + " from source '" + table.source()
                    + "': " + e.getMessage() + ". Check that the source's database is up, then try again.");
        }
    }

    /**
     * Compiles a rule set against the table's schema.
     *
     * @throws InvalidRequestException with one problem per rule problem, each under {@code ruleSet.<path>}
     */
    static Contract compile(RuleSet ruleSet, Metadata metadata, Schema schema) {
        try {
            return Contract.compile(ruleSet, schema, metadata.tags());
        } catch (InvalidRulesException e) {
            List<Problem> problems = e.problems().stream().map(p -> new Problem("ruleSet." + p.path(), p.message())).toList();
            throw new InvalidRequestException("The rule set does not run against the table's schema: " + problems.size() + " problem(s).",
                    problems);
        }
    }

    private static String key(List<String> columns, Map<String, Object> row) {
        List<String> parts = new ArrayList<>(columns.size());
        columns.forEach(c -> parts.add(c + "=" + row.get(c)));
        return String.join(", ", parts);
    }
}
