package io.sluice.review;

import java.time.Instant;

/**
 * One line of the audit log.
 *
 * @param id its id, increasing
 * @param at when
 * @param actor who (a user, or {@code capture:<source>})
 * @param action what, for example {@code proposal.approve}
 * @param target on what, for example {@code proposal/12}
 * @param detail why and with which parameters
 */
public record AuditEntry(long id, Instant at, String actor, String action, String target, String detail) {
}
