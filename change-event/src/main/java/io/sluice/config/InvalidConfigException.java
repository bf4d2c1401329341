package io.sluice.config;

import java.util.List;
import java.util.stream.Collectors;

/** A configuration with one or more problems; all of them are listed, not just the first. */
public final class InvalidConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient List<ConfigProblem> problems;

    public InvalidConfigException(String what, List<ConfigProblem> problems) {
        super("invalid configuration of " + what + " (" + problems.size() + " problem" + (problems.size() == 1 ? "" : "s")
                + "):\n" + problems.stream().map(p -> "  - " + p).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    /** Every problem found, in the order of the keys' declaration. */
    public List<ConfigProblem> problems() {
        return problems;
    }
}
