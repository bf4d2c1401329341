package io.sluice.sink;

/** A sink call failed; the subclass says whether trying again can help. */
public abstract sealed class SinkException extends RuntimeException permits RetriableSinkException, FatalSinkException {
    private static final long serialVersionUID = 1L;

    protected SinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
