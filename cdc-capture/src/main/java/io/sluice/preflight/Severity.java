package io.sluice.preflight;

/** How much a preflight finding matters. */
public enum Severity {
    /** The check passed. */
    OK,
    /** Capture works, but something will hurt later (short binlog retention, no GTIDs). */
    WARNING,
    /** Capture cannot work until this is fixed. */
    ERROR
}
