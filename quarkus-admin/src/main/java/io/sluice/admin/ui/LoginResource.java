package io.sluice.admin.ui;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.sluice.admin.SluiceConfig;
import io.sluice.admin.activity.ActivityLog;
import io.sluice.admin.auth.CredentialMechanism;
import io.sluice.admin.auth.Users;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Signing in and out of the UI: a session cookie (HttpOnly, SameSite=Strict) holding a random id. */
@Path("/")
@PermitAll
public class LoginResource {

    @Inject
    Template login;

    @Inject
    Users users;

    @Inject
    ActivityLog activity;

    @Inject
    SluiceConfig config;

    @Inject
    SecurityIdentity identity;

    @GET
    @Path("login")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance page(@QueryParam("failed") boolean failed) {
        return login.data("failed", failed);
    }

    @POST
    @Path("login")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response signIn(@FormParam("username") String username, @FormParam("password") String password) {
        Optional<Users.User> user = users.authenticate(username, password);
        if (user.isEmpty()) {
            activity.record("user:" + (username == null ? "" : username.replaceAll("[^a-z0-9._-]", "?")), ActivityLog.SYSTEM,
                    "sign-in-refused", null);
            return Response.seeOther(URI.create("/login?failed=true")).build();
        }
        String session = users.openSession(user.get().name());
        activity.record("user:" + user.get().name(), user.get().name(), "signed-in", null);
        return Response.seeOther(URI.create("/")).cookie(cookie(session, -1)).build();
    }

    /** Ends the session; the form carries the session's CSRF token, which must match. */
    @POST
    @Path("logout")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response signOut(@CookieParam(CredentialMechanism.SESSION_COOKIE) String session, @FormParam("csrf") String csrf) {
        String expected = identity.isAnonymous() ? null : identity.getAttribute(CredentialMechanism.CSRF_ATTRIBUTE);
        if (session != null && expected != null && csrf != null
                && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), csrf.getBytes(StandardCharsets.UTF_8))) {
            users.closeSession(session);
            activity.record("user:" + identity.getPrincipal().getName(), identity.getPrincipal().getName(), "signed-out", null);
        }
        return Response.seeOther(URI.create("/login")).cookie(expiredCookie()).build();
    }

    private NewCookie cookie(String value, int maxAge) {
        return new NewCookie.Builder(CredentialMechanism.SESSION_COOKIE).value(value).path("/").httpOnly(true)
                .secure(config.secureCookies()).sameSite(NewCookie.SameSite.STRICT).maxAge(maxAge).build();
    }

    /** A cookie that makes the browser drop the session cookie. */
    public static NewCookie expiredCookie() {
        return new NewCookie.Builder(CredentialMechanism.SESSION_COOKIE).value("").path("/").httpOnly(true)
                .sameSite(NewCookie.SameSite.STRICT).maxAge(0).build();
    }
}
