package io.sluice.admin.auth;

import io.quarkus.security.identity.SecurityIdentity;
import io.sluice.admin.api.ApiError;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Cross-site request forgery protection for the UI: a request authenticated by the session cookie that changes
 * something must carry the session's token in {@value #HEADER} (the UI's script sends it; forms carry it in a
 * field that the login and logout resources check themselves). Requests with a bearer token or Basic credentials
 * cannot be forged by another site and need none. The cookie is also SameSite=Strict.
 */
public class CsrfFilter {
    public static final String HEADER = "X-CSRF-Token";
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    @Inject
    SecurityIdentity identity;

    @ServerRequestFilter
    public Response check(ContainerRequestContext request) {
        if (SAFE.contains(request.getMethod()) || request.getUriInfo().getPath().equals("/login")
                || request.getUriInfo().getPath().equals("/logout")) {
            return null;
        }
        String expected;
        try {
            expected = identity.getAttribute(CredentialMechanism.CSRF_ATTRIBUTE);
        } catch (RuntimeException e) {
            return null; // authentication failed: the security layer answers
        }
        if (expected == null) {
            return null;
        }
        String given = request.getHeaderString(HEADER);
        if (given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
            return null;
        }
        return Response.status(403).type(MediaType.APPLICATION_JSON).entity(ApiError.of("csrf", "This request came with the session"
                + " cookie but without the session's " + HEADER + " header; reload the page and try again.")).build();
    }
}
