package io.sluice.admin.backfill;

import io.quarkus.security.identity.SecurityIdentity;
import io.sluice.admin.auth.Role;
import io.sluice.admin.backfill.BackfillStore.Stored;
import io.sluice.admin.error.InvalidRequestException;
import io.sluice.admin.error.NotFoundException;
import io.sluice.backfill.BackfillRun;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Online backfills: start one, watch its progress, pause, resume or cancel it; past ones stay listed with their outcome. */
@Path("/api/v1/backfills")
@Tag(name = "backfills", description = "Online backfills of the pipelines' targets from the live tables")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
@RolesAllowed(Role.READ)
public class BackfillResource {

    @Inject
    Backfills backfills;

    @Inject
    BackfillStore store;

    @Inject
    SecurityIdentity identity;

    @Inject
    Clock clock;

    /**
     * A backfill as the API shows it.
     *
     * @param currentTable the table being read, or null once finished
     * @param estimatedRows the source's estimate of the rows to read (InnoDB statistics, whole tables)
     * @param rate rows read per second lately while running (over the whole run until ten seconds of it are known)
     * @param etaSeconds the estimated time left, while running and once a rate is known
     * @param durationSeconds from creation to the end, once finished
     * @param averageRate rows read per second over {@code durationSeconds}, once finished
     * @param lastKey the key of the last chunk written in the current table
     * @param phase what the run does now: starting, reading, waiting_for_stream, paused, done; null when not running here
     * @param waitingFor the binlog point the oldest chunk waits for the stream to pass
     * @param newIndex the index a running reindex fills, swapped in behind the old name when it is done
     */
    public record BackfillView(long id, String pipeline, String source, List<String> tables, List<String> sinks, String where, int chunkSize,
            int rowsPerSecond, String state, String reason, String currentTable, long rowsRead, long rowsWritten, long chunksDone,
            long estimatedRows, Double rate, Long etaSeconds, List<Object> lastKey, String phase, String waitingFor, String createdBy,
            Instant createdAt, Instant updatedAt, Instant finishedAt, boolean reindex, String newIndex, Long durationSeconds,
            Double averageRate) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Role.OPERATE)
    public Response create(BackfillRequest request) {
        if (request == null) {
            throw InvalidRequestException.of("body", "is missing: send {\"pipeline\": \"...\"} and optionally tables, sink, where, chunkSize,"
                    + " rowsPerSecond");
        }
        Stored created = backfills.start(request, actor());
        return Response.status(201).entity(view(created)).build();
    }

    @GET
    public List<BackfillView> list() {
        return store.list().stream().map(this::view).toList();
    }

    @GET
    @Path("/{id}")
    public BackfillView show(@PathParam("id") String id) {
        return view(store.get(parse(id)));
    }

    @POST
    @Path("/{id}/{action: pause|resume|cancel}")
    @RolesAllowed(Role.OPERATE)
    public BackfillView control(@PathParam("id") String id, @PathParam("action") String action) {
        long n = parse(id);
        Stored b = switch (action) {
            case "pause" -> backfills.pause(n, actor());
            case "resume" -> backfills.resume(n, actor());
            default -> backfills.cancel(n, actor());
        };
        return view(b);
    }

    private BackfillView view(Stored b) {
        BackfillRun.Progress p = b.state().isFinal() ? null : backfills.progress(b.id()).orElse(null);
        long read = p == null ? b.rowsRead() : p.rowsRead();
        long written = p == null ? b.rowsWritten() : p.rowsWritten();
        long chunks = p == null ? b.chunksDone() : p.chunksDone();
        Double rate = null;
        if (p != null) {
            // A run reads one table and measures its last ten seconds: at a table's start it knows no rate yet, so the
            // backfill's own average stands in.
            double seconds = Duration.between(b.createdAt(), clock.instant()).toMillis() / 1000.0;
            rate = round(p.rowsPerSecond() > 0 ? p.rowsPerSecond() : seconds > 0 ? read / seconds : 0);
        }
        Long eta = rate == null || rate <= 0 ? null : Math.max(0, Math.round((b.estimatedRows() - read) / rate));
        Long duration = null;
        Double average = null;
        if (b.state().isFinal() && b.finishedAt() != null) {
            long ms = Math.max(1, Duration.between(b.createdAt(), b.finishedAt()).toMillis());
            duration = Math.round(ms / 1000.0);
            average = round(read * 1000.0 / ms);
        }
        String current = b.state() == BackfillState.SUCCEEDED || b.tableIndex() >= b.tables().size() ? null : b.tables().get(b.tableIndex());
        return new BackfillView(b.id(), b.pipeline(), b.source(), b.tables(), b.sinks(), b.filter(), b.chunkSize(), b.rowsPerSecond(),
                b.state().label(), b.reason(), current, read, written, chunks, b.estimatedRows(), rate, eta,
                p == null ? b.lastKey() : p.lastKey(), p == null ? null : p.phase().name().toLowerCase(Locale.ROOT),
                p == null ? null : p.waitingFor(), b.createdBy(), b.createdAt(), b.updatedAt(), b.finishedAt(), b.reindex(), b.newIndex(),
                duration, average);
    }

    private static double round(double rate) {
        return Math.round(rate * 10) / 10.0;
    }

    private static long parse(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new NotFoundException("No backfill with id '" + id + "': ids are numbers; GET /api/v1/backfills"
                    + " lists them.");
        }
    }

    private String actor() {
        return identity.getPrincipal().getName();
    }
}
