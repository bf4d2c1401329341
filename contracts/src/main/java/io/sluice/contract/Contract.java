package io.sluice.contract;

import com.google.protobuf.NullValue;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelVariableResolver;
import io.sluice.event.ChangeEvent;
import io.sluice.event.Operation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * A table's rule set compiled against one of its value schemas: its rules run in their declared order on each change,
 * transforms changing the row that the rules after them see. Built by {@link #compile}, which type-checks every
 * expression, so that a rule never fails at run time on an error of its own: what can still fail at run time (a
 * substring past a string's end, a null column) is a failure of the rule on that change, with the rule's action.
 *
 * <p>A delete runs no condition (the row is gone, whatever it held), but its last image is transformed like any row,
 * so that a masked field is masked in a dead letter too. Immutable and thread-safe.
 */
public final class Contract {
    /** No rules: every change passes as it is. */
    public static final Contract NONE = new Contract(null, List.of());

    /** One compiled rule. */
    sealed interface Step permits Condition, FieldRule {
        Rule rule();

        RuleAction action();
    }

    /** A {@code CEL} condition on the whole row; {@code reads} are the row's fields it reads. */
    record Condition(Rule rule, RuleAction action, CelRuntime.Program program, List<String> reads) implements Step {
    }

    /** A {@code CEL_FIELD} rule, on each field it applies to; a transform replaces the field's value, a condition checks it. */
    record FieldRule(Rule rule, RuleAction action, boolean transform, List<FieldProgram> fields) implements Step {
    }

    /**
     * A field rule's program for one field.
     *
     * @param guard the part before {@code ;} when it reads the value or the row; null when it held for this field when
     *     compiled (a guard on the field's name, type or tags only)
     */
    record FieldProgram(Schema.Field field, List<String> tags, CelRuntime.Program guard, CelRuntime.Program body) {
    }

    private final Schema schema;
    private final List<Step> steps;

    Contract(Schema schema, List<Step> steps) {
        this.schema = schema;
        this.steps = List.copyOf(steps);
    }

    /**
     * Compiles a rule set against a table's value schema. A Debezium change-event envelope (the value schema of a table's
     * topic in Kafka Connect: {@code before}, {@code after}, {@code source}, {@code op}) stands for the row it carries,
     * so that one rule set means the same on a Connect topic's subject as on the embedded pipeline's.
     *
     * @param tags field tags by path, as Confluent's {@code metadata.tags} gives them ({@code "Patient.ssn"},
     *     {@code "**.email"}, or a field's name); a field's {@code confluent:tags} in the schema count too
     * @throws InvalidRulesException with every problem: unknown kinds, types, modes or actions, duplicate names, and
     *     expressions that do not parse or type-check against the schema, each naming the rule
     */
    public static Contract compile(RuleSet rules, Schema valueSchema, Map<String, List<String>> tags) throws InvalidRulesException {
        return new ContractCompiler(rowSchema(valueSchema), tags).compile(rules);
    }

    /** The row schema of a Debezium envelope's {@code after}, or the schema itself when it is not an envelope. */
    static Schema rowSchema(Schema valueSchema) {
        if (valueSchema.getType() != Schema.Type.RECORD || valueSchema.getField("op") == null || valueSchema.getField("source") == null
                || valueSchema.getField("after") == null || valueSchema.getField("before") == null) {
            return valueSchema;
        }
        Schema after = valueSchema.getField("after").schema();
        if (after.getType() == Schema.Type.UNION) {
            for (Schema branch : after.getTypes()) {
                if (branch.getType() == Schema.Type.RECORD) {
                    return branch;
                }
            }
        }
        return after.getType() == Schema.Type.RECORD ? after : valueSchema;
    }

    /** Whether no rule runs. */
    public boolean isEmpty() {
        return steps.isEmpty();
    }

    /** Whether the rule at this index (of {@link #rules()}) is a transform: it runs on every change, deletes too. */
    public boolean isTransform(int index) {
        return steps.get(index) instanceof FieldRule f && f.transform();
    }

    /** The names of the rules that run, in order. */
    public List<String> rules() {
        return steps.stream().map(s -> s.rule().name()).toList();
    }

    /** The schema the rules were compiled against; a change under another schema needs a contract of its own. */
    public Schema schema() {
        return schema;
    }

    /** Runs the rules on one change. */
    public Verdict check(ChangeEvent event) {
        if (steps.isEmpty()) {
            return new Verdict.Passed(event, List.of());
        }
        GenericRecord after = event.after();
        GenericRecord before = event.before();
        List<RuleFailure> noted = new ArrayList<>(0);
        for (Step step : steps) {
            RuleFailure failure;
            if (step instanceof FieldRule f && f.transform()) {
                Transformed t = transform(f, after, before);
                after = t.after;
                before = t.before;
                failure = t.failure;
            } else if (event.operation() == Operation.DELETE) {
                failure = null;
            } else if (step instanceof FieldRule f) {
                failure = fieldCondition(f, after);
            } else {
                failure = condition((Condition) step, event, after, before);
            }
            if (failure == null) {
                continue;
            }
            if (failure.action() == RuleAction.NONE) {
                noted.add(failure);
                continue;
            }
            // The change stops here, but the transforms after this rule still run on it: a field they mask is masked in
            // the dead letters and in the failure's message too.
            for (Step later : steps.subList(steps.indexOf(step) + 1, steps.size())) {
                if (later instanceof FieldRule f && f.transform()) {
                    Transformed t = transform(f, after, before);
                    after = t.after;
                    before = t.before;
                }
            }
            return new Verdict.Stopped(withRows(event, before, after), masked(failure, after), noted);
        }
        return new Verdict.Passed(withRows(event, before, after), noted);
    }

    private static ChangeEvent withRows(ChangeEvent e, GenericRecord before, GenericRecord after) {
        if (before == e.before() && after == e.after()) {
            return e;
        }
        return new ChangeEvent(e.table(), e.operation(), e.key(), before, after, e.position(), e.commitTime(), e.version());
    }

    private static RuleFailure condition(Condition c, ChangeEvent event, GenericRecord after, GenericRecord before) {
        try {
            Object result = c.program().eval(new ConditionVars(event, AvroCel.row(after), before == null ? NullValue.NULL_VALUE
                    : AvroCel.row(before)));
            return Boolean.TRUE.equals(result) ? null : failure(c, reads(c.reads(), after), "false");
        } catch (CelEvaluationException e) {
            return failure(c, reads(c.reads(), after), e.getMessage());
        }
    }

    /** A condition's variables, found by name as CEL asks for them: nothing is copied per evaluation. */
    private record ConditionVars(ChangeEvent event, Map<String, Object> message, Object before) implements CelVariableResolver {
        @Override
        public Optional<Object> find(String name) {
            return switch (name) {
                case "message" -> Optional.of(message);
                case "before" -> Optional.of(before);
                case "op" -> Optional.of(event.operation().name());
                case "source" -> Optional.of(Map.of("name", event.table().source(), "database", event.table().database(), "table",
                        event.table().table()));
                default -> Optional.empty();
            };
        }
    }

    /** A field rule's variables for one field of one row. */
    private record FieldVars(FieldProgram program, Object value, GenericRecord row) implements CelVariableResolver {
        @Override
        public Optional<Object> find(String name) {
            Schema.Field f = program.field();
            return switch (name) {
                case "value" -> Optional.of(AvroCel.value(f.schema(), value));
                case "name" -> Optional.of(f.name());
                case "fullName" -> Optional.of(row.getSchema().getFullName() + "." + f.name());
                case "typeName" -> Optional.of(AvroCel.typeName(f.schema()));
                case "tags" -> Optional.of(program.tags());
                case "message" -> Optional.of(AvroCel.row(row));
                default -> Optional.empty();
            };
        }
    }

    private static RuleFailure fieldCondition(FieldRule f, GenericRecord after) {
        for (FieldProgram p : f.fields()) {
            Object value = after.get(p.field().pos());
            try {
                FieldVars vars = new FieldVars(p, value, after);
                if (p.guard() != null && !Boolean.TRUE.equals(p.guard().eval(vars))) {
                    continue;
                }
                if (!Boolean.TRUE.equals(p.body().eval(vars))) {
                    return failure(f, Map.of(p.field().name(), AvroCel.value(p.field().schema(), value)), "false");
                }
            } catch (CelEvaluationException e) {
                return failure(f, Map.of(p.field().name(), AvroCel.value(p.field().schema(), value)), e.getMessage());
            }
        }
        return null;
    }

    private record Transformed(GenericRecord after, GenericRecord before, RuleFailure failure) {
    }

    private static Transformed transform(FieldRule f, GenericRecord after, GenericRecord before) {
        GenericRecord newAfter = after;
        GenericRecord newBefore = before;
        for (GenericRecord image : new GenericRecord[] {after, before}) {
            if (image == null) {
                continue;
            }
            GenericData.Record copy = null;
            for (FieldProgram p : f.fields()) {
                Object value = image.get(p.field().pos());
                try {
                    FieldVars vars = new FieldVars(p, value, image);
                    if (p.guard() != null && !Boolean.TRUE.equals(p.guard().eval(vars))) {
                        continue;
                    }
                    Object result = AvroCel.fromCel(p.field().schema(), p.body().eval(vars));
                    if (copy == null) {
                        copy = new GenericData.Record((GenericData.Record) image, false);
                    }
                    copy.put(p.field().pos(), result);
                } catch (CelEvaluationException | IllegalArgumentException e) {
                    RuleFailure failure = failure(f, Map.of(p.field().name(), AvroCel.value(p.field().schema(), value)), e.getMessage());
                    return new Transformed(after, before, failure);
                }
            }
            if (copy != null) {
                if (image == after) {
                    newAfter = copy;
                } else {
                    newBefore = copy;
                }
            }
        }
        return new Transformed(newAfter, newBefore, null);
    }

    /** The failure with the values it names as the row holds them after every transform. */
    private static RuleFailure masked(RuleFailure failure, GenericRecord row) {
        if (row == null) {
            return failure;
        }
        Map<String, Object> values = new LinkedHashMap<>();
        failure.values().forEach((name, v) -> {
            Schema.Field f = row.getSchema().getField(name);
            Object now = f == null ? v : AvroCel.value(f.schema(), row.get(f.pos()));
            values.put(name, now instanceof NullValue ? "null" : now);
        });
        return new RuleFailure(failure.rule(), failure.expr(), failure.action(), values, failure.reason());
    }

    private static Map<String, Object> reads(List<String> fields, GenericRecord row) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String name : fields) {
            Schema.Field f = row.getSchema().getField(name);
            if (f != null) {
                Object v = AvroCel.value(f.schema(), row.get(f.pos()));
                out.put(name, v instanceof NullValue ? "null" : v);
            }
        }
        return out;
    }

    private static RuleFailure failure(Step step, Map<String, Object> values, String reason) {
        return new RuleFailure(step.rule().name(), step.rule().expr(), step.action(), values, reason);
    }
}
