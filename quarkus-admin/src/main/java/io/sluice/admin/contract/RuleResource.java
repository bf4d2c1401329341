package io.sluice.admin.contract;

import io.quarkus.security.identity.SecurityIdentity;
import io.sluice.admin.auth.Role;
import io.sluice.admin.error.InvalidRequestException;
import io.sluice.admin.runtime.PipelineRuntime;
import io.sluice.admin.source.SourceControl;
import io.sluice.admin.source.SourceDatabase;
import io.sluice.contract.ContractCheck;
import io.sluice.contract.Metadata;
import io.sluice.contract.Rule;
import io.sluice.contract.RuleSet;
import io.sluice.event.TableId;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Data contracts under {@code /api/v1/rules}: each table's rules in force with how often each ran and failed, dry runs
 * of a rule set over the live table, and rule changes through review (propose, approve, reject). The rules themselves
 * live with the table's value schema in the registry ({@code /registry}, in Confluent's shape).
 */
@Path("/api/v1/rules")
@Tag(name = "rules", description = "Data contracts: quality rules, dry runs and their review")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.READ)
public class RuleResource {

    @Inject
    RuleProposals proposals;

    @Inject
    RuleDryRun dryRun;

    @Inject
    PipelineRuntime runtime;

    @Inject
    RuleHistory history;

    @Inject
    RuleHolds ruleHolds;

    @Inject
    SourceControl control;

    @Inject
    SecurityIdentity identity;

    /**
     * A table's rules in force, each with its counts since the source's worker started.
     *
     * @param table {@code database.table}
     */
    public record TableRules(String source, String table, String subject, int version, RuleSet ruleSet, Metadata metadata,
            List<RuleCount> counts) {
    }

    /** How often a rule ran and failed since the source's worker started. */
    public record RuleCount(String rule, long evaluated, long failed) {
    }

    /**
     * A proposed or dry-run rule set.
     *
     * @param metadata field tags; null keeps the table's
     * @param sample rows the dry run reads; null for the default
     */
    public record RuleChange(RuleSet ruleSet, Metadata metadata, Integer sample) {
    }

    /**
     * What a table's rules did lately: each rule's evaluations and failures per interval over the last hour (oldest
     * first), and the last failures, newest first.
     */
    public record Activity(long intervalSeconds, List<RuleActivity> rules, List<ContractCheck.Failed> lastFailures) {
    }

    /** One rule's intervals. */
    public record RuleActivity(String rule, List<Point> points) {
    }

    /** One interval, ending at {@code at}. */
    public record Point(Instant at, long evaluated, long failed) {
    }

    /** A decision on a proposal; the reason is optional. */
    public record Decision(String reason) {
    }

    @GET
    public List<TableRules> list(@QueryParam("source") String source) {
        return proposals.all(source).stream().map(this::view).toList();
    }

    @GET
    @Path("/{source}/{table}")
    public TableRules show(@PathParam("source") String source, @PathParam("table") String table) {
        return view(proposals.inForce(table(source, table)));
    }

    /** A source an {@code ERROR} rule holds, and the change it holds it on. */
    public record Hold(String source, String table, String key, String position, String rule) {
        static Hold of(String source, ContractCheck.Held h) {
            return new Hold(source, h.table().database() + "." + h.table().table(), h.key(), h.position(), h.rule());
        }
    }

    @GET
    @Path("/holds")
    public List<Hold> holds() {
        return ruleHolds.all().entrySet().stream().map(e -> Hold.of(e.getKey(), e.getValue())).sorted((a, b) -> a.source().compareTo(b.source()))
                .toList();
    }

    /**
     * Sends the change an {@code ERROR} rule holds a source on to the dead letters, and starts the source again: the
     * change goes to its sinks' dead letters with the rule named, and capture goes on after it.
     */
    @RolesAllowed(Role.OPERATE)
    @POST
    @Path("/holds/{source}/dead-letter")
    @Consumes(MediaType.WILDCARD)
    public Hold release(@PathParam("source") String source) {
        ContractCheck.Held h = ruleHolds.release(source, actor());
        control.start(source, actor(), true);
        return Hold.of(source, h);
    }

