package io.sluice.admin.error;

import java.util.List;

/**
 * A request the server's services refuse, said in the domain's terms: what is missing, in conflict, invalid or
 * unavailable, never an HTTP status. The API layer alone turns each kind into a status and the error body
 * ({@code io.sluice.admin.api.ErrorMappers}); the message names the input and the fix, and is shown to users as it
 * is, so it never holds secrets. A closed set.
 */
public abstract sealed class RequestRefusedException extends RuntimeException
        permits NotFoundException, ConflictException, InvalidRequestException, UnavailableException {
    private static final long serialVersionUID = 1L;

    /** The kinds of refusal, one per subclass, for an exhaustive {@code switch}. */
    public enum Kind { NOT_FOUND, CONFLICT, INVALID, UNAVAILABLE }

    private final Kind kind;
    private final String code;
    private final transient List<Problem> problems;

    RequestRefusedException(Kind kind, String code, String message, List<Problem> problems) {
        super(message);
        this.kind = kind;
        this.code = code;
        this.problems = List.copyOf(problems);
    }

    public Kind kind() {
        return kind;
    }

    /** A stable, machine-readable code, for example {@code not_found} or {@code source_not_running}. */
    public String code() {
        return code;
    }

    /** One entry per offending field; empty when the refusal is not about fields. */
    public List<Problem> problems() {
        return problems;
    }
}
