package io.sluice.admin.backfill;

import io.sluice.admin.api.ApiError;
import io.sluice.admin.api.ApiException;
import io.sluice.admin.auth.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The backfill endpoints, answered with 501 until the backfill module backs them: the paths and roles are final,
 * so that the CLI and the UI can be written against them.
 */
@Path("/api/v1/backfills")
@Tag(name = "backfills", description = "Online backfills (not yet available)")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
@RolesAllowed(Role.READ)
public class BackfillResource {

    @POST
    @RolesAllowed(Role.OPERATE)
    public void create() {
        throw notYet();
    }

    @GET
    public void list() {
        throw notYet();
    }

    @GET
    @Path("/{id}")
    public void show(@PathParam("id") String id) {
        throw notYet();
    }

    @POST
    @Path("/{id}/{action: pause|resume|cancel}")
    @RolesAllowed(Role.OPERATE)
    public void control(@PathParam("id") String id, @PathParam("action") String action) {
        throw notYet();
    }

    private static ApiException notYet() {
        return new ApiException(501, ApiError.of("not_implemented", "Backfills are not available in this version of Sluice yet;"
                + " to refill a target today, stop its source, clear the target and restart the source with snapshot.mode=initial"
                + " under a new name."));
    }
}
