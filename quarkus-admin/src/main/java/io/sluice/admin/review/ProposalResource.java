package io.sluice.admin.review;

import io.quarkus.security.identity.SecurityIdentity;
import io.sluice.admin.auth.Role;
import io.sluice.admin.error.InvalidRequestException;
import io.sluice.admin.pipeline.PipelineSpec;
import io.sluice.admin.pipeline.PipelineStore;
import io.sluice.admin.sink.SinkStore;
import io.sluice.admin.view.ViewSchemaUses;
import io.sluice.admin.view.ViewStore;
import io.sluice.event.TableId;
import io.sluice.registry.CompatibilityLevel;
import io.sluice.registry.RegistryException;
import io.sluice.review.AuditEntry;
import io.sluice.review.Comment;
import io.sluice.review.FieldChange;
import io.sluice.review.Proposal;
import io.sluice.review.ReviewPolicy;
import io.sluice.review.SchemaReviews;
import io.sluice.review.SchemaUse;
import io.sluice.view.ViewDefinition;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Schema review under {@code /api/v1/schemas}: proposals with their diffs and verdicts, decisions, comments,
 * review policies and the audit log.
 *
 * <p>Everyone signed in reads; reviewers file and decide proposals; admins set policies. Every decision is
 * recorded under the signed-in user's name.
 */
@Path("/api/v1/schemas")
@Tag(name = "schemas", description = "Schema review")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.READ)
public class ProposalResource {

    @Inject
    SecurityIdentity identity;

    @Inject
    PipelineStore pipelines;

    @Inject
    SinkStore sinks;

    /**
     * A target a proposal's table reaches: a sink it is written to, or a view that reads it.
     *
     * @param pipeline the pipeline that routes the table
     * @param sink the sink; null for a view
     * @param type the sink's type, or {@code view}
     * @param target the index or keys the table's rows land in, or the view's name
     * @param fields for a view, where the table sits in it and the columns it reads ({@code *} for all); empty otherwise
     * @param breaks for a view, the fields the proposed schema takes away from it (removed, renamed or retyped): such a
     *     change waits for review whatever the compatibility level says
     */
    public record Impact(String pipeline, String sink, String type, String target, List<String> fields, List<String> breaks) {
    }

    @Inject
    SchemaReviews reviews;

    @Inject
    ViewSchemaUses viewUses;

    @Inject
    ViewStore views;

    /** A planned change filed ahead of its DDL: the schema text, or only the DDL to translate. */
    public record ProposalRequest(String subject, String schema, String ddl) {
    }

    /** A decision. {@code levelOverride} lets one incompatible version through under another level. */
    public record DecisionRequest(String reason, String levelOverride) {
    }

    public record CommentRequest(String body) {
    }

    public record PolicyRequest(String policy) {
    }

    public record PolicyView(String subject, String policy) {
    }

    /** A proposal with its comments. */
    public record ProposalView(Proposal proposal, List<Comment> comments) {
    }

    @GET
    @Path("/proposals")
    public List<Proposal> list(@QueryParam("status") String status) {
        return reviews.list(status == null || status.isBlank() ? null : parseStatus(status));
    }

    @GET
    @Path("/proposals/{id}")
    public ProposalView show(@PathParam("id") long id) {
        return new ProposalView(reviews.find(id), reviews.comments(id));
    }

    @RolesAllowed(Role.REVIEW)
    @POST
    @Path("/proposals")
    public Response propose(ProposalRequest request) {
        if (request == null) {
            throw InvalidRequestException.of("body", "must be a JSON object with subject and schema");
        }
        require("subject", request.subject());
        if ((request.schema() == null || request.schema().isBlank()) && (request.ddl() == null || request.ddl().isBlank())) {
            throw InvalidRequestException.of("schema", "is required, unless ddl holds an ALTER TABLE ... ADD COLUMN statement to translate");
        }
        Proposal p = request.schema() == null || request.schema().isBlank()
                ? reviews.proposeDdl(request.subject(), request.ddl(), identity.getPrincipal().getName())
                : reviews.propose(request.subject(), request.schema(), request.ddl(), Proposal.Origin.PLANNED, identity.getPrincipal().getName());
        return Response.status(201).entity(p).build();
    }

