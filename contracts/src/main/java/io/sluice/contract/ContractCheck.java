package io.sluice.contract;

import io.sluice.event.ChangeEvent;
import io.sluice.event.Operation;
import io.sluice.event.SourceEvent;
import io.sluice.event.TableId;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each table's data contract (the rule set of its latest registered value schema) on a source's changes before
 * they reach the sinks: a change whose rules pass goes on as the transforms left it; one that fails a {@code DLQ} rule
 * goes to the dead letters instead, with the rule, its expression and the values it read; a failure of a
 * {@code NONE} rule is counted; a failure of an {@code ERROR} rule stops the batch with a {@link RuleErrorException}
 * naming the rule and the row, so that nothing past the last checkpoint is committed until the rule changes or a
 * person releases that change to the dead letters ({@link Held}). A rule set that no longer checks against a table's
 * new schema stops the batch the same way.
 *
 * <p>Called by the capture thread only; {@link #counts()} may be read from any thread.
 */
public final class ContractCheck {
    private static final Logger LOG = LoggerFactory.getLogger(ContractCheck.class);

    /**
     * A table's declared contract.
     *
     * @param version the registry version that carries it; a new one replaces the compiled contract
     */
    public record Declared(int version, RuleSet ruleSet, Metadata metadata) {
        public Declared {
            Objects.requireNonNull(ruleSet, "ruleSet");
            Objects.requireNonNull(metadata, "metadata");
        }
    }

    /** Where the contracts come from: a table's latest value schema version in the registry, if it has rules. */
    @FunctionalInterface
    public interface Rules {
        Optional<Declared> of(TableId table);
    }

    /** What a batch became: the changes that go on, and those for the dead letters, each with its failure. */
    public record Checked(List<SourceEvent> events, List<Stopped> deadLetters) {
    }

    /**
     * A change stopped by a {@code DLQ} rule.
     *
     * @param event the change as the transforms before the failing rule left it (a masked field stays masked in the
     *     dead letters)
     * @param original the change as it came in, the same instance, to find where it came from
     */
    public record Stopped(ChangeEvent event, ChangeEvent original, RuleFailure failure) {
        /** The dead letter's reason: the rule, its expression, the values it read and the source position. */
        public String reason() {
            return "rule " + failure.rule() + " failed (" + failure.expr() + "): " + failure.reason() + "; values " + failure.values()
                    + "; at " + event.position();
        }
    }

    /** Counts per rule: evaluations and failures. */
    public record Counts(long evaluated, long failed) {
    }

    /**
     * A change that failed a rule, kept among a table's last failures.
     *
     * @param key the row's primary key, as text
     * @param values the values the rule read, as text
     * @param position where the change sits in the source
     * @param commitTime when the source committed the change
     */
    public record Failed(String rule, RuleAction action, String expr, String key, Map<String, String> values, String reason, String position,
            Instant commitTime) {
    }

    /**
     * A change an {@code ERROR} rule failed on, which holds its source until the rule changes or a person sends the
     * change to the dead letters.
     *
     * @param position where the change sits in the source, as {@link io.sluice.event.SourcePosition#toString()} gives it
     * @param key the row's primary key, as text
     * @param rule the rule that failed
     */
    public record Held(TableId table, String position, String key, String rule) {
        static Held of(ChangeEvent change, String rule) {
            return new Held(change.table(), change.position().toString(), String.valueOf(change.key()), rule);
        }
    }

    /** How many failures are kept per table. */
    public static final int RECENT = 20;

    private record Key(TableId table, int version, Schema schema) {
    }

    private final Rules rules;
    private final Predicate<TableId> checked;
    private final Predicate<Held> released;
    /** A compiled contract with its rules' counters, in the contract's order. */
    private record Compiled(Contract contract, LongAdder[][] counters, Map<String, Integer> index) {
    }

    private final Map<Key, Compiled> compiled = new HashMap<>();
    private final Map<String, LongAdder[]> counts = new ConcurrentHashMap<>();
    /** The last failures by {@code "<source>.<database>.<table>"}, newest first; each deque guarded by itself. */
    private final Map<String, Deque<Failed>> recent = new ConcurrentHashMap<>();

    /**
     * @param checked which tables' changes are checked (a view's documents are not, yet)
     */
    public ContractCheck(Rules rules, Predicate<TableId> checked) {
        this(rules, checked, held -> false);
    }

    /**
     * @param checked which tables' changes are checked (a view's documents are not, yet)
     * @param released held changes a person sent to the dead letters: a failed {@code ERROR} rule on one of them acts
     *     as {@code DLQ}
     */
    public ContractCheck(Rules rules, Predicate<TableId> checked, Predicate<Held> released) {
        this.rules = Objects.requireNonNull(rules, "rules");
        this.checked = Objects.requireNonNull(checked, "checked");
        this.released = Objects.requireNonNull(released, "released");
    }

    /**
     * Runs the rules on a batch.
     *
     * @throws RuleErrorException if an {@code ERROR} rule failed, or a table's rules do not check against its schema
     */
    public Checked apply(List<SourceEvent> batch) throws RuleErrorException {
        Map<TableId, Optional<Declared>> declared = new HashMap<>();
        List<SourceEvent> out = null;
        List<Stopped> stopped = new ArrayList<>(0);
        for (int i = 0; i < batch.size(); i++) {
            if (!(batch.get(i) instanceof ChangeEvent change) || !checked.test(change.table())) {
                continue;
            }
            Optional<Declared> d = declared.computeIfAbsent(change.table(), rules::of);
            if (d.isEmpty() || d.get().ruleSet().domainRules().isEmpty()) {
                continue;
            }
            Compiled contract = contract(change, d.get());
            Verdict verdict = contract.contract().check(change);
            count(contract, verdict, change.operation());
            remember(change, verdict);
            ChangeEvent now = verdict instanceof Verdict.Passed p ? p.event() : ((Verdict.Stopped) verdict).event();
            if (verdict instanceof Verdict.Stopped s) {
                Held held = s.failure().action() == RuleAction.ERROR ? Held.of(change, s.failure().rule()) : null;
                if (held != null && !released.test(held)) {
                    throw new RuleErrorException("table " + change.table() + ": rule " + s.failure().rule() + " (" + s.failure().expr()
                            + ") failed with action ERROR on the row with key " + change.key() + " at " + change.position() + ": "
                            + s.failure().reason() + "; values " + s.failure().values() + ". Change the rule (register the subject "
                            + change.table().subjectStem() + "-value again, or approve a rule proposal), or send this change to the dead"
                            + " letters (sluice rules release " + change.table().source() + "); capture resumes from the last checkpoint",
                            held);
                }
                stopped.add(new Stopped(now, change, s.failure()));
            }
            if (now != change || verdict instanceof Verdict.Stopped) {
                if (out == null) {
                    out = new ArrayList<>(batch);
                }
                out.set(i, verdict instanceof Verdict.Stopped ? null : now);
            }
        }
        if (out == null) {
            return new Checked(batch, stopped);
        }
        out.removeIf(Objects::isNull);
        return new Checked(out, stopped);
    }

    private Compiled contract(ChangeEvent change, Declared d) throws RuleErrorException {
        Schema schema = change.row().getSchema();
        Key key = new Key(change.table(), d.version(), schema);
        Compiled c = compiled.get(key);
        if (c == null) {
            Contract contract;
            try {
                contract = Contract.compile(d.ruleSet(), schema, d.metadata().tags());
            } catch (InvalidRulesException e) {
                throw new RuleErrorException("table " + change.table() + ": the rules of version " + d.version() + " of subject "
                        + change.table().subjectStem() + "-value do not check against the table's schema now: " + e.problems()
                        + ". Register the subject again with rules that fit the new columns; capture resumes from the last checkpoint");
            }
            List<String> names = contract.rules();
            LongAdder[][] counters = new LongAdder[names.size()][];
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < names.size(); i++) {
                counters[i] = counts.computeIfAbsent(change.table().subjectStem() + "/" + names.get(i), k -> new LongAdder[] {new LongAdder(),
                        new LongAdder()});
                index.put(names.get(i), i);
            }
            c = new Compiled(contract, counters, index);
            compiled.keySet().removeIf(k -> k.table().equals(change.table()));
            compiled.put(key, c);
        }
        return c;
    }

    /**
     * Counts the rules that ran on a change: a delete runs only the transforms, and a change stopped by a rule runs no
     * condition after it (the transforms still run).
     */
    private static void count(Compiled c, Verdict verdict, Operation operation) {
        int stoppedAt = verdict instanceof Verdict.Stopped s ? c.index().get(s.failure().rule()) : Integer.MAX_VALUE;
        LongAdder[][] counters = c.counters();
        for (int i = 0; i < counters.length; i++) {
            boolean transform = c.contract().isTransform(i);
            if (transform || (operation != Operation.DELETE && i <= stoppedAt)) {
                counters[i][0].increment();
            }
        }
        for (RuleFailure f : verdict.failures()) {
            c.counters()[c.index().get(f.rule())][1].increment();
            LOG.debug("rule {} failed ({}) with action {}: values {}", f.rule(), f.reason(), f.action(), f.values());
        }
    }

    private void remember(ChangeEvent change, Verdict verdict) {
        if (verdict.failures().isEmpty()) {
            return;
        }
        Deque<Failed> last = recent.computeIfAbsent(change.table().subjectStem(), k -> new ArrayDeque<>());
        synchronized (last) {
            for (RuleFailure f : verdict.failures()) {
                Map<String, String> values = new TreeMap<>();
                f.values().forEach((k, v) -> values.put(k, String.valueOf(v)));
                last.addFirst(new Failed(f.rule(), f.action(), f.expr(), String.valueOf(change.key()), values, f.reason(),
                        change.position().toString(), change.commitTime()));
                if (last.size() > RECENT) {
                    last.removeLast();
                }
            }
        }
    }

    /**
     * A table's last failures, newest first, at most {@link #RECENT}.
     *
     * @param stem {@code "<source>.<database>.<table>"}
     */
    public List<Failed> recentFailures(String stem) {
        Deque<Failed> last = recent.get(stem);
        if (last == null) {
            return List.of();
        }
        synchronized (last) {
            return List.copyOf(last);
        }
    }

    /** Evaluations and failures by {@code "<source>.<database>.<table>/<rule>"}, since the check was created. */
    public Map<String, Counts> counts() {
        Map<String, Counts> out = new HashMap<>();
        counts.forEach((k, v) -> out.put(k, new Counts(v[0].sum(), v[1].sum())));
        return out;
    }
}
