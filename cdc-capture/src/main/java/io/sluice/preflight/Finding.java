package io.sluice.preflight;

import java.util.Objects;

/**
 * The result of one preflight check.
 *
 * @param check a stable identifier of the check, for example {@code binlog_format} or {@code grant.REPLICATION SLAVE}
 * @param severity ok, warning or error
 * @param message what was found, in words
 * @param fix the exact SQL or setting that fixes it; empty when nothing needs fixing
 */
public record Finding(String check, Severity severity, String message, String fix) {
    public Finding {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(fix, "fix");
    }

    static Finding ok(String check, String message) {
        return new Finding(check, Severity.OK, message, "");
    }

    static Finding warning(String check, String message, String fix) {
        return new Finding(check, Severity.WARNING, message, fix);
    }

    static Finding error(String check, String message, String fix) {
        return new Finding(check, Severity.ERROR, message, fix);
    }

    @Override
    public String toString() {
        return severity + " " + check + ": " + message + (fix.isEmpty() ? "" : " Fix: " + fix);
    }
}
