package io.sluice.admin.source;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a person last asked of a source; kept across restarts of the server. */
public enum DesiredState {
    RUNNING, PAUSED, STOPPED;

    /** The lower-case name the API and the database use. */
    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException for an unknown label */
    public static DesiredState of(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }
}
