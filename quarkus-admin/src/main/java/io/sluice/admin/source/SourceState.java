package io.sluice.admin.source;

import com.fasterxml.jackson.annotation.JsonValue;
import io.sluice.capture.CaptureState;
import java.util.Locale;

/** What a source is doing, as the API, the UI, metrics and health show it. */
public enum SourceState {
    /** Capture is starting, or a runtime's tasks are not all running yet. */
    STARTING,
    /** Reading the tables' rows. */
    SNAPSHOTTING,
    /** Reading the binlog. */
    STREAMING,
    /** Held at an event, by a person or a schema waiting for review; nothing is lost. */
    PAUSED,
    /** A sink that fails holds the source; capture resumes by itself once it answers. */
    HELD,
    /** Stopped by an error that needs a person. */
    FAILED,
    /** Not capturing. */
    STOPPED,
    /** Running was asked, but no pipeline reads the source. */
    IDLE;

    /** The lower-case name the API uses. */
    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the source needs a person or a target: failed, or held by a sink. */
    public boolean inTrouble() {
        return switch (this) {
            case FAILED, HELD -> true;
            case STARTING, SNAPSHOTTING, STREAMING, PAUSED, STOPPED, IDLE -> false;
        };
    }

    /** Whether events flow: snapshotting or streaming. */
    public boolean flowing() {
        return switch (this) {
            case SNAPSHOTTING, STREAMING -> true;
            case STARTING, PAUSED, HELD, FAILED, STOPPED, IDLE -> false;
        };
    }

    /** The state of a source whose capture worker is in {@code state}. */
    public static SourceState of(CaptureState state) {
        if (state instanceof CaptureState.Starting) {
            return STARTING;
        } else if (state instanceof CaptureState.Snapshotting) {
            return SNAPSHOTTING;
        } else if (state instanceof CaptureState.Streaming) {
            return STREAMING;
        } else if (state instanceof CaptureState.Paused) {
            return PAUSED;
        } else if (state instanceof CaptureState.Failed) {
            return FAILED;
        } else if (state instanceof CaptureState.Stopped) {
            return STOPPED;
        }
        throw new IllegalArgumentException("unknown capture state " + state);
    }
}
