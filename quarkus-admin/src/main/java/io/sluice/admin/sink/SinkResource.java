package io.sluice.admin.sink;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.security.identity.SecurityIdentity;
import io.sluice.admin.activity.ActivityLog;
import io.sluice.admin.api.Keys;
import io.sluice.admin.auth.Role;
import io.sluice.admin.error.InvalidRequestException;
import io.sluice.admin.error.Problem;
import io.sluice.admin.error.UnavailableException;
import io.sluice.admin.pipeline.PipelineStore;
import io.sluice.admin.source.SourceControl;
import io.sluice.admin.source.SourceMonitor;
import io.sluice.admin.source.SourceStatus;
import io.sluice.event.TableId;
import io.sluice.sink.SearchPage;
import io.sluice.sink.SearchQuery;
import io.sluice.sink.Sink;
import io.sluice.sink.SinkException;
import io.sluice.sink.SinkRunner;
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
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Sinks under {@code /api/v1/sinks}. A request is {@code {"name": ..., "type": "redis|opensearch|lucene",
 * "config": {flat keys}}}; creating or updating tests the connection and returns the result. Secrets are
 * accepted and never returned.
 */
@Path("/api/v1/sinks")
@Tag(name = "sinks", description = "Targets: search indexes and caches")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.READ)
public class SinkResource {

    @Inject
    SinkStore sinks;

    @Inject
    PipelineStore pipelines;

    @Inject
    SourceControl control;

    @Inject
    SourceMonitor monitor;

    @Inject
    SharedSinks shared;

    @Inject
    ActivityLog activity;

    @Inject
    SecurityIdentity identity;

    @Inject
    Clock clock;

    /**
     * The result of opening a sink's target once.
     *
     * @param ok whether it opened
     * @param message what failed, in words, or "connected"
     */
    public record ConnectionTest(boolean ok, String message) {
    }

    /**
     * A sink as shown.
     *
     * @param pipelines the pipelines writing to it
     * @param status its runner's health per source writing to it
     * @param connection the connection test, on create and update only
     */
    public record SinkView(String name, String type, Map<String, String> config, List<String> pipelines, List<SinkRunner.Status> status,
            long deadLetters, ConnectionTest connection) {
    }

    @POST
    @RolesAllowed(Role.ADMINISTER)
    public Response create(JsonNode body) {
        Request r = request(body, null);
        SinkStore.Stored s = sinks.create(r.name, r.type, r.config);
        activity.record("sink:" + s.name(), actor(), "created", null);
        return Response.status(201).entity(view(s, test(s))).build();
    }

    @GET
    public List<SinkView> list() {
        return sinks.list().stream().map(s -> view(s, null)).toList();
    }

    @GET
    @Path("/{name}")
    public SinkView show(@PathParam("name") String name) {
        return view(sinks.get(name), null);
    }

    /** Replaces the keys (secrets left out keep their values) and restarts the sources writing to the sink. */
    @PUT
    @Path("/{name}")
    @RolesAllowed(Role.ADMINISTER)
    public SinkView update(@PathParam("name") String name, JsonNode body) {
        Request r = request(body, name);
        SinkStore.Stored s = sinks.update(name, r.type, r.config);
        activity.record("sink:" + name, actor(), "updated", null);
        control.reconfigure(Set.of(), Set.of(name), actor(), "sink '" + name + "' updated");
        return view(s, test(s));
    }

    @GET
    @Path("/{name}/status")
    public List<SinkRunner.Status> status(@PathParam("name") String name) {
        sinks.get(name);
        return statuses(name);
    }

    @POST
    @Path("/{name}/test")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed(Role.OPERATE)
    public ConnectionTest testConnection(@PathParam("name") String name) {
        return test(sinks.get(name));
    }

