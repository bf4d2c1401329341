package io.sluice.contract;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructTypeReference;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntimeFactory;
import dev.cel.runtime.CelStandardFunctions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.avro.Schema;

/** Checks a rule set against a value schema and compiles its expressions; see {@link Contract#compile}. */
final class ContractCompiler {
    /** Confluent's inline field tags in an Avro schema. */
    static final String TAGS_PROPERTY = "confluent:tags";
    private static final Set<String> MODES = Set.of("WRITE", "READ", "WRITEREAD");
    private static final Set<String> MIGRATION_MODES = Set.of("UPGRADE", "DOWNGRADE", "UPDOWN");

    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder()
            .addLibraries(CelExtensions.strings(), CelExtensions.math(), CelExtensions.encoders())
            // CEL's own matches() compiles its pattern on every call; the same function with each pattern compiled once.
            .setStandardEnvironmentEnabled(false)
            .setStandardFunctions(CelStandardFunctions.newBuilder().filterFunctions((f, o) -> f != CelStandardFunctions.StandardFunction.MATCHES)
                    .build())
            .addFunctionBindings(CelFunctionBinding.from("matches", String.class, String.class, Patterns::find),
                    CelFunctionBinding.from("matches_string", String.class, String.class, Patterns::find))
            .build();

    private final Schema schema;
    private final Map<String, List<String>> tagPaths;
    private final List<RuleProblem> problems = new ArrayList<>();

    ContractCompiler(Schema schema, Map<String, List<String>> tagPaths) {
        this.schema = schema;
        this.tagPaths = tagPaths == null ? Map.of() : tagPaths;
    }

    Contract compile(RuleSet rules) throws InvalidRulesException {
        if (rules == null || rules.isEmpty()) {
            return Contract.NONE;
        }
        for (int i = 0; i < rules.migrationRules().size(); i++) {
            problems.add(new RuleProblem("migrationRules[" + i + "]", "migration rules are not run: Sluice's targets always take a table's"
                    + " current schema; remove them"));
        }
        List<Contract.Step> steps = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < rules.domainRules().size(); i++) {
            Rule rule = rules.domainRules().get(i);
            String path = "domainRules[" + i + "]" + (rule.name() == null || rule.name().isBlank() ? "" : " (" + rule.name() + ")");
            Contract.Step step = step(rule, path, names);
            if (step != null && !rule.isDisabled()) {
                steps.add(step);
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRulesException(problems);
        }
        return new Contract(schema, steps);
    }

    private Contract.Step step(Rule rule, String path, Set<String> names) {
        int before = problems.size();
        if (rule.name() == null || rule.name().isBlank()) {
            problems.add(new RuleProblem(path + ".name", "missing: each rule needs a name, unique in its rule set"));
        } else if (!names.add(rule.name())) {
            problems.add(new RuleProblem(path + ".name", "'" + rule.name() + "' is used by another rule of the set: names must be unique"));
        }
        boolean condition = "CONDITION".equals(rule.kind());
        if (!condition && !"TRANSFORM".equals(rule.kind())) {
            problems.add(new RuleProblem(path + ".kind", "'" + rule.kind() + "' is not a kind: use CONDITION or TRANSFORM"));
        }
        String mode = rule.mode() == null ? "WRITE" : rule.mode();
        if (MIGRATION_MODES.contains(mode)) {
            problems.add(new RuleProblem(path + ".mode", "'" + mode + "' is a migration mode: domain rules run in WRITE, READ or WRITEREAD"));
        } else if (!MODES.contains(mode)) {
            problems.add(new RuleProblem(path + ".mode", "'" + mode + "' is not a mode: use WRITE, READ or WRITEREAD"));
        }
        boolean field = "CEL_FIELD".equals(rule.type());
        if (!field && !"CEL".equals(rule.type())) {
            problems.add(new RuleProblem(path + ".type", "'" + rule.type() + "' is not run by Sluice: use CEL (a rule on the row) or"
                    + " CEL_FIELD (a rule on each field)"));
        } else if (!field && !condition && "TRANSFORM".equals(rule.kind())) {
            problems.add(new RuleProblem(path + ".type", "a TRANSFORM of the whole row is not run: transform fields with type CEL_FIELD"));
        }
        RuleAction onFailure = action(rule.onFailure(), path + ".onFailure");
        action(rule.onSuccess(), path + ".onSuccess");
        if (rule.expr() == null || rule.expr().isBlank()) {
            problems.add(new RuleProblem(path + ".expr", "missing: the rule's CEL expression"));
            return null;
        }
        boolean runnable = (condition || "TRANSFORM".equals(rule.kind())) && (field || ("CEL".equals(rule.type()) && condition));
        if (!runnable) {
            return null;
        }
        // The expression is checked even when the rule's name, mode or action is wrong, so that every problem shows at once.
        Contract.Step step = field ? fieldRule(rule, path, condition, onFailure) : condition(rule, path, onFailure);
        return problems.size() > before ? null : step;
    }

    private RuleAction action(String text, String path) {
        return RuleAction.parse(text).orElseGet(() -> {
            problems.add(new RuleProblem(path, "'" + text + "' is not an action Sluice runs: use NONE, DLQ or ERROR"));
            return RuleAction.NONE;
        });
    }

    private Contract.Step condition(Rule rule, String path, RuleAction action) {
        CelAbstractSyntaxTree ast = check(conditionCompiler(SimpleType.BOOL), rule.expr(), path + ".expr");
        if (ast == null) {
            return null;
        }
        return new Contract.Condition(rule, action, program(ast), reads(ast));
    }

