package io.sluice.sink.connect;

import io.sluice.contract.ContractCheck;
import io.sluice.event.TableId;
import io.sluice.serde.HttpRegistryClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The data contracts of a sink task's tables, read from the registry the value converter writes to: a table's rules
 * are those of its topic's value subject ({@code <topic>-value}), latest version, asked again once they are older than
 * the refresh interval (zero: at every batch). Called by the task's thread only.
 */
final class RegistryContracts implements ContractCheck.Rules {
    private record Fetched(Instant at, Optional<ContractCheck.Declared> declared) {
    }

    private final HttpRegistryClient registry;
    private final Clock clock;
    private final Duration refresh;
    private final Map<TableId, String> subjects = new HashMap<>();
    private final Map<String, Fetched> fetched = new HashMap<>();

    RegistryContracts(HttpRegistryClient registry, Clock clock, Duration refresh) {
        this.registry = registry;
        this.clock = clock;
        this.refresh = refresh;
    }

    /** Notes the topic a table's changes come from; its value subject holds the table's rules. */
    void topic(TableId table, String topic) {
        subjects.putIfAbsent(table, topic + "-value");
    }

    /**
     * @throws io.sluice.serde.RegistryUnavailableException when the registry cannot be reached (retriable)
     * @throws io.sluice.registry.RegistryException when the registry refuses the request
     */
    @Override
    public Optional<ContractCheck.Declared> of(TableId table) {
        String subject = subjects.get(table);
        if (subject == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Fetched f = fetched.get(subject);
        if (f == null || !now.isBefore(f.at().plus(refresh))) {
            f = new Fetched(now, registry.latestContract(subject));
            fetched.put(subject, f);
        }
        return f.declared();
    }
}
