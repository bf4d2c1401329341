package io.sluice.capture;

import io.sluice.event.SourcePosition;
import java.time.Instant;

/**
 * A snapshot of a capture worker's status.
 *
 * @param source the source's name
 * @param state the worker's state
 * @param lastPosition the position of the last event handed to the consumer, or null before the first one
 * @param lagMillis how far behind the source's commit time the last emitted event was when emitted (0 once a
 *     heartbeat showed nothing newer is waiting), or null before the first event or heartbeat
 * @param lastActivity when the worker last heard from the source (event or heartbeat), or null; freshness is
 *     now minus this
 * @param eventsPerSecond events handed to the consumer per second over the last ten seconds
 * @param eventsTotal events handed to the consumer since the worker started
 * @param engineRestarts how often the worker restarted a stalled engine since it started
 */
public record CaptureStatus(String source, CaptureState state, SourcePosition lastPosition, Long lagMillis,
        Instant lastActivity, double eventsPerSecond, long eventsTotal, int engineRestarts) {
}
