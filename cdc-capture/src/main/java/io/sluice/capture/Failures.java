package io.sluice.capture;

import io.sluice.event.VersionOverflowException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Turns exceptions from JDBC and Debezium into {@link CaptureFailure}s that a person can act on. */
final class Failures {
    private Failures() {
    }

    static CaptureFailure classify(SourceConfig config, Throwable error, String engineMessage) {
        List<String> messages = new ArrayList<>();
        if (engineMessage != null) {
            messages.add(engineMessage);
        }
        Throwable root = error;
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof VersionOverflowException) {
                return new CaptureFailure(CaptureFailure.Kind.VERSION_OVERFLOW, scrub(config, t.getMessage()),
                        "Raise version.epoch and start a new snapshot; see docs/versions.md.");
            }
            if (t.getMessage() != null) {
                messages.add(t.getMessage());
            }
            root = t;
        }
        String all = String.join(" | ", messages);
        String lower = all.toLowerCase(Locale.ROOT);
        String where = "source '" + config.name() + "' (" + config.user() + "@" + config.host() + ":" + config.port() + ")";
        if (lower.contains("public key retrieval is not allowed") || lower.contains("rsa public key is not available")) {
            return new CaptureFailure(CaptureFailure.Kind.AUTHENTICATION, "User '" + config.user() + "' of " + where + " authenticates with"
                    + " caching_sha2_password, which needs TLS or the server's public key to send the password.",
                    "Turn TLS on for the source, or set " + SourceConfig.ALLOW_PUBLIC_KEY_RETRIEVAL + "=true.");
        }
        if (lower.contains("access denied")) {
            return new CaptureFailure(CaptureFailure.Kind.AUTHENTICATION, "The server refused the user or password of " + where + ".",
                    "Check the user and password of the source; the user must be allowed to connect from Sluice's host.");
        }
        if (lower.contains("no longer available on the server") || lower.contains("could not find first log file")
                || lower.contains("could not find gtid state") || (lower.contains("binlog") && lower.contains("purged"))) {
            return binlogPurged(config, null);
        }
        if (lower.contains("history") && (lower.contains("missing") || lower.contains("not exist") || lower.contains("fully or partially"))) {
            return schemaHistoryMissing(config);
        }
        if (lower.contains("communications link failure") || lower.contains("connection refused")
                || lower.contains("socket was closed by server") || lower.contains("connection reset")
                || lower.contains("socket fail to connect") || lower.contains("unknownhost") || lower.contains("unknown host")
                || lower.contains("could not connect") || lower.contains("connect timed out") || lower.contains("no route to host")) {
            return new CaptureFailure(CaptureFailure.Kind.UNREACHABLE, "Sluice cannot reach " + where + ".",
                    "Check the host and port, that the server runs, and that no firewall blocks the port.");
        }
        String cause = root == null ? all : root.getClass().getSimpleName() + ": " + root.getMessage();
        return new CaptureFailure(CaptureFailure.Kind.OTHER, "Capture of " + where + " stopped: " + scrub(config, cause),
                "Read the message; after fixing the cause, start the source again (it resumes from the stored offset).");
    }

    static CaptureFailure fromConnect(SourceConfig config, SQLException e) {
        return classify(config, e, null);
    }

    static CaptureFailure binlogPurged(SourceConfig config, String file) {
        return new CaptureFailure(CaptureFailure.Kind.BINLOG_PURGED, "The binlog of source '" + config.name() + "' no longer holds"
                + " the stored position" + (file == null ? "" : " (file " + file + " was purged)")
                + ": changes made since then cannot be read from the binlog, and streaming on would skip them.",
                "Start a new snapshot: restart the source with snapshot.mode=when_needed (it snapshots again and then streams), "
                + "and keep binlogs longer (binlog_expire_logs_seconds) than the longest pause of capture.");
    }

    static CaptureFailure schemaHistoryMissing(SourceConfig config) {
        return new CaptureFailure(CaptureFailure.Kind.SCHEMA_HISTORY_MISSING, "Source '" + config.name()
                + "' has stored offsets but its schema history in " + config.sourceDir() + " is missing or empty; "
                + "without it, binlog events cannot be decoded safely.",
                "Restore schema-history.dat from a backup, or delete the source's offsets.dat and start again "
                + "(a new snapshot; targets stay correct because snapshot versions beat nothing newer).");
    }

    /** Never let a password reach a message, whatever a driver put into its exception. */
    static String scrub(SourceConfig config, String message) {
        if (message == null) {
            return "";
        }
        String pw = config.password();
        return pw == null || pw.isEmpty() ? message : message.replace(pw, "****");
    }
}
