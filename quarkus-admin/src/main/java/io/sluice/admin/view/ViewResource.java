package io.sluice.admin.view;

import io.quarkus.security.identity.SecurityIdentity;
import io.sluice.admin.auth.Role;
import io.sluice.admin.error.InvalidRequestException;
import io.sluice.admin.verification.VerificationStore;
import io.sluice.admin.verification.Verifications;
import io.sluice.view.Relation;
import io.sluice.view.ViewDefinition;
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
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Document views under {@code /api/v1/views}: one search document or cache value built from several tables. A view
 * is validated as a whole against its pipeline's source (every problem at once, each with its path in the
 * definition) before it is stored; a preview builds documents from the current rows without storing anything.
 */
@Path("/api/v1/views")
@Tag(name = "views", description = "Documents built from several tables, kept exact as any of them changes")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.READ)
public class ViewResource {

    @Inject
    Views views;

    @Inject
    ViewRebuildStore rebuilds;

    @Inject
    Verifications verifications;

    @Inject
    SecurityIdentity identity;

    /**
     * What a preview asks for.
     *
     * @param view the definition to try, stored or not
     * @param keys root keys to build, each its values in primary-key order; empty for the first rows of the root
     * @param limit how many documents at most, without keys
     */
    public record PreviewRequest(ViewDefinition view, List<List<Object>> keys, Integer limit) {
    }

    @GET
    public List<Views.View> list() {
        return views.list();
    }

    @POST
    @RolesAllowed(Role.ADMINISTER)
    public Response create(ViewDefinition view) {
        Views.View created = views.create(require(view), actor());
        return Response.created(URI.create("/api/v1/views/" + created.definition().name())).entity(created).build();
    }

    @GET
    @Path("/{name}")
    public Views.View show(@PathParam("name") String name) {
        return views.get(name);
    }

    /** Replaces a view's definition; its documents are rebuilt from the source. */
    @PUT
    @Path("/{name}")
    @RolesAllowed(Role.ADMINISTER)
    public Views.View update(@PathParam("name") String name, ViewDefinition view) {
        return views.update(name, require(view), actor());
    }

    /** Deletes a view; the documents it wrote stay in the sinks. */
    @DELETE
    @Path("/{name}")
    @RolesAllowed(Role.ADMINISTER)
    public Response delete(@PathParam("name") String name) {
        views.delete(name, actor());
        return Response.noContent().build();
    }

    /** Documents a definition builds from the current rows; nothing is stored. */
    @POST
    @Path("/preview")
    public List<Map<String, Object>> preview(PreviewRequest request) {
        if (request == null || request.view() == null) {
            throw InvalidRequestException.of("view", "is missing: send {\"view\": {...a view definition...}, \"keys\": [[1], [2]]}");
        }
        int limit = request.limit() == null ? Views.PREVIEW_MAX : request.limit();
        if (limit < 1 || limit > Views.PREVIEW_MAX) {
            throw InvalidRequestException.of("limit", "must be 1 to " + Views.PREVIEW_MAX);
        }
        List<List<Object>> keys = request.keys() == null ? List.of() : request.keys();
        if (keys.size() > Views.PREVIEW_MAX) {
            throw InvalidRequestException.of("keys", "names " + keys.size() + " documents; a preview shows " + Views.PREVIEW_MAX + " at most");
        }
        return views.preview(request.view(), keys, limit);
    }

    /** Documents a stored view builds from the current rows. */
    @GET
    @Path("/{name}/preview")
    public List<Map<String, Object>> previewStored(@PathParam("name") String name, @QueryParam("limit") @DefaultValue("5") int limit) {
        if (limit < 1 || limit > Views.PREVIEW_MAX) {
            throw InvalidRequestException.of("limit", "must be 1 to " + Views.PREVIEW_MAX);
        }
        return views.preview(views.get(name).definition(), List.of(), limit);
    }

    /** Rebuilds every document of a view from the source in the background: how a view's new or emptied target is filled. */
    @POST
    @Path("/{name}/rebuild")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed(Role.OPERATE)
    public Response rebuild(@PathParam("name") String name) {
        long id = views.rebuild(name, actor());
        return Response.accepted(Map.of("rebuild", id)).location(URI.create("/api/v1/views/" + name + "/rebuilds")).build();
    }

    /**
     * What a verification of a view asks for.
     *
     * @param sink the sink to compare with; may be left out when the pipeline has one
     * @param repair whether to rewrite the documents that differ
     */
    public record VerifyRequest(String sink, Boolean repair) {
    }

    /** Compares the documents the view builds from the source with a sink's, and optionally repairs them. */
    @POST
    @Path("/{name}/verify")
    @RolesAllowed(Role.OPERATE)
    public Response verify(@PathParam("name") String name, VerifyRequest request) {
        VerifyRequest r = request == null ? new VerifyRequest(null, false) : request;
        VerificationStore.Stored v = verifications.startView(name, r.sink(), Boolean.TRUE.equals(r.repair()), actor());
        return Response.created(URI.create("/api/v1/verifications/" + v.id())).entity(v).build();
    }

    /** The background rebuilds of a view (fan-outs, and every document), newest first. */
    @GET
    @Path("/{name}/rebuilds")
    public List<ViewRebuildStore.Summary> rebuilds(@PathParam("name") String name) {
        views.get(name);
        return rebuilds.ofView(name, 50);
    }

    /** Relations the source's foreign keys suggest for a table of a pipeline's source. */
    @GET
    @Path("/suggestions")
    public List<Relation> suggestions(@QueryParam("pipeline") String pipeline, @QueryParam("table") String table) {
        if (pipeline == null || pipeline.isBlank()) {
            throw InvalidRequestException.of("pipeline", "is missing: name the pipeline whose source has the table");
        }
        if (table == null || table.indexOf('.') <= 0) {
            throw InvalidRequestException.of("table", "must be database.table, for example shop.orders");
        }
        return views.suggestions(pipeline, table);
    }

    private static ViewDefinition require(ViewDefinition view) {
        if (view == null) {
            throw InvalidRequestException.of("body", "must be a JSON object {\"name\", \"pipeline\", \"root\", \"columns\", \"relations\"}");
        }
        return view;
    }

    private String actor() {
        return identity.getPrincipal().getName();
    }
}
