package io.sluice.contract;

import java.util.Optional;

/**
 * A change failed a rule whose action is {@code ERROR}, or a table's rules no longer check against its schema: the
 * batch is not delivered and nothing past the last checkpoint is committed, so the change is read again once the
 * rule is changed, or a person lets it go to the dead letters ({@link ContractCheck.Held}). The message names the
 * table, the rule and the row.
 */
public final class RuleErrorException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient ContractCheck.Held held;

    /** A table whose rules no longer fit its schema: no one change is held. */
    public RuleErrorException(String message) {
        this(message, null);
    }

    /**
     * @param held the change an {@code ERROR} rule failed on
     */
    public RuleErrorException(String message, ContractCheck.Held held) {
        super(message);
        this.held = held;
    }

    /** The change an {@code ERROR} rule failed on; empty when the rules as a whole do not fit the table. */
    public Optional<ContractCheck.Held> held() {
        return Optional.ofNullable(held);
    }
}