    private Contract.Step fieldRule(Rule rule, String path, boolean condition, RuleAction action) {
        String expr = rule.expr();
        int split = expr.indexOf(';');
        String guard = split < 0 ? null : expr.substring(0, split).trim();
        String body = split < 0 ? expr : expr.substring(split + 1);
        List<Contract.FieldProgram> fields = new ArrayList<>();
        for (Schema.Field f : schema.getFields()) {
            if (!AvroCel.isPrimitive(f.schema())) {
                continue;
            }
            List<String> tags = tags(f);
            if (!rule.tags().isEmpty() && tags.stream().noneMatch(rule.tags()::contains)) {
                continue;
            }
            CelType valueType = AvroCel.type(f.schema());
            CelRuntime.Program guardProgram = null;
            if (guard != null && !guard.isEmpty()) {
                CelAbstractSyntaxTree g = check(fieldCompiler(valueType, SimpleType.BOOL), guard, path + ".expr (guard, field " + f.name() + ")");
                if (g == null) {
                    return null;
                }
                guardProgram = program(g);
                Boolean statically = staticGuard(guardProgram, f, tags);
                if (Boolean.FALSE.equals(statically)) {
                    continue;
                }
                if (Boolean.TRUE.equals(statically)) {
                    guardProgram = null;
                }
            }
            CelType result = condition ? SimpleType.BOOL : valueType;
            CelAbstractSyntaxTree b = check(fieldCompiler(valueType, result), body, path + ".expr (field " + f.name() + ")");
            if (b == null) {
                return null;
            }
            fields.add(new Contract.FieldProgram(f, tags, guardProgram, program(b)));
        }
        return new Contract.FieldRule(rule, action, !condition, fields);
    }

    /**
     * A guard that reads only the field's name, type and tags holds or not for the field whatever the row: it is
     * decided now. One that reads its value or the row cannot be, and is evaluated on each change.
     */
    private Boolean staticGuard(CelRuntime.Program guard, Schema.Field f, List<String> tags) {
        try {
            Object held = guard.eval(Map.of("name", f.name(), "fullName", schema.getFullName() + "." + f.name(), "typeName",
                    AvroCel.typeName(f.schema()), "tags", tags));
            return held instanceof Boolean b ? b : null;
        } catch (CelEvaluationException unbound) {
            return null;
        }
    }

    private CelCompiler conditionCompiler(CelType result) {
        return compiler()
                .addVar("message", StructTypeReference.create(schema.getFullName()))
                .addVar("before", StructTypeReference.create(schema.getFullName()))
                .addVar("op", SimpleType.STRING)
                .addVar("source", MapType.create(SimpleType.STRING, SimpleType.STRING))
                .setResultType(result)
                .build();
    }

    private CelCompiler fieldCompiler(CelType valueType, CelType result) {
        return compiler()
                .addVar("value", valueType)
                .addVar("name", SimpleType.STRING)
                .addVar("fullName", SimpleType.STRING)
                .addVar("typeName", SimpleType.STRING)
                .addVar("tags", ListType.create(SimpleType.STRING))
                .addVar("message", StructTypeReference.create(schema.getFullName()))
                .setResultType(result)
                .build();
    }

    private CelCompilerBuilder compiler() {
        return CelCompilerFactory.standardCelCompilerBuilder()
                    .setTypeProvider(AvroCel.typeProvider(schema))
                .addLibraries(CelExtensions.strings(), CelExtensions.math(), CelExtensions.encoders());
    }

    private CelAbstractSyntaxTree check(CelCompiler compiler, String expr, String path) {
        try {
            return compiler.compile(expr).getAst();
        } catch (CelValidationException e) {
            problems.add(new RuleProblem(path, e.getMessage().replace("\n", " ").replaceAll(" +", " ").trim()));
            return null;
        }
    }

    private static CelRuntime.Program program(CelAbstractSyntaxTree ast) {
        try {
            return RUNTIME.createProgram(ast);
        } catch (CelEvaluationException e) {
            throw new IllegalStateException("a checked CEL expression did not plan: " + e.getMessage(), e);
        }
    }

    /** The fields of {@code message} an expression reads, in the order they appear. */
    private static List<String> reads(CelAbstractSyntaxTree ast) {
        Set<String> out = new LinkedHashSet<>();
        CelNavigableAst.fromAst(ast).getRoot().allNodes().forEach(n -> {
            CelExpr e = n.expr();
            if (e.getKind() == CelExpr.ExprKind.Kind.SELECT) {
                CelExpr operand = e.select().operand();
                if (operand.getKind() == CelExpr.ExprKind.Kind.IDENT && operand.ident().name().equals("message")) {
                    out.add(e.select().field());
                }
            }
        });
        return List.copyOf(out);
    }

    /** A field's tags: its {@code confluent:tags} and those of every path in {@code metadata.tags} that matches it. */
    private List<String> tags(Schema.Field f) {
        Set<String> out = new LinkedHashSet<>();
        if (f.getObjectProp(TAGS_PROPERTY) instanceof List<?> inline) {
            inline.forEach(t -> out.add(String.valueOf(t)));
        }
        String full = schema.getFullName() + "." + f.name();
        String simple = schema.getName() + "." + f.name();
        tagPaths.forEach((path, tags) -> {
            Pattern p = glob(path);
            if (path.equals(f.name()) || p.matcher(full).matches() || p.matcher(simple).matches()) {
                out.addAll(tags);
            }
        });
        return List.copyOf(out);
    }

    /** Confluent's tag paths: {@code **} any run of characters, {@code *} any within one name. */
    private static Pattern glob(String path) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '*' && i + 1 < path.length() && path.charAt(i + 1) == '*') {
                re.append(".*");
                i++;
            } else if (c == '*') {
                re.append("[^.]*");
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
