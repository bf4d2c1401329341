package io.sluice.admin.contract;

import io.sluice.contract.ContractCheck;
import io.sluice.contract.RuleErrorException;
import io.sluice.event.ChangeEvent;
import io.sluice.event.TableId;
import io.sluice.registry.RegistryException;
import io.sluice.registry.SchemaRegistry;
import io.sluice.registry.SubjectVersion;
import io.sluice.sink.SinkRunner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Each table's data contract as the registry holds it: the rules of the table's latest value schema version. What it
 * read is kept until the registry's next write ({@link SchemaRegistry#changes()}), so that the pipelines, which ask
 * for every table of every batch, read the metadata database only when something changed.
 */
@ApplicationScoped
public class TableContracts {

    @Inject
    SchemaRegistry registry;

    private final Map<TableId, Optional<ContractCheck.Declared>> cache = new ConcurrentHashMap<>();
    private volatile long cachedAt = Long.MIN_VALUE;

    /** The table's rules in force, if it has any. Thread-safe. */
    public Optional<ContractCheck.Declared> of(TableId table) {
        long changes = registry.changes();
        if (changes != cachedAt) {
            cache.clear();
            cachedAt = changes;
        }
        Optional<ContractCheck.Declared> known = cache.get(table);
        if (known != null) {
            return known;
        }
        Optional<ContractCheck.Declared> read = read(table);
        if (registry.changes() == changes) {
            cache.put(table, read); // not when a write came in between: it may not be in what was read
        }
        return read;
    }

    private Optional<ContractCheck.Declared> read(TableId table) {
        try {
            SubjectVersion v = registry.version(table.subjectStem() + "-value", -1, false);
            return v.ruleSet().isEmpty() ? Optional.empty() : Optional.of(new ContractCheck.Declared(v.version(), v.ruleSet(), v.metadata()));
        } catch (RegistryException notRegistered) {
            return Optional.empty();
        }
    }

    /** A check of changes against the rules in force; for one thread. */
    public ContractCheck check() {
        return new ContractCheck(this::of, t -> true);
    }

    /**
     * What a replay of dead letters may write: each event as the rules in force transform it, or kept (with the rule's
     * reason) when they still keep it out. For one replay; for one thread.
     */
    public SinkRunner.Admission admission() {
        ContractCheck check = check();
        return e -> {
            try {
                ContractCheck.Checked checked = check.apply(List.of(e));
                return checked.events().isEmpty()
                        ? new SinkRunner.Admitted(null, "still kept out by the table's rules in force: " + checked.deadLetters().get(0).reason())
                        : new SinkRunner.Admitted((ChangeEvent) checked.events().get(0), null);
            } catch (RuleErrorException stopped) {
                return new SinkRunner.Admitted(null, "still kept out by the table's rules in force: " + stopped.getMessage());
            }
        };
    }

    /**
     * What a target should hold for a row, by the rules in force: the row as they transform it, or null when they keep
     * it out (a DLQ or ERROR rule fails on it). For a verification; for one thread.
     */
    public UnaryOperator<ChangeEvent> expectation() {
        SinkRunner.Admission admission = admission();
        return e -> admission.admit(e).event();
    }
}
