package io.sluice.admin.error;

/**
 * One thing wrong with a request: the field (or key, path or query parameter) and what is allowed there.
 *
 * @param field the offending field, for example {@code tables} or {@code config.redis.uri}
 * @param message what is wrong with it and what is allowed, in words
 */
public record Problem(String field, String message) {
}
