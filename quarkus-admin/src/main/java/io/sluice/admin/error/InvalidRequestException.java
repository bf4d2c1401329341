package io.sluice.admin.error;

import java.util.List;

/** The request itself is invalid; every problem is reported at once, each naming its field and what is allowed. */
public final class InvalidRequestException extends RequestRefusedException {
    private static final long serialVersionUID = 1L;

    /** @param problems at least one */
    public InvalidRequestException(String message, List<Problem> problems) {
        super(Kind.INVALID, "validation_failed", message, problems);
    }

    /** One invalid field. */
    public static InvalidRequestException of(String field, String message) {
        return new InvalidRequestException("The request is invalid: " + field + " " + message + ".", List.of(new Problem(field, message)));
    }

    /** Several problems of one request, counted in the message. @param what for example {@code The backfill request} */
    public static InvalidRequestException of(String what, List<Problem> problems) {
        return new InvalidRequestException(what + " has " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s")
                + "; each detail names the field and what is allowed.", problems);
    }
}
