package io.sluice.admin.recovery;

import io.quarkus.runtime.StartupEvent;
import io.sluice.admin.activity.ActivityLog;
import io.sluice.admin.api.ApiException;
import io.sluice.admin.backfill.Backfills;
import io.sluice.admin.connect.ConnectRuntime;
import io.sluice.admin.pipeline.PipelineSpec;
import io.sluice.admin.pipeline.PipelineStore;
import io.sluice.admin.pipeline.SourceStatus;
import io.sluice.admin.pipeline.Supervisor;
import io.sluice.admin.source.SourceStore;
import io.sluice.admin.verification.VerificationRequest;
import io.sluice.admin.verification.VerificationStore;
import io.sluice.admin.verification.Verifications;
import io.sluice.capture.CaptureFailure;
import io.sluice.capture.SourceConfig;
import io.sluice.event.TableId;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * One-command recovery of a source ({@code POST /api/v1/sources/{name}/recover}), for a source failed with
 * {@code BINLOG_PURGED} or {@code SCHEMA_HISTORY_MISSING}: its stored offsets and schema history are set aside, its
 * worker starts over from a new snapshot (the stored settings, snapshot mode included, stay as they are), and once it
 * streams again every captured table of every pipeline of the source is verified against each of its sinks with
 * repair, one after the other, through {@link Verifications}. A snapshot cannot see rows deleted while the binlog was
 * lost; the repair deletes them from the targets.
 *
 * <p>A recovery runs on a thread of its own and is stored with its phase and its verifications, so that it can be
 * polled; one a stopped server left running is marked failed at the next boot, which continues it with a recovery
 * that only verifies (unless its source is stopped). The server also starts that kind by itself when a worker
 * takes its source's snapshot again. A person may cancel a running one ({@link #cancel}). Every step is in the
 * source's timeline. Embedded runtime only.
 *
 * <p>Thread-safe: starts are serialized.
 */
