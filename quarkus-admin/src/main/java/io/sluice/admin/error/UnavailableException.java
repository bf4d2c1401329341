package io.sluice.admin.error;

import java.util.List;

/**
 * Something the request needs does not answer now (a target, Kafka Connect, the metadata database); nothing was
 * changed, and the same request may succeed later.
 */
public final class UnavailableException extends RequestRefusedException {
    private static final long serialVersionUID = 1L;

    /** @param code a stable code, for example {@code connect_unavailable} */
    public UnavailableException(String code, String message) {
        super(Kind.UNAVAILABLE, code, message, List.of());
    }
}
