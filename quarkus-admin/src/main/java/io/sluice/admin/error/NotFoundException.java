package io.sluice.admin.error;

import java.util.List;

/** What the request names does not exist; the message says where the existing ones are listed. */
public final class NotFoundException extends RequestRefusedException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(Kind.NOT_FOUND, "not_found", message, List.of());
    }
}