@ApplicationScoped
public class Recoveries {
    private static final Logger LOG = Logger.getLogger(Recoveries.class);
    /** How often a running recovery looks at its source and its verifications. */
    static final Duration POLL = Duration.ofMillis(500);
    /** How long a source may stand stopped, though it should run, before its recovery gives up. */
    static final Duration STOPPED_PATIENCE = Duration.ofSeconds(60);
    /** How often the events captured during the snapshot are written to the recovery at most. */
    static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);

    @Inject
    RecoveryStore store;

    @Inject
    SourceStore sources;

    @Inject
    PipelineStore pipelines;

    @Inject
    Supervisor supervisor;

    @Inject
    ConnectRuntime connect;

    @Inject
    Verifications verifications;

    @Inject
    VerificationStore verificationStore;

    @Inject
    Backfills backfills;

    @Inject
    ActivityLog activity;

    @Inject
    Clock clock;

    /**
     * A recovery running in this server: its thread, the sinks it verifies (null: all), who cancelled it (null until
     * someone does), and the verification it waits for (null between verifications).
     */
    private static final class Running {
        final Thread thread;
        final java.util.Set<String> sinks;
        volatile String cancelledBy;
        volatile Long verification;

        Running(Thread thread, java.util.Set<String> sinks) {
            this.thread = thread;
            this.sinks = sinks;
        }
    }

    /** What a recovery does once its source streams, in the timeline's words. */
    private static final String VERIFIES = "verifies and repairs every table and sink no snapshot swept";
    private static final String WAITS = "waits until the source streams, then " + VERIFIES;

    /** By recovery id; an entry lives exactly as long as the recovery's thread runs it. */
    private final Map<Long, Running> running = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * By source, the sinks whose targets lost their data while a recovery of the source ran: it may have verified
     * them before, so another follows it for them. Guarded by this.
     */
    private final Map<String, java.util.Set<String>> lostMeanwhile = new HashMap<>();

    void boot(@Observes @Priority(35) StartupEvent event) {
        List<RecoveryStore.Stored> cutShort = store.abandonRunning();
        // Runs after the supervisor's boot, which started the sources. Recoveries cut short are continued first, so
        // that a source whose snapshot is taken again at this boot gets that one, not another started for the redo.
        for (RecoveryStore.Stored r : cutShort) {
            // A source deleted since has nothing left to repair.
            if (!connect.enabled() && sources.find(r.source()).isPresent() && !"stopped".equals(sources.desiredState(r.source()))) {
                startOwn(r.source(), "recovery " + r.id() + " was cut short by a server stop", "its repairs may be unfinished", null);
            }
        }
        // The listener may be called with the supervisor's lock held, and start() takes this lock before the
        // supervisor's: it starts the recovery from a thread of its own.
        supervisor.onRedoneSnapshot((source, why) -> {
            Thread t = new Thread(() -> startOwn(source, "snapshot taken again: " + why.description(), "rows deleted before the new"
                    + " snapshot may be left in the sinks", null), "sluice-recovery-start-" + source);
            t.setDaemon(true);
            t.start();
        });
        // Called on a sink's writing thread: the same hand-over.
        supervisor.onTargetLost((source, loss) -> {
            Thread t = new Thread(() -> startOwn(source, "the target of sink '" + loss.sink() + "' lost its data (generation " + loss.was()
                    + ", now " + loss.now() + ")", "rows written to it before may be missing", java.util.Set.of(loss.sink())),
                    "sluice-recovery-start-" + source);
            t.setDaemon(true);
            t.start();
        });
    }

    /**
     * Starts, on a thread of its own, a recovery that no person asked for, unless one of the source runs: it waits
     * until the source streams, then verifies and repairs each table and sink that no sweep covered since (see
     * {@link io.sluice.sink.Sweepable#sweep}); no offsets are set aside. The server starts one when a source's worker
     * takes its snapshot again (see {@link io.sluice.capture.RedoneSnapshot}), since rows deleted before the new
     * snapshot began are in no event it reads, when a sink's target lost its data (see {@link
     * io.sluice.sink.GenerationWatch}; that recovery verifies that sink only), and at boot for each recovery a server
     * stop cut short (which verifies every sink: which ones it was for is not stored). Must not be called with the
     * supervisor's lock held.
     *
     * @param sinks the sinks to verify, or null for all
     */
    private void startOwn(String source, String cause, String why, java.util.Set<String> sinks) {
        Thread t;
        synchronized (this) {
            Optional<RecoveryStore.Stored> latest = store.latest(source);
            if (latest.isPresent() && Recovery.State.RUNNING.label().equals(latest.get().state())) {
                if (sinks != null) {
                    lostMeanwhile.computeIfAbsent(source, s -> new java.util.TreeSet<>()).addAll(sinks);
                    LOG.warnf("source %s: %s while recovery %d runs; another recovery follows it for sink(s) %s", source, cause,
                            latest.get().id(), sinks);
                }
                return;
            }
            long id = store.create(source, cause, false, ActivityLog.SYSTEM).id();
            t = thread(id, source, ActivityLog.SYSTEM, sinks);
            activity.record(subject(source), ActivityLog.SYSTEM, "recovery started", "recovery " + id + ", " + cause + ": " + why
                    + "; " + (sinks == null ? WAITS : "waits until the source streams, then verifies and repairs every table against sink(s) "
                            + String.join(", ", new java.util.TreeSet<>(sinks))));
            LOG.warnf("recovery=%d of source %s started: %s", id, source, cause);
        }
        t.start();
    }

    /**
     * Decides, and starts a recovery; a new snapshot starts before this returns.
     *
     * @throws ApiException 404 for an unknown source; 409 when there is nothing to recover from, a recovery of the
     *     source runs, the failure is one a snapshot does not cure, or in the connect runtime (each names the source,
     *     its state and the fix)
     */
    public synchronized Recovery start(String source, String actor) {
        sources.get(source);
        boolean onConnect = connect.enabled();
        SourceStatus status = onConnect ? null : supervisor.status(source);
        Optional<CaptureFailure> failure = onConnect ? Optional.empty() : supervisor.failure(source);
        Optional<Recovery> latest = store.latest(source).map(this::view);
        RecoveryDecision decision = RecoveryDecision.decide(source, onConnect, pipelines.ofSource(source).stream().map(PipelineSpec::name)
                .toList(), status, failure, latest);
        if (decision instanceof RecoveryDecision.Refuse refuse) {
            throw refuse.exception();
        }
        boolean resnapshot = decision instanceof RecoveryDecision.Resnapshot;
        RecoveryStore.Stored created = store.create(source, decision.cause(), resnapshot, actor);
        long id = created.id();
        activity.record(subject(source), actor, "recovery started", "recovery " + id + ", " + decision.cause() + ": " + (resnapshot
                ? "sets the stored offsets aside and snapshots again, then " + VERIFIES : WAITS));
        if (resnapshot) {
            try {
                List<Path> moved = supervisor.resnapshot(source, actor, ".recovery-" + id, "recovery " + id);
                store.progress(id, Recovery.Phase.SNAPSHOTTING, "new snapshot started; set aside: " + (moved.isEmpty() ? "nothing was"
                        + " stored" : String.join(", ", moved.stream().map(p -> p.getFileName().toString()).toList())), 0);
            } catch (ApiException e) {
                end(id, source, "could not start the new snapshot: " + e.error().message(), List.of());
                throw e;
            }
        }
        thread(id, source, actor, null).start();
        return get(source, id);
    }

    /** A recovery's thread, registered as running; the caller starts it. @param sinks the sinks to verify, or null for all */
    private Thread thread(long id, String source, String actor, java.util.Set<String> sinks) {
        Thread t = new Thread(() -> run(id, source, actor), "sluice-recovery-" + id);
        t.setDaemon(true);
        running.put(id, new Running(t, sinks));
        return t;
    }

    /**
     * Stops a running recovery at its next poll and waits (30 s at most) until it ended: the verification it waits
     * for is stopped too (what it repaired stays repaired), and the recovery ends {@code failed} with who cancelled
     * it. Running the recovery again once the source streams then only verifies and repairs.
     *
     * @throws ApiException 404 for an unknown source or recovery; 409 if it does not run (any more)
     */
    public Recovery cancel(String source, long id, String actor) {
        Recovery r = get(source, id);
        Running run = running.get(id);
        if (run == null || !Recovery.State.RUNNING.label().equals(r.state())) {
            throw new ApiException(409, io.sluice.admin.api.ApiError.of("not_running", "Recovery " + id + " of source '" + source + "' is "
                    + r.state() + ", so there is nothing to cancel; GET /api/v1/sources/" + source + "/recoveries lists the source's"
                    + " recoveries."));
        }
        run.cancelledBy = actor;
        try {
            run.thread.join(30_000); // it sees the request within a poll, and stops the verification it waits for
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return get(source, id);
    }

    /** A source's recoveries, newest first (100 at most). @throws ApiException 404 for an unknown source */
    public List<Recovery> list(String source) {
        sources.get(source);
        return store.ofSource(source, 100).stream().map(this::view).toList();
    }

    /** @throws ApiException 404 for an unknown source, or a recovery that is not one of the source's */
    public Recovery get(String source, long id) {
        sources.get(source);
        RecoveryStore.Stored r = store.get(id);
        if (!r.source().equals(source)) {
            throw new ApiException(404, io.sluice.admin.api.ApiError.of("not_found", "Recovery " + id + " is not one of source '"
                    + source + "'; GET /api/v1/sources/" + source + "/recoveries lists them."));
        }
        return view(r);
    }

    private Recovery view(RecoveryStore.Stored r) {
        return Recovery.of(r, r.verificationIds().stream().map(verificationStore::get).toList());
    }

    private void run(long id, String source, String actor) {
        try {
            String failed = awaitStreaming(id, source);
            if (failed != null) {
                end(id, source, failed, List.of());
                return;
            }
            verifyAll(id, source, actor);
        } catch (Cancelled e) {
            Long verification = running.get(id).verification;
            if (verification != null) {
                verifications.cancel(verification, e.by);
            }
            end(id, source, "cancelled by " + e.by + "; run the recovery again to verify and repair (once the source streams, it only"
                    + " verifies)", List.of());
        } catch (InterruptedException e) {
            end(id, source, "the server stopped during the recovery; run it again", List.of());
        } catch (ApiException e) {
            end(id, source, e.error().message(), List.of());
        } catch (RuntimeException e) {
            LOG.errorf(e, "recovery=%d of source %s failed", id, source);
            end(id, source, "unexpected error: " + e, List.of());
        } finally {
            running.remove(id);
            java.util.Set<String> lost;
            synchronized (this) {
                lost = lostMeanwhile.remove(source);
            }
            if (lost != null) {
                startOwn(source, "the target of sink(s) " + String.join(", ", lost) + " lost its data while recovery " + id + " ran",
                        "rows written to it before may be missing", lost);
            }
        }
    }

    /** Waits until the source streams. @return null when it does, otherwise why the recovery cannot go on */
    private String awaitStreaming(long id, String source) throws InterruptedException {
        Instant stoppedSince = null;
        Instant lastWrite = Instant.MIN;
        String lastProgress = null;
        while (true) {
            SourceStatus status = supervisor.status(source);
            SnapshotWatch watch = SnapshotWatch.of(status);
            if (watch instanceof SnapshotWatch.Streaming) {
                store.progress(id, Recovery.Phase.VERIFYING, "the source streams again; listing its tables", status.eventsTotal());
                activity.record(subject(source), ActivityLog.SYSTEM, "recovery snapshot done", "recovery " + id + ": source streams again after "
                        + status.eventsTotal() + " events; verifying and repairing what no snapshot swept next");
                return null;
            }
            if (watch instanceof SnapshotWatch.Failed f) {
                return f.reason();
            }
            SnapshotWatch.Waiting waiting = (SnapshotWatch.Waiting) watch;
            Instant now = clock.instant();
            if (!waiting.stopped()) {
                stoppedSince = null;
            } else if (stoppedSince == null) {
                stoppedSince = now;
            } else if (Duration.between(stoppedSince, now).compareTo(STOPPED_PATIENCE) > 0) {
                return "source '" + source + "' stood " + waiting.progress() + " for more than " + STOPPED_PATIENCE.toSeconds() + " s; start"
                        + " it and run the recovery again";
            }
            if (!waiting.progress().equals(lastProgress) || Duration.between(lastWrite, now).compareTo(PROGRESS_EVERY) >= 0) {
                store.progress(id, Recovery.Phase.SNAPSHOTTING, waiting.progress(), status.eventsTotal());
                lastProgress = waiting.progress();
                lastWrite = now;
            }
            Thread.sleep(POLL.toMillis());
            stopIfCancelled(id);
        }
    }

    /** A person cancelled the recovery: thrown where it polls, caught by its thread's loop. */
    private static final class Cancelled extends RuntimeException {
        final String by;

        Cancelled(String by) {
            super(null, null, false, false);
            this.by = by;
        }
    }

    private void stopIfCancelled(long id) {
        String by = running.get(id).cancelledBy;
        if (by != null) {
            throw new Cancelled(by);
        }
    }

    /** Runs the repairing verifications one after the other and ends the recovery. */
    private void verifyAll(long id, String source, String actor) throws InterruptedException {
        SourceConfig config = sources.runtimeConfig(source);
        List<TableId> all = new ArrayList<>();
        try (Connection c = Backfills.connect(config); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT TABLE_SCHEMA,"
                + " TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE'")) {
            while (rs.next()) {
                all.add(new TableId(source, rs.getString(1), rs.getString(2)));
            }
        } catch (SQLException e) {
            end(id, source, "cannot list the tables of source '" + source + "': " + e.getMessage() + "; check that it is up and run the"
                    + " recovery again", List.of());
            return;
        }
        List<RecoveryPlan.Step> steps = RecoveryPlan.steps(pipelines.ofSource(source), RecoveryPlan.captured(all, config.databases(),
                config.tables()));
        List<String> notes = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, Boolean> hasSchema = new HashMap<>();
        java.util.Set<String> only = running.get(id).sinks;
        if (only != null) {
            steps = steps.stream().filter(step -> only.contains(step.sink())).toList();
            notes.add("only sink(s) " + String.join(", ", new java.util.TreeSet<>(only)) + " verified: the recovery is for them alone");
        }
        int done = 0;
        for (RecoveryPlan.Step step : steps) {
            stopIfCancelled(id);
            done++;
            if (!hasSchema.computeIfAbsent(step.table(), t -> registered(Backfills.tableId(source, t)))) {
                String note = step.table() + ": not verified, it has no registered schema (capture never saw a row of it, so no sink"
                        + " holds one)";
                if (!notes.contains(note)) {
                    notes.add(note);
                }
                continue;
            }
            java.util.OptionalLong swept = supervisor.swept(source, step.sink(), Backfills.tableId(source, step.table()));
            if (swept.isPresent()) {
                // Its snapshot rewrote every row the table holds and the sweep removed what it did not see: the
                // rows deleted before that snapshot, which are what this verification would look for.
                notes.add(step.table() + " against " + step.sink() + ": not verified, its snapshot completed and the sink removed the "
                        + swept.getAsLong() + " rows it did not see");
                continue;
            }
            store.progress(id, Recovery.Phase.VERIFYING, "verification " + done + " of " + steps.size() + ": " + step.table() + " against "
                    + step.sink(), 0);
            VerificationStore.Stored v;
            try {
                v = verifications.start(new VerificationRequest(step.pipeline(), step.table(), step.sink(), null, true), actor);
            } catch (ApiException e) {
                problems.add(step.table() + " against " + step.sink() + " could not be verified: " + e.error().message());
                continue;
            }
            store.addVerification(id, v.id());
            running.get(id).verification = v.id();
            while ("running".equals(v.state())) {
                Thread.sleep(POLL.toMillis());
                stopIfCancelled(id);
                v = verificationStore.get(v.id());
            }
            running.get(id).verification = null;
            if (!"succeeded".equals(v.state())) {
                problems.add("verification " + v.id() + " of " + step.table() + " against " + step.sink() + " failed: " + v.reason());
            }
        }
        if (steps.isEmpty()) {
            notes.add("no table of source '" + source + "' exists now that its pipelines take; nothing to verify");
        }
        end(id, source, problems.isEmpty() ? null : String.join("; ", problems) + ". Fix the cause and run the recovery again: the source"
                + " streams, so it only verifies and repairs", notes);
    }

    private boolean registered(TableId table) {
        try {
            backfills.schemas(table);
            return true;
        } catch (ApiException e) {
            return false;
        }
    }

    /** Ends a recovery (succeeded when {@code reason} is null) and says so in the source's timeline. */
    private void end(long id, String source, String reason, List<String> notes) {
        Recovery r = view(store.get(id));
        String summary = r.verifications().size() + " verification(s): " + r.rowsChecked() + " rows checked, " + r.missing() + " missing, "
                + r.stale() + " stale, " + r.extra() + " extra, " + r.repaired() + " repaired";
        store.finished(id, reason == null ? "recovered: " + summary : "failed", notes, reason);
        activity.record(subject(source), ActivityLog.SYSTEM, reason == null ? "recovered" : "recovery failed", "recovery " + id + ": "
                + (reason == null ? summary : reason));
        if (reason == null) {
            LOG.infof("recovery=%d of source %s succeeded: %s", id, source, summary);
        } else {
            LOG.warnf("recovery=%d of source %s failed: %s", id, source, reason);
        }
    }

    private static String subject(String source) {
        return "source:" + source;
    }
}
