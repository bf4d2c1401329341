package io.sluice.sink;

/** How a sink applies a deleted row. */
public enum DeleteMode {
    /** Remove the document or key (a versioned tombstone keeps older events from bringing it back). */
    DELETE,
    /** Keep the last image, marked with {@code __deleted: true}. */
    MARK
}
