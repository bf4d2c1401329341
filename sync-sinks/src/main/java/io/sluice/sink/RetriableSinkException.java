package io.sluice.sink;

/** The target is unreachable or overloaded; the same call may succeed later. */
public final class RetriableSinkException extends SinkException {
    private static final long serialVersionUID = 1L;

    public RetriableSinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
