package io.sluice.admin.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.security.identity.SecurityIdentity;
import io.sluice.admin.activity.ActivityLog;
import io.sluice.admin.api.Keys;
import io.sluice.admin.auth.Role;
import io.sluice.admin.error.NotFoundException;
import io.sluice.admin.pipeline.PipelineStore;
import io.sluice.admin.recovery.Recoveries;
import io.sluice.admin.recovery.Recovery;
import io.sluice.preflight.Preflight;
import io.sluice.preflight.PreflightReport;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Sources under {@code /api/v1/sources}: register (validated as a whole, then checked by the preflight, whose
 * findings come back with the fix for each), list, show, update, delete, preflight again; start, stop, pause,
 * resume; recover; status and timeline. Passwords are accepted and never returned.
 */
@Path("/api/v1/sources")
@Tag(name = "sources", description = "Source databases")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.READ)
public class SourceResource {
    private static final String KEYS_HINT = "source keys (name, type, host, port, user, password, server.id, ...)";

    @Inject
    SourceStore sources;

    @Inject
    PipelineStore pipelines;

    @Inject
    SourceControl control;

    @Inject
    ActivityLog activity;

    @Inject
    Recoveries recoveries;

    @Inject
    SecurityIdentity identity;

    /** A source, its status and, when the preflight ran, its findings. */
    public record SourceView(String name, Map<String, String> settings, SourceStatus status, PreflightReport preflight) {
    }

    @POST
    @RolesAllowed(Role.ADMINISTER)
    public Response create(JsonNode body) {
        SourceStore.Stored stored = sources.create(Keys.fromBody(body, KEYS_HINT));
        activity.record("source:" + stored.name(), actor(), "created", null);
        PreflightReport report = Preflight.run(sources.runtimeConfig(stored.name()));
        return Response.status(201).entity(new SourceView(stored.name(), stored.settings(), control.status(stored.name()), report)).build();
    }

    @GET
    public List<SourceView> list() {
        return sources.list().stream().map(s -> new SourceView(s.name(), s.settings(), control.status(s.name()), null)).toList();
    }

    @GET
    @Path("/{name}")
    public SourceView show(@PathParam("name") String name) {
        SourceStore.Stored s = sources.get(name);
        return new SourceView(s.name(), s.settings(), control.status(name), null);
    }

    /** Replaces the keys (a missing password keeps the stored one) and restarts capture if it ran. */
    @PUT
    @Path("/{name}")
    @RolesAllowed(Role.ADMINISTER)
    public SourceView update(@PathParam("name") String name, JsonNode body) {
        SourceStore.Stored s = sources.update(name, Keys.fromBody(body, KEYS_HINT));
        activity.record("source:" + name, actor(), "updated", null);
        control.reconfigure(Set.of(name), Set.of(), actor(), "source updated");
        return new SourceView(s.name(), s.settings(), control.status(name), null);
    }

    @POST
    @Path("/{name}/preflight")
    @Consumes(MediaType.WILDCARD)
    public PreflightReport preflight(@PathParam("name") String name) {
        return Preflight.run(sources.runtimeConfig(name));
    }

    @GET
    @Path("/{name}/status")
    public SourceStatus status(@PathParam("name") String name) {
        return control.status(name);
    }

    /** The source's timeline: state changes and who did what, newest first. */
    @GET
    @Path("/{name}/timeline")
    public List<ActivityLog.Entry> timeline(@PathParam("name") String name, @QueryParam("limit") @DefaultValue("100") int limit) {
        sources.get(name);
        return activity.timeline("source:" + name, Math.max(1, Math.min(limit, 1000)));
    }

    /** Starts capture; refused with the preflight's errors unless {@code force=true}. */
    @POST
    @Path("/{name}/start")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed(Role.OPERATE)
    public SourceStatus start(@PathParam("name") String name, @QueryParam("force") @DefaultValue("false") boolean force) {
        return control.start(name, actor(), force);
    }

    @POST
    @Path("/{name}/stop")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed(Role.OPERATE)
    public SourceStatus stop(@PathParam("name") String name) {
        return control.stop(name, actor());
    }

    @POST
    @Path("/{name}/pause")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed(Role.OPERATE)
    public SourceStatus pause(@PathParam("name") String name) {
        return control.pause(name, actor());
    }

    @POST
    @Path("/{name}/resume")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed(Role.OPERATE)
    public SourceStatus resume(@PathParam("name") String name) {
        return control.resume(name, actor());
    }

    /**
     * Recovers a source failed with {@code BINLOG_PURGED} or {@code SCHEMA_HISTORY_MISSING} in one call: sets its stored
     * offsets and schema history aside, snapshots it again (its settings stay as they are), waits until it streams,
     * then verifies every table of every pipeline of the source against each sink with repair. Answers 202 with the
     * recovery, which {@code Location} names for polling; 409 naming the state and the fix when there is nothing to
     * recover from, a recovery runs, or in the connect runtime.
     */
    @POST
    @Path("/{name}/recover")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed(Role.OPERATE)
    public Response recover(@PathParam("name") String name) {
        Recovery r = recoveries.start(name, actor());
        return Response.accepted(r).location(URI.create("/api/v1/sources/" + name + "/recoveries/" + r.id())).build();
    }

    /** The source's recoveries, newest first. */
    @GET
    @Path("/{name}/recoveries")
    public List<Recovery> listRecoveries(@PathParam("name") String name) {
        return recoveries.list(name);
    }

    /** One recovery of the source: its phase, its verifications with their counts, and the totals. */
    @GET
    @Path("/{name}/recoveries/{id}")
    public Recovery recovery(@PathParam("name") String name, @PathParam("id") String id) {
        return recoveries.get(name, recoveryId(name, id));
    }

    /**
     * Cancels a running recovery (one a person started, or one the server started by itself): the verification it
     * runs stops, what it repaired stays, and it ends {@code failed} with who cancelled it. 409 when it does not run.
     */
    @POST
    @Path("/{name}/recoveries/{id}/cancel")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed(Role.OPERATE)
    public Recovery cancelRecovery(@PathParam("name") String name, @PathParam("id") String id) {
        return recoveries.cancel(name, recoveryId(name, id), actor());
    }

    private static long recoveryId(String name, String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new NotFoundException("No recovery with id '" + id + "': ids are numbers; GET /api/v1/sources/"
                    + name + "/recoveries lists them.");
        }
    }

    /** Deletes a source no pipeline reads; its stored offsets stay on disk. */
    @DELETE
    @Path("/{name}")
    @RolesAllowed(Role.ADMINISTER)
    public Response delete(@PathParam("name") String name) {
        sources.get(name);
        if (pipelines.ofSource(name).isEmpty()) {
            control.forget(name);
        }
        sources.delete(name);
        activity.record("source:" + name, actor(), "deleted", null);
        return Response.noContent().build();
    }

    private String actor() {
        return identity.getPrincipal().getName();
    }
}
