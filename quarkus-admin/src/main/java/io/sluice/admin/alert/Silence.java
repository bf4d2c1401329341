package io.sluice.admin.alert;

import java.time.Instant;
import java.util.Arrays;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Holds back the sending of the alerts it matches until {@code endsAt}; they are still raised and shown.
 *
 * @param kind the kind it matches, or null for every kind
 * @param subject the subject it matches, exactly or with {@code *} for any characters; null for every subject
 * @param comment why, in the words of whoever set it; may be null
 */
public record Silence(long id, AlertKind kind, String subject, Instant endsAt, String comment, String createdBy, Instant createdAt) {

    /** Whether it holds back {@code alert} at {@code now}. */
    public boolean matches(AlertKind alertKind, String alertSubject, Instant now) {
        return now.isBefore(endsAt) && (kind == null || kind == alertKind) && (subject == null || glob(subject).matcher(alertSubject).matches());
    }

    /** Whether it still holds back anything at {@code now}. */
    public boolean active(Instant now) {
        return now.isBefore(endsAt);
    }

    private static Pattern glob(String pattern) {
        return Pattern.compile(Arrays.stream(pattern.split("\\*", -1)).map(Pattern::quote).collect(Collectors.joining(".*")),
                Pattern.CASE_INSENSITIVE);
    }
}
