package io.sluice.admin.error;

import java.util.List;

/**
 * The request is well formed but cannot be done in the state things are in now (a source that is not running, a
 * name taken, a failed preflight, a runtime that cannot do it); the message says what to change first.
 */
public final class ConflictException extends RequestRefusedException {
    private static final long serialVersionUID = 1L;

    /** @param code a stable code, for example {@code source_not_running} */
    public ConflictException(String code, String message) {
        this(code, message, List.of());
    }

    /** @param problems one per finding, for example each error of a preflight with its fix */
    public ConflictException(String code, String message, List<Problem> problems) {
        super(Kind.CONFLICT, code, message, problems);
    }
}
