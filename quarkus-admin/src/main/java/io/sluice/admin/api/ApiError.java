package io.sluice.admin.api;

import java.util.List;

/**
 * The one error shape of the admin API ({@code /api/v1}).
 *
 * @param code a stable, machine-readable code, for example {@code not_found} or {@code validation_failed}
 * @param message what went wrong and what to do, in words
 * @param details one entry per offending field, each naming the field and what is allowed; may be empty
 */
public record ApiError(String code, String message, List<Detail> details) {

    /**
     * @param field the request field (or path or query parameter)
     * @param message what is allowed there
     */
    public record Detail(String field, String message) {
    }

    public static ApiError of(String code, String message) {
        return new ApiError(code, message, List.of());
    }
}
