package io.sluice.admin.alert;

import java.time.Instant;

/**
 * An alert the server raised: open from {@code startedAt} while its condition holds, resolved after.
 *
 * @param summary what was wrong, in words, as the condition last said it
 * @param resolvedAt when its condition stopped holding; null while it is open
 * @param firingSent whether the receivers got it as firing (false while silenced, or before its first delivery)
 * @param resolvedSent whether the receivers got it as resolved (only sent when firing was)
 * @param deliveryError why the last delivery to a receiver failed, or null
 * @param silencedBy the silence holding it back now, or null
 */
public record Alert(long id, AlertKind kind, String subject, String summary, Instant startedAt, Instant resolvedAt, boolean firingSent,
        boolean resolvedSent, String deliveryError, Long silencedBy) {

    /** Whether its condition still holds. */
    public boolean open() {
        return resolvedAt == null;
    }

    Alert silenced(Long silence) {
        return new Alert(id, kind, subject, summary, startedAt, resolvedAt, firingSent, resolvedSent, deliveryError, silence);
    }
}
