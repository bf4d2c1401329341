package io.sluice.view;

import java.util.List;

/** A view's definition has problems; every one is listed, each with its path in the definition and the fix. */
public final class InvalidViewException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<ViewProblem> problems;

    public InvalidViewException(String view, List<ViewProblem> problems) {
        super("View '" + view + "' has " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + "; each names its place in"
                + " the definition and the fix.");
        this.problems = List.copyOf(problems);
    }

    public List<ViewProblem> problems() {
        return problems;
    }
}
