package io.sluice.admin.verification;

import io.quarkus.runtime.StartupEvent;
import io.sluice.admin.activity.ActivityLog;
import io.sluice.admin.api.ApiError;
import io.sluice.admin.api.ApiException;
import io.sluice.admin.backfill.Backfills;
import io.sluice.admin.pipeline.PipelineSpec;
import io.sluice.admin.pipeline.PipelineStore;
import io.sluice.admin.pipeline.Supervisor;
import io.sluice.admin.source.SourceStore;
import io.sluice.admin.verification.VerificationStore.Stored;
import io.sluice.backfill.BackfillException;
import io.sluice.backfill.BackfillRun;
import io.sluice.backfill.ChunkReader;
import io.sluice.backfill.Verifier;
import io.sluice.capture.SourceConfig;
import io.sluice.event.TableId;
import io.sluice.sink.ReadableSink;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Runs verifications: one table against one sink, on a thread of its own, with the result stored. A repair goes
 * through the same runners as live writes and through DBLog windows on the source's stream, so it never undoes a
 * live change.
 *
 * <p>Thread-safe.
 */
@ApplicationScoped
public class Verifications {
    private static final Logger LOG = Logger.getLogger(Verifications.class);
    /** How long a difference may be a change still on its way before it counts. */
    static final Duration RECHECK_DELAY = Duration.ofSeconds(3);
    static final int CHUNK = 2048;
    static final int SAMPLES = 10;

    /** A verification running in this server: its verifier, its thread, and who cancelled it (null until someone does). */
    private static final class Running {
        final Verifier verifier;
        final Thread thread;
        volatile String cancelledBy;

        Running(Verifier verifier, Thread thread) {
            this.verifier = verifier;
            this.thread = thread;
        }
    }

    /** By verification id; an entry lives exactly as long as the verification's thread runs it. */
    private final Map<Long, Running> running = new java.util.concurrent.ConcurrentHashMap<>();

    @Inject
    VerificationStore store;

    @Inject
    PipelineStore pipelines;

    @Inject
    SourceStore sources;

    @Inject
    Supervisor supervisor;

    @Inject
    Backfills backfills;

    @Inject
    ActivityLog activity;

    @Inject
    Clock clock;

    void boot(@Observes @Priority(30) StartupEvent event) {
        store.abandonRunning();
    }

