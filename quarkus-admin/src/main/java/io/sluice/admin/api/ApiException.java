package io.sluice.admin.api;

import java.util.List;

/** An admin API request that cannot be served, with the status and error body to answer with. */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient ApiError error;

    public ApiException(int status, ApiError error) {
        super(error.message());
        this.status = status;
        this.error = error;
    }

    public static ApiException invalid(String field, String message) {
        return new ApiException(422, new ApiError("validation_failed", "The request is invalid: " + field + " " + message + ".",
                List.of(new ApiError.Detail(field, message))));
    }

    public int status() {
        return status;
    }

    public ApiError error() {
        return error;
    }
}
