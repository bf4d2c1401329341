package io.sluice.registry;

import java.util.Arrays;
import java.util.Locale;

/** Confluent's compatibility levels, with their meaning in terms of Avro reader/writer compatibility. */
public enum CompatibilityLevel {
    /** No check. */
    NONE(false, false, false),
    /** The new schema can read data written with the latest one. */
    BACKWARD(true, false, false),
    /** The new schema can read data written with every earlier one. */
    BACKWARD_TRANSITIVE(true, false, true),
    /** The latest schema can read data written with the new one. */
    FORWARD(false, true, false),
    /** Every earlier schema can read data written with the new one. */
    FORWARD_TRANSITIVE(false, true, true),
    /** Both BACKWARD and FORWARD against the latest schema. */
    FULL(true, true, false),
    /** Both BACKWARD and FORWARD against every earlier schema. */
    FULL_TRANSITIVE(true, true, true);

    /** The level of subjects without their own configuration, until the global configuration is changed. */
    public static final CompatibilityLevel DEFAULT = BACKWARD;

    private final boolean backward;
    private final boolean forward;
    private final boolean transitive;

    CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    public boolean backward() {
        return backward;
    }

    public boolean forward() {
        return forward;
    }

    /** True when the check runs against every earlier version, not only the latest. */
    public boolean transitive() {
        return transitive;
    }

    /**
     * Parses a level, ignoring case.
     *
     * @throws RegistryException with {@link RegistryError#INVALID_COMPATIBILITY_LEVEL} for anything else
     */
    public static CompatibilityLevel parse(String text) {
        if (text != null) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                // fall through
            }
        }
        throw new RegistryException(RegistryError.INVALID_COMPATIBILITY_LEVEL, "Invalid compatibility level '" + text
                + "'. Valid values are " + Arrays.toString(values()));
    }
}
