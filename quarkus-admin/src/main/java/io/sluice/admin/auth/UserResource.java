package io.sluice.admin.auth;

import io.quarkus.security.identity.SecurityIdentity;
import io.sluice.admin.activity.ActivityLog;
import io.sluice.admin.error.InvalidRequestException;
import io.sluice.admin.error.NotFoundException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Users and API tokens. Admins manage users; everyone signed in sees themselves and manages their own tokens
 * under {@code /api/v1/me}. A token is shown once, when issued.
 */
@Path("/api/v1")
@Tag(name = "users", description = "Users, roles and API tokens")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.READ)
public class UserResource {

    @Inject
    Users users;

    @Inject
    ActivityLog activity;

    @Inject
    SecurityIdentity identity;

    public record NewUser(String name, String password, String role) {
    }

    public record RoleChange(String role) {
    }

    public record PasswordChange(String password) {
    }

    /** @param ttlDays days until it expires; absent for no expiry */
    public record NewToken(String label, Integer ttlDays) {
    }

    /** A freshly issued token: {@code token} is shown this once. */
    public record IssuedToken(String id, String label, String token) {
    }

    /** Who is signed in, with their role and the CSRF token the UI sends with its requests. */
    public record Me(String name, String role, String csrfToken) {
    }

    @GET
    @Path("/me")
    public Me me() {
        return new Me(actor(), identity.getAttribute("sluice.role"), identity.getAttribute(CredentialMechanism.CSRF_ATTRIBUTE));
    }

    @GET
    @Path("/me/tokens")
    public List<Users.Token> myTokens() {
        return users.tokens(actor());
    }

    @POST
    @Path("/me/tokens")
    public Response issue(NewToken request) {
        return Response.status(201).entity(issueFor(actor(), request)).build();
    }

    @DELETE
    @Path("/me/tokens/{id}")
    public Response revokeMine(@PathParam("id") String id) {
        Users.Token t = users.token(id);
        if (!t.user().equals(actor())) {
            throw new NotFoundException("No token of yours with id '" + id + "'.");
        }
        users.revokeToken(id);
        activity.record("user:" + actor(), actor(), "token-revoked", t.label());
        return Response.noContent().build();
    }

    @GET
    @Path("/users")
    @RolesAllowed(Role.ADMINISTER)
    public List<Users.User> list() {
        return users.list();
    }

    @POST
    @Path("/users")
    @RolesAllowed(Role.ADMINISTER)
    public Response create(NewUser request) {
        if (request == null) {
            throw InvalidRequestException.of("body", "must be a JSON object {\"name\", \"password\", \"role\"}");
        }
        Users.User u = users.create(request.name(), request.password(), Role.parse("role", request.role()));
        activity.record("user:" + u.name(), actor(), "created", "role " + u.role().label());
        return Response.status(201).entity(u).build();
    }

    @GET
    @Path("/users/{name}")
    @RolesAllowed(Role.ADMINISTER)
    public Users.User show(@PathParam("name") String name) {
        return users.get(name);
    }

    @PUT
    @Path("/users/{name}/role")
    @RolesAllowed(Role.ADMINISTER)
    public Users.User setRole(@PathParam("name") String name, RoleChange request) {
        Users.User u = users.setRole(name, Role.parse("role", request == null ? null : request.role()));
        activity.record("user:" + name, actor(), "role-changed", u.role().label());
        return u;
    }

    @PUT
    @Path("/users/{name}/password")
    @RolesAllowed(Role.ADMINISTER)
    public Response setPassword(@PathParam("name") String name, PasswordChange request) {
        users.setPassword(name, request == null ? null : request.password());
        activity.record("user:" + name, actor(), "password-changed", null);
        return Response.noContent().build();
    }

    @DELETE
    @Path("/users/{name}")
    @RolesAllowed(Role.ADMINISTER)
    public Response delete(@PathParam("name") String name) {
        users.delete(name);
        activity.record("user:" + name, actor(), "deleted", null);
        return Response.noContent().build();
    }

    @GET
    @Path("/users/{name}/tokens")
    @RolesAllowed(Role.ADMINISTER)
    public List<Users.Token> tokens(@PathParam("name") String name) {
        users.get(name);
        return users.tokens(name);
    }

    /** Issues a token for another user, for example a service account of Kafka Connect. */
    @POST
    @Path("/users/{name}/tokens")
    @RolesAllowed(Role.ADMINISTER)
    public Response issueForUser(@PathParam("name") String name, NewToken request) {
        return Response.status(201).entity(issueFor(name, request)).build();
    }

    @DELETE
    @Path("/tokens/{id}")
    @RolesAllowed(Role.ADMINISTER)
    public Response revoke(@PathParam("id") String id) {
        Users.Token t = users.token(id);
        users.revokeToken(id);
        activity.record("user:" + t.user(), actor(), "token-revoked", t.label());
        return Response.noContent().build();
    }

    private IssuedToken issueFor(String user, NewToken request) {
        if (request == null) {
            throw InvalidRequestException.of("body", "must be a JSON object {\"label\", \"ttlDays\"}");
        }
        if (request.ttlDays() != null && (request.ttlDays() < 1 || request.ttlDays() > 3650)) {
            throw InvalidRequestException.of("ttlDays", "must be 1 to 3650, or absent for a token that does not expire");
        }
        String token = users.issueToken(user, request.label(), request.ttlDays() == null ? null : Duration.ofDays(request.ttlDays()));
        String id = token.substring(4, token.indexOf('_', 4));
        activity.record("user:" + user, actor(), "token-issued", request.label());
        return new IssuedToken(id, request.label(), token);
    }

    private String actor() {
        return identity.getPrincipal().getName();
    }
}
