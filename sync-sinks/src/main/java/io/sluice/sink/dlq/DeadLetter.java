package io.sluice.sink.dlq;

import io.sluice.event.ChangeEvent;
import java.time.Instant;

/**
 * An event a sink's target refused for good.
 *
 * @param id its id in the queue
 * @param sink the sink's name
 * @param event the event
 * @param reason the target's words
 * @param createdAt when it was queued
 * @param attempts how often it was tried (1 + replays)
 */
public record DeadLetter(long id, String sink, ChangeEvent event, String reason, Instant createdAt, int attempts) {
}
