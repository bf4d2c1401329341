package io.sluice.admin.pipeline;

import io.quarkus.security.identity.SecurityIdentity;
import io.sluice.admin.activity.ActivityLog;
import io.sluice.admin.auth.Role;
import io.sluice.admin.error.ConflictException;
import io.sluice.admin.error.InvalidRequestException;
import io.sluice.admin.source.SourceControl;
import io.sluice.admin.source.SourceStatus;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.inject.Instance;
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
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Pipelines under {@code /api/v1/pipelines}: {@code {"name", "source", "tables": ["shop.*"], "sinks": [...]}}.
 * Creating, changing or deleting one restarts only the source it reads (if that source runs); a new pipeline of
 * a source that is not stopped starts it.
 */
@Path("/api/v1/pipelines")
@Tag(name = "pipelines", description = "Which tables of a source go to which sinks")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.READ)
public class PipelineResource {

    @Inject
    PipelineStore pipelines;

    @Inject
    SourceControl control;

    @Inject
    ActivityLog activity;

    @Inject
    SecurityIdentity identity;

    @Inject
    Instance<PipelineUsers> users;

    /** A pipeline and the status of its source. */
    public record PipelineView(String name, String source, List<String> tables, List<String> sinks, SourceStatus status) {
    }

    @POST
    @RolesAllowed(Role.ADMINISTER)
    public Response create(PipelineSpec spec) {
        PipelineSpec created = pipelines.create(require(spec));
        activity.record("pipeline:" + created.name(), actor(), "created", "source " + created.source() + " to " + created.sinks());
        apply(created.source());
        return Response.status(201).entity(view(created)).build();
    }

    @GET
    public List<PipelineView> list() {
        return pipelines.list().stream().map(this::view).toList();
    }

    @GET
    @Path("/{name}")
    public PipelineView show(@PathParam("name") String name) {
        return view(pipelines.get(name));
    }

    @PUT
    @Path("/{name}")
    @RolesAllowed(Role.ADMINISTER)
    public PipelineView update(@PathParam("name") String name, PipelineSpec spec) {
        PipelineSpec body = require(spec);
        if (body.name() != null && !name.equals(body.name())) {
            throw InvalidRequestException.of("name", "must equal the name in the path ('" + name + "'); a pipeline cannot be renamed");
        }
        PipelineSpec old = pipelines.get(name);
        PipelineSpec wanted = new PipelineSpec(name, body.source(), body.tables(), body.sinks());
        refuseIfUsed(name, wanted);
        PipelineSpec updated = pipelines.update(wanted);
        activity.record("pipeline:" + name, actor(), "updated", "source " + updated.source() + " to " + updated.sinks());
        Set<String> touched = new LinkedHashSet<>(List.of(old.source(), updated.source()));
        touched.forEach(this::apply);
        return view(updated);
    }

    @DELETE
    @Path("/{name}")
    @RolesAllowed(Role.ADMINISTER)
    public Response delete(@PathParam("name") String name) {
        pipelines.get(name);
        refuseIfUsed(name, null);
        PipelineSpec old = pipelines.delete(name);
        activity.record("pipeline:" + name, actor(), "deleted", null);
        apply(old.source());
        return Response.noContent().build();
    }

    /** Refuses a change or deletion that would break what uses the pipeline, naming each user and the fix. */
    private void refuseIfUsed(String name, PipelineSpec updated) {
        List<String> conflicts = new ArrayList<>();
        users.forEach(u -> conflicts.addAll(u.conflicts(name, updated)));
        if (!conflicts.isEmpty()) {
            throw new ConflictException("pipeline_in_use", "Pipeline '" + name + "' cannot be " + (updated == null ? "deleted" : "changed so")
                    + ": " + String.join("; ", conflicts) + ".");
        }
    }

    private void apply(String source) {
        control.pipelinesChanged(source, actor());
    }

    private static PipelineSpec require(PipelineSpec spec) {
        if (spec == null) {
            throw InvalidRequestException.of("body", "must be a JSON object {\"name\", \"source\", \"tables\", \"sinks\"}");
        }
        return spec;
    }

    private PipelineView view(PipelineSpec p) {
        // The live status, as the sources API gives it: the monitor's snapshot lags up to a second behind, and would show
        // the source of a pipeline just added as not started while it starts.
        return new PipelineView(p.name(), p.source(), p.tables(), p.sinks(), control.status(p.source()));
    }

    private String actor() {
        return identity.getPrincipal().getName();
    }
}
