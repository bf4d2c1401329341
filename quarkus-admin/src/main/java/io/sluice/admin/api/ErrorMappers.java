package io.sluice.admin.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.sluice.admin.error.RequestRefusedException;
import io.sluice.admin.registry.RegistryErrors;
import io.sluice.admin.ui.LoginResource;
import io.sluice.config.InvalidConfigException;
import io.sluice.metadata.MetadataException;
import io.sluice.registry.RegistryException;
import io.sluice.review.ReviewException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.List;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every exception into the error shape of the API it happened in: Confluent's for {@code /registry},
 * {@link ApiError} elsewhere. Unexpected exceptions are logged with their trace and answered with a 500 that
 * says nothing about the server's insides; bad input never reaches that path.
 */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @Context
    UriInfo uri;

    /** The one place where a service's refusal becomes an HTTP status. */
    @ServerExceptionMapper
    public Response refused(RequestRefusedException e) {
        int status = switch (e.kind()) {
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case INVALID -> 422;
            case UNAVAILABLE -> 503;
        };
        return apiResponse(status, new ApiError(e.code(), e.getMessage(), e.problems().stream()
                .map(p -> new ApiError.Detail(p.field(), p.message())).toList()));
    }

    /** A configuration with problems: 422 with one detail per problem, each naming the key and what is allowed. */
    @ServerExceptionMapper
    public Response config(InvalidConfigException e) {
        List<ApiError.Detail> details = e.problems().stream()
                .map(p -> new ApiError.Detail(p.key(), (p.value() == null ? "is missing" : "has value '" + p.value() + "'") + ": " + p.expected()))
                .toList();
        return apiResponse(422, new ApiError("validation_failed", "The configuration has " + details.size() + " problem"
                + (details.size() == 1 ? "" : "s") + "; each detail names the key and what is allowed.", details));
    }

    @ServerExceptionMapper
    public Response review(ReviewException e) {
        int status = switch (e.kind()) {
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case INVALID -> 422;
        };
        String code = switch (e.kind()) {
            case NOT_FOUND -> "not_found";
            case CONFLICT -> "conflict";
            case INVALID -> "validation_failed";
        };
        return apiResponse(status, ApiError.of(code, e.getMessage()));
    }

    @ServerExceptionMapper
    public Response registry(RegistryException e) {
        if (registryPath()) {
            return RegistryErrors.of(e);
        }
        return apiResponse(e.error().httpStatus(), ApiError.of("registry_" + e.error().name().toLowerCase(), e.getMessage()));
    }

    /** The metadata database failed: Confluent's store error on the registry, 503 elsewhere; details only in the log. */
    @ServerExceptionMapper
    public Response metadata(MetadataException e) {
        if (registryPath()) {
            return RegistryErrors.storeError(e);
        }
        LOG.error("metadata database failed", e);
        return apiResponse(503, ApiError.of("metadata_unavailable", "The metadata database did not complete the request; nothing was"
                + " changed by it. Try again; if it persists, check the database (the server's log has its reason)."));
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        String field = e instanceof JsonMappingException m && !m.getPath().isEmpty()
                ? m.getPath().stream().map(r -> r.getFieldName() == null ? "[" + r.getIndex() + "]" : r.getFieldName())
                        .reduce((a, b) -> a + "." + b).orElse("body")
                : "body";
        String message = "The request body is not valid JSON, or field '" + field + "' has the wrong type.";
        if (registryPath()) {
            return RegistryErrors.body(400, 400, message);
        }
        return apiResponse(400, new ApiError("bad_request", message, List.of(new ApiError.Detail(field,
                "see the OpenAPI document at /q/openapi for the expected type"))));
    }

    /** Declared for the exact type, so that it wins over the framework's own mapper for it. */
    @ServerExceptionMapper
    public Response mismatch(MismatchedInputException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String message = switch (status) {
            case 400 -> "The request body is not valid JSON, or a field has the wrong type; see the OpenAPI document at /q/openapi.";
            case 404 -> "No such resource: " + uri.getPath();
            case 405 -> "This resource does not allow that method.";
            case 406 -> "The server cannot answer in the requested content type.";
            case 415 -> "The request's content type is not supported; send JSON.";
            default -> "The request cannot be served (HTTP " + status + ").";
        };
        if (registryPath()) {
            return RegistryErrors.body(status, status, message);
        }
        String code = switch (status) {
            case 400 -> "bad_request";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 415 -> "unsupported_media_type";
            default -> "http_" + status;
        };
        return apiResponse(status, ApiError.of(code, message));
    }

    /** No or wrong credentials: 401 for the APIs, the login page for a browser. */
    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthorized(RuntimeException e) {
        String why = e instanceof AuthenticationFailedException && e.getMessage() != null ? e.getMessage()
                : "no credentials were sent";
        String message = "Authentication required: " + why + ". Send 'Authorization: Bearer <token>' (create a token under"
                + " /api/v1/me/tokens or in the UI) or Basic credentials of a user.";
        if (registryPath()) {
            return Response.fromResponse(RegistryErrors.body(401, 40101, message)).header("WWW-Authenticate", "Bearer realm=\"sluice\"").build();
        }
        if (!uri.getPath().startsWith("/api/")) {
            return Response.seeOther(URI.create("/login")).cookie(LoginResource.expiredCookie()).build();
        }
        return Response.fromResponse(apiResponse(401, ApiError.of("unauthorized", message))).header("WWW-Authenticate",
                "Bearer realm=\"sluice\"").build();
    }

    /** Signed in, but the role does not allow it. */
    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        String message = "Your role does not allow this" + (e.getMessage() == null || e.getMessage().isBlank() ? "" : " (" + e.getMessage() + ")")
                + "; ask an admin for a role that does (viewer reads, reviewer decides schemas, operator runs sources, backfills"
                + " and dead letters, admin manages everything).";
        if (registryPath()) {
            return RegistryErrors.body(403, 40301, message);
        }
        return apiResponse(403, ApiError.of("forbidden", message));
    }

    @ServerExceptionMapper(priority = 10_000)
    public Response unexpected(Throwable e) {
        LOG.error("unexpected error serving " + uri.getPath(), e);
        if (registryPath()) {
            return RegistryErrors.body(500, 50001, "Internal server error");
        }
        return apiResponse(500, ApiError.of("internal_error", "The server failed; the log has the details."));
    }

    private boolean registryPath() {
        String path = uri.getPath();
        return path.equals("/registry") || path.startsWith("/registry/");
    }

    private static Response apiResponse(int status, ApiError error) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(error).build();
    }

}