    @RolesAllowed(Role.REVIEW)
    @POST
    @Path("/proposals/{id}/approve")
    public Proposal approve(@PathParam("id") long id, DecisionRequest request) {
        DecisionRequest r = request == null ? new DecisionRequest(null, null) : request;
        CompatibilityLevel override = null;
        if (r.levelOverride() != null && !r.levelOverride().isBlank()) {
            try {
                override = CompatibilityLevel.parse(r.levelOverride());
            } catch (RegistryException e) {
                throw InvalidRequestException.of("levelOverride", "must be one of " + Arrays.toString(CompatibilityLevel.values()));
            }
        }
        return reviews.approve(id, identity.getPrincipal().getName(), r.reason(), override);
    }

    @RolesAllowed(Role.REVIEW)
    @POST
    @Path("/proposals/{id}/reject")
    public Proposal reject(@PathParam("id") long id, DecisionRequest request) {
        return reviews.reject(id, identity.getPrincipal().getName(), request == null ? null : request.reason());
    }

    @POST
    @Path("/proposals/{id}/comments")
    public Response comment(@PathParam("id") long id, CommentRequest request) {
        return Response.status(201).entity(reviews.comment(id, identity.getPrincipal().getName(), request == null ? null : request.body())).build();
    }

    /** Which pipelines, sinks, index mappings and cache keys a proposal's table reaches. */
    @GET
    @Path("/proposals/{id}/impact")
    public List<Impact> impact(@PathParam("id") long id) {
        Proposal p = reviews.find(id);
        String stem = p.subject().replaceAll("-(value|key)$", "");
        String[] parts = stem.split("\\.");
        if (parts.length != 3) {
            return List.of(); // not a subject Sluice's capture names: nothing of Sluice's reads it
        }
        TableId table = new TableId(parts[0], parts[1], parts[2]);
        List<Impact> out = new ArrayList<>();
        for (PipelineSpec spec : pipelines.ofSource(table.source())) {
            if (!spec.tableFilter().test(table)) {
                continue;
            }
            for (String sinkName : spec.sinks()) {
                sinks.find(sinkName).ifPresent(sink -> out.add(new Impact(spec.name(), sinkName, sink.type().label(),
                        sink.type().target(sinks.runtimeKeys(sinkName), table), List.of(), List.of())));
            }
        }
        List<FieldChange> changes = p.diff();
        for (ViewSchemaUses.Use use : viewUses.uses(table.source(), table.database() + "." + table.table())) {
            List<String> breaks = viewUses.of(p.subject(), changes).stream().filter(u -> u.breaking() && u.user().startsWith("view "
                    + use.view())).map(SchemaUse::field).distinct().toList();
            out.add(new Impact(views.find(use.view()).map(ViewDefinition::pipeline).orElse(null), null, "view", use.view(),
                    List.of((use.path().isEmpty() ? "root" : use.path()) + ": " + String.join(", ", use.columns())), breaks));
        }
        return out;
    }

    @GET
    @Path("/audit")
    public List<AuditEntry> audit(@QueryParam("limit") @DefaultValue("100") int limit) {
        if (limit < 1 || limit > 10_000) {
            throw InvalidRequestException.of("limit", "must be between 1 and 10000");
        }
        return reviews.audit(limit);
    }

    @GET
    @Path("/policies/{subject}")
    public PolicyView policy(@PathParam("subject") String subject) {
        return new PolicyView(subject, reviews.policy(subject).wireName());
    }

    @RolesAllowed(Role.ADMINISTER)
    @PUT
    @Path("/policies/{subject}")
    public PolicyView setPolicy(@PathParam("subject") String subject, PolicyRequest request) {
        reviews.setPolicy(subject, parsePolicy(request), identity.getPrincipal().getName());
        return policy(subject);
    }

    @RolesAllowed(Role.ADMINISTER)
    @PUT
    @Path("/policies")
    public PolicyView setGlobalPolicy(PolicyRequest request) {
        ReviewPolicy p = parsePolicy(request);
        reviews.setPolicy(null, p, identity.getPrincipal().getName());
        return new PolicyView(null, p.wireName());
    }

    private static ReviewPolicy parsePolicy(PolicyRequest request) {
        try {
            return ReviewPolicy.parse(request == null ? null : request.policy());
        } catch (IllegalArgumentException e) {
            throw InvalidRequestException.of("policy", "must be auto, review-all or locked");
        }
    }

    private static Proposal.Status parseStatus(String status) {
        try {
            return Proposal.Status.valueOf(status.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw InvalidRequestException.of("status", "must be pending, approved or rejected");
        }
    }

    private static void require(String field, String value) {
        if (value == null || value.isBlank()) {
            throw InvalidRequestException.of(field, "is required");
        }
    }
}
