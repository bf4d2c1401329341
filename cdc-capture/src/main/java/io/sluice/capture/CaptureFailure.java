package io.sluice.capture;

import java.util.Objects;

/**
 * Why a source failed, in words, with the way out.
 *
 * @param kind the class of failure, for scripts and alerts
 * @param message what happened, naming the source; never contains a password
 * @param fix what a person should do
 */
public record CaptureFailure(Kind kind, String message, String fix) {
    public CaptureFailure {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(fix, "fix");
    }

    /** Classes of failure. */
    public enum Kind {
        /** The server refused the user or password. */
        AUTHENTICATION,
        /** The server could not be reached. */
        UNREACHABLE,
        /** The binlog no longer holds the stored position: events were lost to capture. */
        BINLOG_PURGED,
        /** Offsets exist but the schema history is gone or damaged. */
        SCHEMA_HISTORY_MISSING,
        /** The binlog went backwards (RESET MASTER, failover): versions would go backwards too. */
        POSITION_REGRESSED,
        /** A binlog coordinate does not fit the event version's bits. */
        VERSION_OVERFLOW,
        /** The consumer of the events failed. */
        CONSUMER,
        /** The schema gate failed. */
        SCHEMA_GATE,
        /** A configuration the server or Debezium refused. */
        CONFIGURATION,
        /** Anything else; the message has the details. */
        OTHER
    }

    @Override
    public String toString() {
        return kind + ": " + message + " Fix: " + fix;
    }
}
