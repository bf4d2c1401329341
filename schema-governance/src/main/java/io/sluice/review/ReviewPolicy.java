package io.sluice.review;

import java.util.Locale;

/** How a subject's new schemas coming from capture are let through. */
public enum ReviewPolicy {
    /** Register whatever is compatible under the subject's level; everything else becomes a proposal. */
    AUTO,
    /** Every new schema becomes a proposal that a reviewer decides. */
    REVIEW_ALL,
    /** No new schema is accepted; proposals are recorded but cannot be approved until the policy changes. */
    LOCKED;

    /** The policy of subjects without their own, until the global one is changed. */
    public static final ReviewPolicy DEFAULT = AUTO;

    /** The wire name: {@code auto}, {@code review-all}, {@code locked}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Parses a wire name or enum name, ignoring case.
     *
     * @throws IllegalArgumentException naming the allowed values
     */
    public static ReviewPolicy parse(String text) {
        if (text != null) {
            String t = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (ReviewPolicy p : values()) {
                if (p.name().equals(t)) {
                    return p;
                }
            }
        }
        throw new IllegalArgumentException("Invalid review policy '" + text + "': expected auto, review-all or locked");
    }
}
