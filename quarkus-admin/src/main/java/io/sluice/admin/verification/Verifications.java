package io.sluice.admin.verification;

import io.sluice.admin.activity.ActivityLog;
import io.sluice.admin.backfill.TableSchemas;
import io.sluice.admin.contract.ContractTarget;
import io.sluice.admin.contract.TableContracts;
import io.sluice.admin.error.ConflictException;
import io.sluice.admin.error.InvalidRequestException;
import io.sluice.admin.error.NotFoundException;
import io.sluice.admin.error.Problem;
import io.sluice.admin.error.RequestRefusedException;
import io.sluice.admin.job.JobRegistry;
import io.sluice.admin.leadership.Leadership;
import io.sluice.admin.pipeline.PipelineSpec;
import io.sluice.admin.pipeline.PipelineStore;
import io.sluice.admin.runtime.PipelineRuntime;
import io.sluice.admin.sink.SharedSinks;
import io.sluice.admin.source.SourceDatabase;
import io.sluice.admin.source.SourceStore;
import io.sluice.admin.verification.VerificationStore.Stored;
import io.sluice.admin.view.Views;
import io.sluice.backfill.BackfillException;
import io.sluice.backfill.BackfillRun;
import io.sluice.backfill.ChunkReader;
import io.sluice.backfill.Verifier;
import io.sluice.capture.SourceConfig;
import io.sluice.event.TableId;
import io.sluice.sink.ReadableSink;
import io.sluice.view.CompiledView;
import io.sluice.view.ViewVerifier;
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

    /** How long a cancel waits for the verification to end. */
    private static final Duration CANCEL_WAIT = Duration.ofSeconds(10);

    @Inject
    VerificationStore store;

    @Inject
    PipelineStore pipelines;

    @Inject
    SourceStore sources;

    @Inject
    PipelineRuntime runtime;

    @Inject
    TableSchemas schemas;

    @Inject
    JobRegistry jobs;

    @Inject
    Views views;

    @Inject
    ActivityLog activity;

    @Inject
    Clock clock;

    @Inject
    TableContracts contracts;

    @Inject
    SharedSinks sinks;

    void boot(@Observes @Priority(30) Leadership.Elected event) {
        store.abandonRunning();
    }

    /**
     * Validates and starts a verification.
     *
     * @throws InvalidRequestException naming every bad field at once; NotFoundException for an unknown pipeline; ConflictException if the table has no
     *     registered schema yet, or a repair is asked while the source is not running
     */
    public Stored start(VerificationRequest request, String actor) {
        List<Problem> problems = new ArrayList<>(request.problems());
        if (!problems.isEmpty()) {
            throw InvalidRequestException.of("The verification request", problems);
        }
        PipelineSpec pipeline = pipelines.get(request.pipeline());
        String sink = sink(pipeline, request.sink(), problems);
        SourceConfig config = sources.runtimeConfig(pipeline.source());
        TableId table = SourceDatabase.tableId(config.name(), request.table());
        if (!pipeline.tableFilter().test(table)) {
            problems.add(new Problem("table", "'" + request.table() + "' is not taken by pipeline '" + pipeline.name() + "'"));
        }
        if (problems.isEmpty()) {
            try (Connection c = SourceDatabase.connect(config)) {
                ChunkReader.open(c, table.database(), table.table(), request.where(), CHUNK, null, null);
            } catch (BackfillException e) {
                problems.add(new Problem(e.getMessage().contains("filter") ? "where" : "table", e.getMessage()));
            } catch (SQLException e) {
                throw new ConflictException("source_unreachable", "Cannot read source '" + config.name() + "': " + e.getMessage()
                        + ". Check that it is up and its user can SELECT the table.");
            }
        }
        if (!problems.isEmpty()) {
            throw InvalidRequestException.of("The verification request", problems);
        }
        PipelineRuntime.Verifying stream = verifying(config, request.repairOrDefault());
        BackfillRun.Schemas tableSchemas = schemas.of(table);
        ReadableSink readable = stream.readable(sink);
        String where = request.where() == null || request.where().isBlank() ? null : request.where().trim();
        Stored created = store.create(pipeline.name(), config.name(), request.table(), sink, where, request.repairOrDefault(), actor);
        activity.record("verification:" + created.id(), actor, "started", request.table() + " against " + sink
                + (created.repair() ? " with repair" : ""));
        Verifier verifier = verifier(config, table, where, sink, stream, readable, created.repair());
        run(created, config, verifier::cancel, c -> verifier.run(c, tableSchemas));
        return created;
    }

    /**
     * A table's verifier against one sink, under the table's data contract: the target should hold each row as the rules
     * let it through (transformed, or not at all), and repairs are written through them. For verifications and audits.
     *
     * @param repair whether what differs is repaired (the caller checked that the source streams)
     */
    Verifier verifier(SourceConfig config, TableId table, String where, String sink, PipelineRuntime.Verifying stream, ReadableSink readable,
            boolean repair) {
        BackfillRun.Target repairs = repair ? new ContractTarget(stream.repairs(sink), contracts.check(), List.of(sink), sinks.deadLetters())
                : null;
        return new Verifier(new Verifier.Options(table, where, CHUNK, RECHECK_DELAY, SAMPLES, config.versionEpoch()), readable,
                stream.windows(), repairs, clock, d -> Thread.sleep(d.toMillis()), contracts.expectation());
    }

    /**
     * Starts a verification of a view: the documents it builds from the source against one sink's.
     *
     * @param sink the sink to compare with; null when the view's pipeline has one
     * @throws NotFoundException for an unknown view
     * @throws InvalidRequestException if the sink is missing or not one of the pipeline's
     * @throws ConflictException if a repair is asked while the source is not running, the runtime cannot verify, or the
     *     sink cannot be read back
     */
    public Stored startView(String view, String sink, boolean repair, String actor) {
        Views.Compiled compiled = views.compiled(view);
        PipelineSpec pipeline = pipelines.get(compiled.definition().pipeline());
        List<Problem> problems = new ArrayList<>();
        String target = sink(pipeline, sink, problems);
        if (!problems.isEmpty()) {
            throw InvalidRequestException.of("The verification request", problems);
        }
        SourceConfig config = sources.runtimeConfig(pipeline.source());
        PipelineRuntime.Verifying stream = verifying(config, repair);
        ReadableSink readable = stream.readable(target);
        Stored created = store.create(pipeline.name(), config.name(), CompiledView.DATABASE + "." + view, target, null, repair, actor);
        activity.record("verification:" + created.id(), actor, "started", "view " + view + " against " + target + (repair
                ? " with repair" : ""));
        ViewVerifier verifier = new ViewVerifier(compiled.view(), readable, repair ? stream.repairs(target) : null, RECHECK_DELAY, SAMPLES,
                config.versionEpoch(), clock, d -> Thread.sleep(d.toMillis()));
        run(created, config, verifier::cancel, verifier::run);
        return created;
    }

    /** The sink to verify: the one named if the pipeline writes to it, else its only one; else a problem about "sink" and null. */
    private static String sink(PipelineSpec pipeline, String named, List<Problem> problems) {
        if (named == null) {
            if (pipeline.sinks().size() == 1) {
                return pipeline.sinks().get(0);
            }
            problems.add(new Problem("sink", "is missing: pipeline '" + pipeline.name() + "' writes to " + pipeline.sinks()
                    + "; name the one to verify"));
        } else if (!pipeline.sinks().contains(named)) {
            problems.add(new Problem("sink", "'" + named + "' is not a sink of pipeline '" + pipeline.name() + "' (its sinks: "
                    + pipeline.sinks() + ")"));
        }
        return named;
    }

    /**
     * The runtime's side of a verification of the source.
     *
     * @throws ConflictException if a repair is asked while the source does not stream
     */
    private PipelineRuntime.Verifying verifying(SourceConfig config, boolean repair) {
        PipelineRuntime.Verifying stream = runtime.verifying(config.name());
        if (repair && !stream.streams()) {
            throw new ConflictException("source_not_running", "Source '" + config.name() + "' is not running; a repair needs"
                    + " its change stream so that it never overwrites a newer live change. Start it, or verify without repair.");
        }
        return stream;
    }

    private void run(Stored created, SourceConfig config, Runnable cancel, Check check) {
        jobs.start(JobRegistry.Type.VERIFICATION, created.id(), "sluice-verify-" + created.id(), job -> {
            job.onCancel(cancel);
            execute(job, created, config, check);
        });
    }

    /** One comparison, on the verification's connection to the source. */
    @FunctionalInterface
    private interface Check {
        Verifier.Report run(Connection c) throws SQLException, InterruptedException;
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
        return jobs.cancel(JobRegistry.Type.VERIFICATION, id, actor, CANCEL_WAIT);
    }

    private void execute(JobRegistry.Job job, Stored v, SourceConfig config, Check check) {
        try (Connection c = SourceDatabase.connect(config)) {
            Verifier.Report r = check.run(c);
            store.finished(v.id(), r);
            String summary = r.rowsChecked() + " rows checked: " + r.missing() + " missing, " + r.stale() + " stale, " + r.extra() + " extra"
                    + (v.repair() ? ", " + r.repaired() + " repaired" : "");
            activity.record("verification:" + v.id(), ActivityLog.SYSTEM, "finished", summary);
            LOG.infof("verification=%d of %s against %s: %s", v.id(), v.table(), v.sink(), summary);
        } catch (InterruptedException e) {
            store.failed(v.id(), job.cancelledBy().map(by -> "cancelled by " + by + "; what it repaired stays repaired")
                    .orElse("the server stopped during the verification; run it again"));
        } catch (BackfillException | SQLException | UnsupportedOperationException | RequestRefusedException e) {
            String reason = e.getMessage();
            store.failed(v.id(), reason);
            LOG.warnf("verification=%d failed: %s", v.id(), reason);
        } catch (RuntimeException e) {
            store.failed(v.id(), "unexpected error: " + e);
            LOG.errorf(e, "verification=%d failed", v.id());
        }
    }

}
