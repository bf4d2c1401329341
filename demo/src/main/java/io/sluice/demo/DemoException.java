package io.sluice.demo;

/** A problem the demo explains to the person running it: the message says what failed and, where known, what to do. */
public final class DemoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DemoException(String message) {
        super(message);
    }

    public DemoException(String message, Throwable cause) {
        super(message, cause);
    }
}
