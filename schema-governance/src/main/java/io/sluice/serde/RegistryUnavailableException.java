package io.sluice.serde;

/** The registry could not be reached or failed on its side; the same call may succeed later. */
public final class RegistryUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