    @GET
    @Path("/{source}/{table}/activity")
    public Activity activity(@PathParam("source") String source, @PathParam("table") String table) {
        RuleProposals.InForce r = proposals.inForce(table(source, table));
        String stem = stem(r);
        List<RuleActivity> rules = r.ruleSet().domainRules().stream().map(rule -> new RuleActivity(rule.name(), history.of(stem + "/" + rule.name())
                .stream().map(p -> new Point(p.at(), p.evaluated(), p.failed())).toList())).toList();
        return new Activity(RuleHistory.EVERY.toSeconds(), rules, runtime.ruleFailures(r.source(), stem));
    }

    @RolesAllowed(Role.OPERATE)
    @POST
    @Path("/{source}/{table}/dry-run")
    public RuleDryRun.Result dryRun(@PathParam("source") String source, @PathParam("table") String table, RuleChange change) {
        TableId id = table(source, table);
        RuleProposals.InForce current = proposals.inForce(id);
        RuleChange c = required(change);
        return dryRun.run(id, c.ruleSet(), c.metadata() != null ? c.metadata() : current.metadata(), c.sample() == null
                ? RuleProposals.DEFAULT_SAMPLE : c.sample());
    }

    @RolesAllowed(Role.OPERATE)
    @POST
    @Path("/{source}/{table}/proposals")
    public Response propose(@PathParam("source") String source, @PathParam("table") String table, RuleChange change) {
        RuleChange c = required(change);
        RuleProposal p = proposals.propose(table(source, table), c.ruleSet(), c.metadata(), c.sample(), actor());
        return Response.status(Response.Status.CREATED).entity(p).build();
    }

    @GET
    @Path("/proposals")
    public List<RuleProposal> proposals(@QueryParam("status") String status) {
        if (status == null || status.isBlank()) {
            return proposals.list(null);
        }
        try {
            return proposals.list(RuleProposal.State.of(status));
        } catch (IllegalArgumentException e) {
            throw InvalidRequestException.of("status", "is '" + status + "'; use pending, approved or rejected");
        }
    }

    @GET
    @Path("/proposals/{id}")
    public RuleProposal proposal(@PathParam("id") long id) {
        return proposals.get(id);
    }

    @RolesAllowed(Role.REVIEW)
    @POST
    @Path("/proposals/{id}/approve")
    public RuleProposal approve(@PathParam("id") long id, Decision decision) {
        return proposals.approve(id, actor(), decision == null ? null : decision.reason());
    }

    @RolesAllowed(Role.REVIEW)
    @POST
    @Path("/proposals/{id}/reject")
    public RuleProposal reject(@PathParam("id") long id, Decision decision) {
        return proposals.reject(id, actor(), decision == null ? null : decision.reason());
    }

    private TableRules view(RuleProposals.InForce r) {
        Map<String, ContractCheck.Counts> counts = runtime.ruleCounts(r.source());
        String stem = stem(r);
        List<RuleCount> out = new ArrayList<>();
        for (Rule rule : r.ruleSet().domainRules()) {
            ContractCheck.Counts c = counts.getOrDefault(stem + "/" + rule.name(), new ContractCheck.Counts(0, 0));
            out.add(new RuleCount(rule.name(), c.evaluated(), c.failed()));
        }
        return new TableRules(r.source(), r.table(), r.subject(), r.version(), r.ruleSet(), r.metadata(), out);
    }

    private static String stem(RuleProposals.InForce r) {
        return r.subject().substring(0, r.subject().length() - "-value".length());
    }

    private static TableId table(String source, String table) {
        if (table == null || table.indexOf('.') < 1 || table.endsWith(".")) {
            throw InvalidRequestException.of("table", "is '" + table + "'; name it as database.table, as the pipeline captures it");
        }
        return SourceDatabase.tableId(source, table);
    }

    private static RuleChange required(RuleChange change) {
        if (change == null || change.ruleSet() == null) {
            throw InvalidRequestException.of("ruleSet", "is missing; send {\"ruleSet\": {\"domainRules\": [...]}} in Confluent's shape"
                    + " (an empty domainRules removes every rule)");
        }
        return change;
    }

    private String actor() {
        return identity.getPrincipal().getName();
    }
}
