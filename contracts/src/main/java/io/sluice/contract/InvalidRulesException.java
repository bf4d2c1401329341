package io.sluice.contract;

import java.util.List;

/** A rule set that cannot run against a schema; carries every problem found, not only the first. */
public final class InvalidRulesException extends Exception {
    private final transient List<RuleProblem> problems;

    public InvalidRulesException(List<RuleProblem> problems) {
        super(problems.size() + " problem(s) in the rule set: " + problems);
        this.problems = List.copyOf(problems);
    }

    public List<RuleProblem> problems() {
        return problems;
    }
}
