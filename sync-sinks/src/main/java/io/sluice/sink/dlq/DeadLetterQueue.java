package io.sluice.sink.dlq;

import io.sluice.event.ChangeEvent;
import java.util.List;

/**
 * Where events a target refused for good wait for a person: listed with their reason, replayed after a fix,
 * or discarded. Implementations are thread-safe. The metadata database ({@link JdbcDeadLetterQueue}) serves the
 * embedded mode; in Kafka Connect, Connect's own errant-record reporter plays this role.
 */
public interface DeadLetterQueue {

    /** Queues an event; returns its id. */
    long add(String sink, ChangeEvent event, String reason);

    /** The oldest entries of a sink first. */
    List<DeadLetter> list(String sink, int limit);

    /** The entries with these ids (unknown ids are skipped). */
    List<DeadLetter> get(List<Long> ids);

    /** Removes entries (after a successful replay, or a decision to drop them). Returns how many were removed. */
    int remove(List<Long> ids);

    /** Records a failed replay: new reason, one more attempt. */
    void retried(long id, String reason);

    /** How many entries a sink has. */
    long size(String sink);
}
