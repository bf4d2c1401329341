package io.sluice.registry;

import java.util.Objects;

/** A registry request that cannot be served; {@link #error()} says which Confluent error it is. */
public class RegistryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final RegistryError error;

    public RegistryException(RegistryError error, String message) {
        super(message);
        this.error = Objects.requireNonNull(error, "error");
    }

    public RegistryException(RegistryError error, String message, Throwable cause) {
        super(message, cause);
        this.error = Objects.requireNonNull(error, "error");
    }

    public RegistryError error() {
        return error;
    }
}
