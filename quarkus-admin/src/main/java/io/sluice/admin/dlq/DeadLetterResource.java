package io.sluice.admin.dlq;

import io.quarkus.security.identity.SecurityIdentity;
import io.sluice.admin.activity.ActivityLog;
import io.sluice.admin.auth.Role;
import io.sluice.admin.contract.TableContracts;
import io.sluice.admin.error.InvalidRequestException;
import io.sluice.admin.sink.SharedSinks;
import io.sluice.admin.sink.SinkStore;
import io.sluice.event.ChangeEvent;
import io.sluice.sink.dlq.DeadLetter;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The dead-letter queue of a sink under {@code /api/v1/sinks/{sink}/dead-letters}: entries grouped by error,
 * each with its original event and reason; replay one, a group or all (with a dry run), or discard. Every replay
 * and discard is recorded in the sink's timeline.
 */
@Path("/api/v1/sinks/{sink}/dead-letters")
@Tag(name = "dead letters", description = "Events a target refused, waiting for a person")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.READ)
public class DeadLetterResource {
    private static final int MAX = 10_000;

    @Inject
    TableContracts contracts;

    @Inject
    SharedSinks shared;

    @Inject
    SinkStore sinks;

    @Inject
    ActivityLog activity;

    @Inject
    SecurityIdentity identity;

    /** One refused event: where it came from, the row as it was, and why the target refused it. */
    public record Entry(long id, String table, String operation, long version, String key, String row, String reason,
            String group, Instant createdAt, int attempts) {
    }

    /** Entries that failed for the same reason (numbers and quoted values aside). */
    public record Group(String group, String example, int count, List<Entry> entries) {
    }

    /**
     * What to replay or discard: {@code ids}, or every entry of a {@code group}, or {@code all}.
     *
     * @param dryRun report what would happen without doing it
     */
    public record Selection(List<Long> ids, String group, Boolean all, Boolean dryRun) {
    }

    /**
     * @param ids the entries concerned
     * @param done how many landed (replay) or were removed (discard); 0 on a dry run
     */
    public record Outcome(List<Long> ids, int done, boolean dryRun, long remaining) {
    }

    @GET
    public List<Group> list(@PathParam("sink") String sink, @QueryParam("limit") @DefaultValue("1000") int limit) {
        sinks.get(sink);
        Map<String, List<Entry>> groups = new LinkedHashMap<>();
        for (DeadLetter d : shared.deadLetters().list(sink, Math.max(1, Math.min(limit, MAX)))) {
            Entry e = entry(d);
            groups.computeIfAbsent(e.group(), g -> new ArrayList<>()).add(e);
        }
        return groups.entrySet().stream().map(g -> new Group(g.getKey(), g.getValue().get(0).reason(), g.getValue().size(), g.getValue()))
                .toList();
    }

    @POST
    @Path("/replay")
    @RolesAllowed(Role.OPERATE)
    public Outcome replay(@PathParam("sink") String sink, Selection selection) throws InterruptedException {
        List<Long> ids = select(sink, selection);
        boolean dry = selection.dryRun() != null && selection.dryRun();
        List<Long> landed = ids.isEmpty() ? List.of() : shared.replay(sink, ids, dry, contracts.admission());
        if (!dry) {
            activity.record("sink:" + sink, actor(), "dead-letters-replayed", landed.size() + " of " + ids.size() + " landed");
        }
        return new Outcome(dry ? landed : ids, dry ? 0 : landed.size(), dry, shared.deadLetters().size(sink));
    }

    @POST
    @Path("/discard")
    @RolesAllowed(Role.OPERATE)
    public Outcome discard(@PathParam("sink") String sink, Selection selection) {
        List<Long> ids = select(sink, selection);
        boolean dry = selection.dryRun() != null && selection.dryRun();
        int removed = dry ? 0 : shared.deadLetters().remove(ids);
        if (!dry) {
            activity.record("sink:" + sink, actor(), "dead-letters-discarded", removed + " entries");
        }
        return new Outcome(ids, removed, dry, shared.deadLetters().size(sink));
    }

    private List<Long> select(String sink, Selection s) {
        sinks.get(sink);
        if (s == null) {
            throw InvalidRequestException.of("body", "must be a JSON object with ids, group or all (and dryRun)");
        }
        int given = (s.ids() != null ? 1 : 0) + (s.group() != null ? 1 : 0) + (Boolean.TRUE.equals(s.all()) ? 1 : 0);
        if (given != 1) {
            throw InvalidRequestException.of("ids", "exactly one of ids, group or all=true must be given");
        }
        List<DeadLetter> mine = shared.deadLetters().list(sink, MAX);
        if (s.ids() != null) {
            List<Long> known = mine.stream().map(DeadLetter::id).toList();
            List<Long> unknown = s.ids().stream().filter(id -> !known.contains(id)).toList();
            if (!unknown.isEmpty()) {
                throw InvalidRequestException.of("ids", "name entries this sink does not have: " + unknown);
            }
            return s.ids();
        }
        if (s.group() != null) {
            return mine.stream().filter(d -> group(d.reason()).equals(s.group())).map(DeadLetter::id).toList();
        }
        return mine.stream().map(DeadLetter::id).toList();
    }

    private static Entry entry(DeadLetter d) {
        ChangeEvent e = d.event();
        return new Entry(d.id(), e.table().toString(), e.operation().name().toLowerCase(), e.version(),
                e.key() == null ? null : e.key().toString(), e.row() == null ? null : e.row().toString(), d.reason(), group(d.reason()),
                d.createdAt(), d.attempts());
    }

    /** A reason with its specifics (numbers, quoted values) taken out, so that alike failures fall together. */
    static String group(String reason) {
        return reason.replaceAll("\"[^\"]*\"|'[^']*'|\\[[^\\]]*\\]", "…").replaceAll("\\d+", "#");
    }

    private String actor() {
        return identity.getPrincipal().getName();
    }
}
