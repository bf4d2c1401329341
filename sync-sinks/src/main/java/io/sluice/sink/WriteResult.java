package io.sluice.sink;

import io.sluice.event.ChangeEvent;
import java.util.List;

/**
 * What a write did.
 *
 * @param rejected the events the target refused for good, each with the target's reason
 */
public record WriteResult(List<Rejection> rejected) {
    public WriteResult {
        rejected = List.copyOf(rejected);
    }

    public static WriteResult allWritten() {
        return new WriteResult(List.of());
    }

    /**
     * An event a target refused for good.
     *
     * @param event the event
     * @param reason the target's words
     */
    public record Rejection(ChangeEvent event, String reason) {
    }
}
