package io.sluice.admin.verification;

import io.quarkus.security.identity.SecurityIdentity;
import io.sluice.admin.auth.Role;
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
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Continuous audits under {@code /api/v1/audits}: per pipeline, a sampled verification every few minutes (see
 * {@link Audits}); set, show with the last run's results, run now, delete.
 */
@Path("/api/v1/audits")
@Tag(name = "audits", description = "Continuous audits: sampled verification of every table of a pipeline on a schedule")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.READ)
public class AuditResource {

    @Inject
    Audits audits;

    @Inject
    SecurityIdentity identity;

    /**
     * An audit's settings.
     *
     * @param intervalMinutes how often it runs
     * @param sampleRows rows of each table per run, a rolling range of the key space
     * @param repair whether drift found is repaired
     */
    public record AuditRequest(Integer intervalMinutes, Integer sampleRows, Boolean repair) {
    }

    @GET
    public List<Audit> list() {
        return audits.list();
    }

    @GET
    @Path("/{pipeline}")
    public Audit show(@PathParam("pipeline") String pipeline) {
        return audits.get(pipeline);
    }

    @RolesAllowed(Role.OPERATE)
    @PUT
    @Path("/{pipeline}")
    public Audit set(@PathParam("pipeline") String pipeline, AuditRequest request) {
        AuditRequest r = request == null ? new AuditRequest(null, null, null) : request;
        return audits.set(pipeline, r.intervalMinutes(), r.sampleRows(), r.repair(), identity.getPrincipal().getName());
    }

    @RolesAllowed(Role.OPERATE)
    @POST
    @Path("/{pipeline}/run")
    @Consumes(MediaType.WILDCARD)
    public Audit run(@PathParam("pipeline") String pipeline) {
        return audits.runNow(pipeline);
    }

    @RolesAllowed(Role.OPERATE)
    @DELETE
    @Path("/{pipeline}")
    public Response delete(@PathParam("pipeline") String pipeline) {
        audits.delete(pipeline, identity.getPrincipal().getName());
        return Response.noContent().build();
    }
}
