package io.sluice.sink;

/** The sink cannot go on as configured; a person must act. */
public final class FatalSinkException extends SinkException {
    private static final long serialVersionUID = 1L;

    public FatalSinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