    /**
     * Validates and starts a verification.
     *
     * @throws ApiException 422 naming every bad field at once; 404 for an unknown pipeline; 409 if the table has no
     *     registered schema yet, or a repair is asked while the source is not running
     */
    public Stored start(VerificationRequest request, String actor) {
        List<ApiError.Detail> problems = new ArrayList<>(request.problems());
        if (!problems.isEmpty()) {
            throw invalid(problems);
        }
        PipelineSpec pipeline = pipelines.get(request.pipeline());
        String sink = request.sink();
        if (sink == null) {
            if (pipeline.sinks().size() != 1) {
                problems.add(new ApiError.Detail("sink", "is missing: pipeline '" + pipeline.name() + "' writes to " + pipeline.sinks()
                        + "; name the one to verify"));
            } else {
                sink = pipeline.sinks().get(0);
            }
        } else if (!pipeline.sinks().contains(sink)) {
            problems.add(new ApiError.Detail("sink", "'" + sink + "' is not a sink of pipeline '" + pipeline.name() + "' (its sinks: "
                    + pipeline.sinks() + ")"));
        }
        SourceConfig config = sources.runtimeConfig(pipeline.source());
        TableId table = Backfills.tableId(config.name(), request.table());
        if (!pipeline.tableFilter().test(table)) {
            problems.add(new ApiError.Detail("table", "'" + request.table() + "' is not taken by pipeline '" + pipeline.name() + "'"));
        }
        if (problems.isEmpty()) {
            try (Connection c = Backfills.connect(config)) {
                ChunkReader.open(c, table.database(), table.table(), request.where(), CHUNK, null, null);
            } catch (BackfillException e) {
                problems.add(new ApiError.Detail(e.getMessage().contains("filter") ? "where" : "table", e.getMessage()));
            } catch (SQLException e) {
                throw new ApiException(409, ApiError.of("source_unreachable", "Cannot read source '" + config.name() + "': " + e.getMessage()
                        + ". Check that it is up and its user can SELECT the table."));
            }
        }
        if (!problems.isEmpty()) {
            throw invalid(problems);
        }
        if (request.repairOrDefault() && !supervisor.running(config.name())) {
            throw new ApiException(409, ApiError.of("source_not_running", "Source '" + config.name() + "' is not running; a repair needs"
                    + " its change stream so that it never overwrites a newer live change. Start it, or verify without repair."));
        }
        BackfillRun.Schemas schemas = backfills.schemas(table);
        String sinkName = sink;
        ReadableSink readable = supervisor.readable(sink).orElseThrow(() -> new ApiException(409, ApiError.of("not_verifiable",
                "sink '" + sinkName + "' cannot be read back, so it cannot be verified")));
        String where = request.where() == null || request.where().isBlank() ? null : request.where().trim();
        Stored created = store.create(pipeline.name(), config.name(), request.table(), sink, where, request.repairOrDefault(), actor);
        activity.record("verification:" + created.id(), actor, "started", request.table() + " against " + sink
                + (created.repair() ? " with repair" : ""));
        BackfillRun.Target repairs = created.repair() ? supervisor.backfillTarget(List.of(sink)) : null;
        Verifier verifier = new Verifier(new Verifier.Options(table, where, CHUNK, RECHECK_DELAY, SAMPLES, config.versionEpoch()), readable,
                supervisor.windows(config.name()), repairs, clock, d -> Thread.sleep(d.toMillis()));
        Thread t = new Thread(() -> execute(created, config, verifier, schemas), "sluice-verify-" + created.id());
        t.setDaemon(true);
        running.put(created.id(), new Running(verifier, t));
        t.start();
        return created;
    }

    /**
     * Stops a verification that runs in this server at its next step (see {@link Verifier#cancel()}) and waits (10 s
     * at most) until it ended: it is stored failed, with who stopped it as the reason; what it repaired stays
     * repaired.
     *
     * @param actor who stops it, for the reason
     * @return false if it does not run here (ended, or unknown)
     */
    public boolean cancel(long id, String actor) {
        Running r = running.get(id);
        if (r == null) {
            return false;
        }
        r.cancelledBy = actor;
        r.verifier.cancel();
        try {
            r.thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    private void execute(Stored v, SourceConfig config, Verifier verifier, BackfillRun.Schemas schemas) {
        try (Connection c = Backfills.connect(config)) {
            Verifier.Report r = verifier.run(c, schemas);
            store.finished(v.id(), r);
            String summary = r.rowsChecked() + " rows checked: " + r.missing() + " missing, " + r.stale() + " stale, " + r.extra() + " extra"
                    + (v.repair() ? ", " + r.repaired() + " repaired" : "");
            activity.record("verification:" + v.id(), ActivityLog.SYSTEM, "finished", summary);
            LOG.infof("verification=%d of %s against %s: %s", v.id(), v.table(), v.sink(), summary);
        } catch (InterruptedException e) {
            String by = running.get(v.id()).cancelledBy;
            store.failed(v.id(), by == null ? "the server stopped during the verification; run it again" : "cancelled by " + by
                    + "; what it repaired stays repaired");
        } catch (BackfillException | SQLException | UnsupportedOperationException | ApiException e) {
            String reason = e instanceof ApiException a ? a.error().message() : e.getMessage();
            store.failed(v.id(), reason);
            LOG.warnf("verification=%d failed: %s", v.id(), reason);
        } catch (RuntimeException e) {
            store.failed(v.id(), "unexpected error: " + e);
            LOG.errorf(e, "verification=%d failed", v.id());
        } finally {
            running.remove(v.id());
        }
    }

    private static ApiException invalid(List<ApiError.Detail> problems) {
        return new ApiException(422, new ApiError("validation_failed", "The verification request has " + problems.size() + " problem"
                + (problems.size() == 1 ? "" : "s") + "; each detail names the field and what is allowed.", problems));
    }
}
