package io.sluice.backfill;

/**
 * A backfill that cannot run as asked: an unknown table, a table without a primary key, a filter that is not
 * valid SQL for the table, a chunk size out of range. The message names the input and what to do; retrying
 * the same request does not help.
 */
public final class BackfillException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BackfillException(String message) {
        super(message);
    }
}
