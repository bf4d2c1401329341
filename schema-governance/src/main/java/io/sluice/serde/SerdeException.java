package io.sluice.serde;

/** Bytes that cannot be decoded, or a value that cannot be encoded under its schema. Not retriable. */
public final class SerdeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SerdeException(String message) {
        super(message);
    }

    public SerdeException(String message, Throwable cause) {
        super(message, cause);
    }
}