    /**
     * Searches an embedded Lucene sink: every document of a table, an exact field value, or words in a text field.
     *
     * @param table {@code source.database.table}
     */
    @GET
    @Path("/{name}/search")
    public SearchPage search(@PathParam("name") String name, @QueryParam("table") String table, @QueryParam("field") String field,
            @QueryParam("q") String q, @QueryParam("exact") @DefaultValue("false") boolean exact,
            @QueryParam("from") @DefaultValue("0") int from, @QueryParam("size") @DefaultValue("20") int size) {
        SinkStore.Stored s = sinks.get(name);
        if (s.type() != SinkType.LUCENE) {
            throw InvalidRequestException.of("name", "must name a lucene sink to search here; '" + name + "' is " + s.type().label()
                    + " (query its target directly)");
        }
        String[] parts = table == null ? new String[0] : table.split("\\.");
        if (parts.length != 3) {
            throw InvalidRequestException.of("table", "must be source.database.table, for example demo.shop.products");
        }
        if (size < 1 || size > 1000 || from < 0) {
            throw InvalidRequestException.of("size", "must be 1 to 1000, with from 0 or more");
        }
        SearchQuery query = q == null || q.isBlank() ? new SearchQuery.All()
                : field == null || field.isBlank() ? null
                : exact ? new SearchQuery.Term(field, q) : new SearchQuery.Match(field, q);
        if (query == null) {
            throw InvalidRequestException.of("field", "is needed with q: name the field to search");
        }
        Sink lucene = shared.sink(name);
        try {
            lucene.open();
            return lucene.searchable().orElseThrow().search(new TableId(parts[0], parts[1], parts[2]), query, from, size);
        } catch (SinkException | UncheckedIOException e) {
            // The index failed underneath (a full or failing disk); it reopens at its last commit on next use.
            throw new UnavailableException("sink_unavailable", "Sink '" + name + "' cannot search its index now: " + e.getMessage()
                    + "; try again, and look at the source's status if it persists.");
        }
    }

    @DELETE
    @Path("/{name}")
    @RolesAllowed(Role.ADMINISTER)
    public Response delete(@PathParam("name") String name) {
        sinks.delete(name, pipelines.usingSink(name));
        control.reconfigure(Set.of(), Set.of(name), actor(), "sink '" + name + "' deleted");
        activity.record("sink:" + name, actor(), "deleted", null);
        return Response.noContent().build();
    }

    private record Request(String name, SinkType type, Map<String, String> config) {
    }

    private static Request request(JsonNode body, String pathName) {
        if (body == null || !body.isObject()) {
            throw InvalidRequestException.of("body", "must be a JSON object {\"name\": ..., \"type\": \"redis|opensearch|lucene\", \"config\": {...}}");
        }
        List<Problem> problems = new ArrayList<>();
        body.fieldNames().forEachRemaining(f -> {
            if (!Set.of("name", "type", "config").contains(f)) {
                problems.add(new Problem(f, "is not a field of a sink; the fields are name, type and config"));
            }
        });
        if (!problems.isEmpty()) {
            throw new InvalidRequestException("The sink has unknown fields.", problems);
        }
        String name = body.path("name").isTextual() ? body.get("name").asText() : pathName;
        if (pathName != null && !pathName.equals(name)) {
            throw InvalidRequestException.of("name", "must equal the name in the path ('" + pathName + "'); a sink cannot be renamed");
        }
        SinkType type = SinkType.parse("type", body.path("type").isTextual() ? body.get("type").asText() : null);
        JsonNode config = body.get("config");
        if (config != null && !config.isObject()) {
            throw InvalidRequestException.of("config", "must be a JSON object of the sink's keys");
        }
        return new Request(name, type, config == null ? Map.of() : Keys.fromObject(config, "config."));
    }

    private ConnectionTest test(SinkStore.Stored s) {
        try (Sink probe = s.type().create(s.name(), sinks.runtimeKeys(s.name()), clock)) {
            probe.open();
            return new ConnectionTest(true, "connected");
        } catch (SinkException | IllegalStateException e) {
            return new ConnectionTest(false, e.getMessage());
        }
    }

    private List<SinkRunner.Status> statuses(String sink) {
        List<SinkRunner.Status> out = new ArrayList<>();
        for (SourceStatus st : monitor.snapshot().values()) {
            st.sinks().stream().filter(x -> x.sink().equals(sink)).forEach(out::add);
        }
        return out;
    }

    private SinkView view(SinkStore.Stored s, ConnectionTest test) {
        return new SinkView(s.name(), s.type().label(), new LinkedHashMap<>(s.settings()), pipelines.usingSink(s.name()), statuses(s.name()),
                shared.deadLetters().size(s.name()), test);
    }

    private String actor() {
        return identity.getPrincipal().getName();
    }
}
