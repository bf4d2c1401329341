package io.sluice.event;

/** A binlog coordinate does not fit the bits of {@link EventVersion}; writing on would break version order. */
public final class VersionOverflowException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public VersionOverflowException(String message) {
        super(message);
    }
}
