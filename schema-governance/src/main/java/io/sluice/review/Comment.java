package io.sluice.review;

import java.time.Instant;

/** A comment on a proposal. */
public record Comment(long id, long proposalId, String author, String body, Instant createdAt) {
}
