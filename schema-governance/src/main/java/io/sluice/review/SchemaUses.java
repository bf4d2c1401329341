package io.sluice.review;

import java.util.List;

/**
 * Finds who uses the fields a schema change touches, beyond the registry's own rules: the server's views read their
 * tables' columns. {@link ReviewGate} holds a change that breaks a use for review, and names the users.
 *
 * <p>Implementations are thread-safe and read their users' current definitions at each call.
 */
@FunctionalInterface
public interface SchemaUses {
    /** Nobody outside the registry uses any field. */
    SchemaUses NONE = (subject, changes) -> List.of();

    /**
     * The uses of the fields a change of a subject touches.
     *
     * @param subject a table's subject, for example {@code shop.inventory.products-value}
     * @param changes the change's field-level differences from the subject's latest schema
     */
    List<SchemaUse> of(String subject, List<FieldChange> changes);
}
