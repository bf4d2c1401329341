package io.sluice.review;

/** A review request that cannot be served. {@link #kind()} tells the API which status to answer with. */
public final class ReviewException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Classes of refusal. */
    public enum Kind { NOT_FOUND, CONFLICT, INVALID }

    private final Kind kind;

    public ReviewException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
