package io.sluice.admin.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.BaseAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

/**
 * Authenticates every request by one of: {@code Authorization: Bearer <api token>} (CLI, scripts, Kafka Connect
 * converters), {@code Authorization: Basic} with a user's name and password (Confluent clients'
 * {@code basic.auth.user.info}), or the UI's session cookie. No credentials means anonymous, which only health,
 * the login page and static assets accept; wrong credentials are refused, never treated as anonymous.
 */
@ApplicationScoped
public class CredentialMechanism implements HttpAuthenticationMechanism {
    /** The browser session cookie. */
    public static final String SESSION_COOKIE = "sluice_session";
    /** The identity attribute holding the session's CSRF token (absent for tokens and Basic). */
    public static final String CSRF_ATTRIBUTE = "sluice.csrf";

    /** The credentials of one request, checked by {@link Provider} off the event loop. */
    static final class Credentials extends BaseAuthenticationRequest {
        final String kind;
        final String value;
        final String secret;

        Credentials(String kind, String value, String secret) {
            this.kind = kind;
            this.value = value;
            this.secret = secret;
        }
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        String header = context.request().getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return identities.authenticate(new Credentials("token", header.substring(7).trim(), null));
        }
        if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Uni.createFrom().failure(new AuthenticationFailedException("the Basic credentials are not Base64 of user:password"));
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                return Uni.createFrom().failure(new AuthenticationFailedException("the Basic credentials are not user:password"));
            }
            return identities.authenticate(new Credentials("basic", decoded.substring(0, colon), decoded.substring(colon + 1)));
        }
        if (header != null) {
            return Uni.createFrom().failure(new AuthenticationFailedException("the Authorization header must be 'Bearer <token>' or Basic"));
        }
        Cookie cookie = context.request().getCookie(SESSION_COOKIE);
        if (cookie != null && !cookie.getValue().isEmpty()) {
            return identities.authenticate(new Credentials("session", cookie.getValue(), null));
        }
        return Uni.createFrom().optional(Optional.empty());
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        String path = context.normalizedPath();
        boolean browserPage = !path.startsWith("/api/") && !path.startsWith("/registry") && !path.startsWith("/q/");
        if (browserPage) {
            return Uni.createFrom().item(new ChallengeData(302, "Location", "/login"));
        }
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer realm=\"sluice\""));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(Credentials.class);
    }

    /** Checks credentials against the metadata database, on a worker thread. */
    @ApplicationScoped
    public static class Provider implements IdentityProvider<Credentials> {
        @Inject
        Users users;

        @Override
        public Class<Credentials> getRequestType() {
            return Credentials.class;
        }

        @Override
        public Uni<SecurityIdentity> authenticate(Credentials request, AuthenticationRequestContext context) {
            return context.runBlocking(() -> {
                Optional<Users.Principal> principal = switch (request.kind) {
                    case "token" -> users.byToken(request.value);
                    case "basic" -> users.authenticate(request.value, request.secret).map(u -> new Users.Principal(u.name(), u.role(), null));
                    default -> users.bySession(request.value);
                };
                if (principal.isEmpty()) {
                    throw new AuthenticationFailedException(switch (request.kind) {
                        case "token" -> "the API token is unknown, revoked or expired";
                        case "basic" -> "the user name or password is wrong";
                        default -> "the session has ended; sign in again";
                    });
                }
                Users.Principal p = principal.get();
                QuarkusSecurityIdentity.Builder b = QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(p.user()))
                        .addRoles(p.role().rights()).addAttribute("sluice.role", p.role().label());
                if (p.csrfToken() != null) {
                    b.addAttribute(CSRF_ATTRIBUTE, p.csrfToken());
                }
                return b.build();
            });
        }
    }
}
