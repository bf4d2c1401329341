package io.sluice.admin.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.admin.api.ApiException;
import io.sluice.preflight.Preflight;
import io.sluice.preflight.PreflightReport;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Sources under {@code /api/v1/sources}: register (validated as a whole, then checked by the preflight, whose
 * findings come back with the fix for each), list, show, delete, preflight again. Passwords are accepted and
 * never returned. Starting, stopping and the status of capture arrive with the pipelines.
 */
@Path("/api/v1/sources")
@Tag(name = "sources", description = "Source databases")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SourceResource {

    @Inject
    SourceStore sources;

    /** A source and, when the preflight ran, its findings. */
    public record SourceView(String name, Map<String, String> settings, PreflightReport preflight) {
    }

    @POST
    public Response create(JsonNode body) {
        Map<String, String> keys = keys(body);
        SourceStore.Stored stored = sources.create(keys);
        PreflightReport report = Preflight.run(sources.runtimeConfig(stored.name()));
        return Response.status(201).entity(new SourceView(stored.name(), stored.settings(), report)).build();
    }

    @GET
    public List<SourceView> list() {
        return sources.list().stream().map(s -> new SourceView(s.name(), s.settings(), null)).toList();
    }

    @GET
    @Path("/{name}")
    public SourceView show(@PathParam("name") String name) {
        SourceStore.Stored s = sources.get(name);
        return new SourceView(s.name(), s.settings(), null);
    }

    @POST
    @Path("/{name}/preflight")
    @Consumes(MediaType.WILDCARD)
    public PreflightReport preflight(@PathParam("name") String name) {
        return Preflight.run(sources.runtimeConfig(name));
    }

    @DELETE
    @Path("/{name}")
    public Response delete(@PathParam("name") String name) {
        sources.delete(name);
        return Response.noContent().build();
    }

    /** The request's keys as strings; nested values are refused, numbers and booleans are written as text. */
    private static Map<String, String> keys(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.invalid("body", "must be a JSON object of source keys (name, type, host, port, user, password, server.id, ...)");
        }
        Map<String, String> out = new LinkedHashMap<>();
        body.fields().forEachRemaining(e -> {
            if (e.getValue().isContainerNode()) {
                throw ApiException.invalid(e.getKey(), "must be a string, number or boolean");
            }
            if (!e.getValue().isNull()) {
                out.put(e.getKey(), e.getValue().asText());
            }
        });
        return out;
    }
}
