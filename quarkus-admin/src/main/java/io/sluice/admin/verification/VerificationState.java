package io.sluice.admin.verification;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where a verification stands; the last two are final. */
public enum VerificationState {
    /** Comparing (and repairing) now. */
    RUNNING,
    /** Compared to the end, whatever it found. */
    SUCCEEDED,
    /** Could not compare to the end; its reason says why. */
    FAILED;

    /** The lower-case name the API and the database use. */
    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException for an unknown label */
    public static VerificationState of(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }
}
