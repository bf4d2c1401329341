package io.sluice.admin.backfill;

import java.util.Locale;

/** Where a backfill stands; the last three are final. */
public enum BackfillState {
    RUNNING, PAUSED, SUCCEEDED, FAILED, CANCELLED;

    /** The lower-case name the API and the database use. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isFinal() {
        return switch (this) {
            case RUNNING, PAUSED -> false;
            case SUCCEEDED, FAILED, CANCELLED -> true;
        };
    }

    /** @throws IllegalArgumentException for an unknown label */
    public static BackfillState of(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }
}
