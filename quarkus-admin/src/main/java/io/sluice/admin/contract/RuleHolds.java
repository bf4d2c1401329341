package io.sluice.admin.contract;

import io.sluice.admin.activity.ActivityLog;
import io.sluice.admin.error.NotFoundException;
import io.sluice.contract.ContractCheck;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The changes that {@code ERROR} rules hold, one per source (its capture stops at the first), and the ones a person
 * sent to the dead letters: on the next start the held change goes there, with its rule named, and capture goes on.
 * Kept in memory: after a server restart the change is held again and waits for a new decision.
 *
 * <p>Thread-safe.
 */
@ApplicationScoped
public class RuleHolds {

    @Inject
    ActivityLog activity;

    private final Map<String, ContractCheck.Held> held = new ConcurrentHashMap<>();
    private final Map<String, Set<ContractCheck.Held>> released = new ConcurrentHashMap<>();

    /** A source's capture stopped on this change. */
    public void holds(String source, ContractCheck.Held change) {
        held.put(source, change);
    }

    /** The change a source is held on, if any. */
    public Optional<ContractCheck.Held> of(String source) {
        return Optional.ofNullable(held.get(source));
    }

    /** Every source held now, with its change. */
    public Map<String, ContractCheck.Held> all() {
        return Map.copyOf(held);
    }

    /**
     * Sends the change a source is held on to the dead letters at its next start.
     *
     * @return the change released
     * @throws NotFoundException when no change holds the source
     */
    public ContractCheck.Held release(String source, String actor) {
        ContractCheck.Held change = held.remove(source);
        if (change == null) {
            throw new NotFoundException("No rule holds source '" + source + "'; GET /api/v1/rules/holds lists the sources held");
        }
        released.computeIfAbsent(source, s -> ConcurrentHashMap.newKeySet()).add(change);
        activity.record("source:" + source, actor, "rule hold released", "the change of " + change.table().database() + "."
                + change.table().table() + " with key " + change.key() + " at " + change.position() + " goes to the dead letters (rule "
                + change.rule() + ")");
        return change;
    }

    /** Whether a person sent this change of this source to the dead letters. */
    public boolean released(String source, ContractCheck.Held change) {
        Set<ContractCheck.Held> mine = released.get(source);
        return mine != null && mine.contains(change);
    }

    /** The source streams past its hold (or was deleted): nothing holds it any more. */
    public void clear(String source) {
        held.remove(source);
    }
}
