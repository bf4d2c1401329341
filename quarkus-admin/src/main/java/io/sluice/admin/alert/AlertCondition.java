package io.sluice.admin.alert;

import java.util.Objects;

/**
 * Something wrong right now that an alert stands for; the alert lasts as long as the condition holds.
 *
 * @param subject what it is about, named as {@link AlertKind#subject()} says
 * @param summary one or two sentences for a person: what is wrong and, when known, what to do
 */
public record AlertCondition(AlertKind kind, String subject, String summary) {
    public AlertCondition {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(summary, "summary");
    }

    /** What identifies the condition across checks: its kind and subject (the summary may change). */
    String key() {
        return kind.label() + " " + subject;
    }
}
