package io.sluice.admin.verification;

import io.quarkus.security.identity.SecurityIdentity;
import io.sluice.admin.auth.Role;
import io.sluice.admin.error.InvalidRequestException;
import io.sluice.admin.error.NotFoundException;
import io.sluice.admin.verification.VerificationStore.Stored;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Verify (and repair) a target against its source table: start one (operators), read its result; past ones stay
 * listed.
 */
@Path("/api/v1/verifications")
@Tag(name = "verifications", description = "Compare a table with a sink: missing, stale and extra keys; repair them")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
@RolesAllowed(Role.READ)
public class VerificationResource {

    @Inject
    Verifications verifications;

    @Inject
    VerificationStore store;

    @Inject
    SecurityIdentity identity;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Role.OPERATE)
    public Response create(VerificationRequest request) {
        if (request == null) {
            throw InvalidRequestException.of("body", "is missing: send {\"pipeline\": \"...\", \"table\": \"db.table\"} and optionally sink, where,"
                    + " repair");
        }
        return Response.status(201).entity(verifications.start(request, identity.getPrincipal().getName())).build();
    }

    @GET
    public List<Stored> list() {
        return store.list();
    }

    @GET
    @Path("/{id}")
    public Stored show(@PathParam("id") String id) {
        try {
            return store.get(Long.parseLong(id));
        } catch (NumberFormatException e) {
            throw new NotFoundException("No verification with id '" + id + "': ids are numbers; GET"
                    + " /api/v1/verifications lists them.");
        }
    }
}
