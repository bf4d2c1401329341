package io.sluice.contract;

/**
 * A change failed a rule whose action is {@code ERROR}, or a table's rules no longer check against its schema: the
 * batch is not delivered and nothing past the last checkpoint is committed, so the change is read again once the
 * row or the rule is fixed. The message names the table, the rule and the row.
 */
public final class RuleErrorException extends Exception {
    private static final long serialVersionUID = 1L;

    public RuleErrorException(String message) {
        super(message);
    }
}
