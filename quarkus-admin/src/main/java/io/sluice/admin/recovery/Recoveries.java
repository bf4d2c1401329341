package io.sluice.admin.recovery;

import io.sluice.admin.activity.ActivityLog;
import io.sluice.admin.backfill.TableSchemas;
import io.sluice.admin.error.ConflictException;
import io.sluice.admin.error.NotFoundException;
import io.sluice.admin.error.RequestRefusedException;
import io.sluice.admin.job.JobRegistry;
import io.sluice.admin.leadership.Leadership;
import io.sluice.admin.pipeline.PipelineSpec;
import io.sluice.admin.pipeline.PipelineStore;
import io.sluice.admin.runtime.PipelineRuntime;
import io.sluice.admin.source.DesiredState;
import io.sluice.admin.source.SourceControl;
import io.sluice.admin.source.SourceNotice;
import io.sluice.admin.source.SourceStatus;
import io.sluice.admin.source.SourceStore;
import io.sluice.admin.verification.VerificationStore;
import io.sluice.admin.verification.Verifications;
import io.sluice.capture.CaptureFailure;
import io.sluice.sink.GenerationWatch;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
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
 * takes its source's snapshot again, or a sink's target lost its data ({@link SourceNotice}). A person may cancel a
 * running one ({@link #cancel}). Every step is in the source's timeline. The runtime may refuse recoveries
 * ({@link PipelineRuntime#recovering}). Each runs as a job ({@link RecoveryRun}).
 *
 * <p>Thread-safe: starts are serialized.
 */
@ApplicationScoped
public class Recoveries {
    private static final Logger LOG = Logger.getLogger(Recoveries.class);
    /** How long a cancel waits for the recovery to end: it sees the request within a poll. */
    static final Duration CANCEL_WAIT = Duration.ofSeconds(30);
    /** What a recovery does once its source streams, in the timeline's words. */
    private static final String VERIFIES = "verifies and repairs every table and sink no snapshot swept";
    private static final String WAITS = "waits until the source streams, then " + VERIFIES;

    @Inject
    RecoveryStore store;

    @Inject
    SourceStore sources;

    @Inject
    PipelineStore pipelines;

    @Inject
    SourceControl control;

    @Inject
    PipelineRuntime runtime;

    @Inject
    JobRegistry jobs;

    @Inject
    Verifications verifications;

    @Inject
    VerificationStore verificationStore;

    @Inject
    TableSchemas schemas;

    @Inject
    ActivityLog activity;

    @Inject
    Clock clock;

    /**
     * By source, the sinks whose targets lost their data while a recovery of the source ran: it may have verified
     * them before, so another follows it for them. Guarded by this.
     */
    private final Map<String, Set<String>> lostMeanwhile = new HashMap<>();
    /** Notices that came before this service booted; handled once it has. Guarded by this. */
    private final List<SourceNotice> beforeBoot = new ArrayList<>();
    private boolean booted;

    void boot(@Observes @Priority(35) Leadership.Elected event) {
        List<RecoveryStore.Stored> cutShort = store.abandonRunning();
        // Runs after the runtime's boot, which started the sources. Recoveries cut short are continued first, so that a
        // source whose snapshot is taken again at this boot gets that one, not another started for the redo.
        for (RecoveryStore.Stored r : cutShort) {
            // A source deleted since has nothing left to repair; one a person stopped waits for them.
            if (sources.find(r.source()).isPresent() && sources.desiredState(r.source()) != DesiredState.STOPPED) {
                startOwn(r.source(), "recovery " + r.id() + " was cut short by a server stop", "its repairs may be unfinished", null);
            }
        }
        List<SourceNotice> early;
        synchronized (this) {
            booted = true;
            early = List.copyOf(beforeBoot);
            beforeBoot.clear();
        }
        early.forEach(this::handOver);
    }

    /** A source's worker takes its snapshot again: rows deleted before it may be left in the sinks. */
    void snapshotTakenAgain(@Observes SourceNotice.SnapshotTakenAgain notice) {
        handOver(notice);
    }

    /** A source's capture reads from another server: what the new one never received may be left in the sinks. */
    void serverChanged(@Observes SourceNotice.ServerChanged notice) {
        handOver(notice);
    }

    /** A sink's target lost its data: the sources writing to it are verified against it. */
    void targetLost(@Observes SourceNotice.TargetLost notice) {
        handOver(notice);
    }

    /**
     * Starts the recovery a notice calls for from a thread of its own: observers are called on capture or checking
     * threads that may hold the runtime's locks, and a start takes this service's lock before the runtime's.
     */
    private void handOver(SourceNotice notice) {
        synchronized (this) {
            if (!booted) {
                beforeBoot.add(notice);
                return;
            }
        }
        Runnable start;
        if (notice instanceof SourceNotice.SnapshotTakenAgain redo) {
            start = () -> startOwn(redo.source(), "snapshot taken again: " + redo.why().description(), "rows deleted before the new"
                    + " snapshot may be left in the sinks", null);
        } else if (notice instanceof SourceNotice.ServerChanged moved) {
            start = () -> startOwn(moved.source(), "the source's server changed from " + moved.change().from() + " to " + moved.change().to(),
                    "changes the old server committed that the new one never received may be left in the sinks", null);
        } else if (notice instanceof SourceNotice.TargetLost lost) {
            GenerationWatch.Loss loss = lost.loss();
            start = () -> startOwn(lost.source(), "the target of sink '" + loss.sink() + "' lost its data (generation " + loss.was()
                    + ", now " + loss.now() + ")", "rows written to it before may be missing", Set.of(loss.sink()));
        } else {
            return;
        }
        Thread t = new Thread(start, "sluice-recovery-start-" + notice.source());
        t.setDaemon(true);
        t.start();
    }

    /**
     * Starts, as a job, a recovery that no person asked for, unless one of the source runs: it waits until the source
     * streams, then verifies and repairs each table and sink that no sweep covered since (see
     * {@link io.sluice.sink.Sweepable#sweep}); no offsets are set aside. The server starts one when a source's worker
     * takes its snapshot again, since rows deleted before the new snapshot began are in no event it reads, when a
     * sink's target lost its data (that recovery verifies that sink only), and at boot for each recovery a server
     * stop cut short (which verifies every sink: which ones it was for is not stored). A runtime that cannot recover
     * sources leaves it out, with a line in the log. Must not be called holding the runtime's locks.
     *
     * @param sinks the sinks to verify, or null for all
     */
    private void startOwn(String source, String cause, String why, Set<String> sinks) {
        try {
            runtime.recovering(source);
        } catch (RequestRefusedException e) {
            LOG.warnf("source %s: %s, but no recovery starts: %s", source, cause, e.getMessage());
            return;
        }
        synchronized (this) {
            Optional<RecoveryStore.Stored> latest = store.latest(source);
            if (latest.isPresent() && latest.get().state() == Recovery.State.RUNNING) {
                if (sinks != null) {
                    lostMeanwhile.computeIfAbsent(source, s -> new TreeSet<>()).addAll(sinks);
                    LOG.warnf("source %s: %s while recovery %d runs; another recovery follows it for sink(s) %s", source, cause,
                            latest.get().id(), sinks);
                }
                return;
            }
            long id = store.create(source, cause, false, ActivityLog.SYSTEM).id();
            activity.record(subject(source), ActivityLog.SYSTEM, "recovery started", "recovery " + id + ", " + cause + ": " + why
                    + "; " + (sinks == null ? WAITS : "waits until the source streams, then verifies and repairs every table against sink(s) "
                            + String.join(", ", new TreeSet<>(sinks))));
            LOG.warnf("recovery=%d of source %s started: %s", id, source, cause);
            launch(id, source, ActivityLog.SYSTEM, sinks);
        }
    }

    /**
     * Decides, and starts a recovery; a new snapshot starts before this returns.
     *
     * @throws NotFoundException for an unknown source
     * @throws ConflictException when the runtime cannot recover sources, there is nothing to recover from, a recovery of the
     *     source runs, or the failure is one a snapshot does not cure (each names the source, its state and the fix)
     */
    public synchronized Recovery start(String source, String actor) {
        sources.get(source);
        PipelineRuntime.Recovering recovering = runtime.recovering(source);
        SourceStatus status = control.status(source);
        Optional<CaptureFailure> failure = runtime.failure(source);
        Optional<Recovery> latest = store.latest(source).map(this::view);
        RecoveryDecision decision = RecoveryDecision.decide(source, pipelines.ofSource(source).stream().map(PipelineSpec::name).toList(),
                status, failure, latest);
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
                List<Path> moved = recovering.resnapshot(actor, ".recovery-" + id, "recovery " + id);
                store.progress(id, Recovery.Phase.SNAPSHOTTING, "new snapshot started; set aside: " + (moved.isEmpty() ? "nothing was"
                        + " stored" : String.join(", ", moved.stream().map(p -> p.getFileName().toString()).toList())), 0);
            } catch (RequestRefusedException e) {
                RecoveryRun.end(services(), id, source, "could not start the new snapshot: " + e.getMessage(), List.of());
                throw e;
            }
        }
        launch(id, source, actor, null);
        return get(source, id);
    }

    /** Runs a stored recovery as a job. @param sinks the sinks to verify, or null for all */
    private void launch(long id, String source, String actor, Set<String> sinks) {
        jobs.start(JobRegistry.Type.RECOVERY, id, "sluice-recovery-" + id, job -> {
            try {
                new RecoveryRun(services(), job, source, actor, sinks).run();
            } finally {
                followUp(id, source);
            }
        });
    }

    /** A recovery ended: one follows it for the sinks whose targets lost their data meanwhile. */
    private void followUp(long id, String source) {
        Set<String> lost;
        synchronized (this) {
            lost = lostMeanwhile.remove(source);
        }
        if (lost != null) {
            startOwn(source, "the target of sink(s) " + String.join(", ", lost) + " lost its data while recovery " + id + " ran",
                    "rows written to it before may be missing", lost);
        }
    }

    private RecoveryRun.Services services() {
        return new RecoveryRun.Services(store, sources, pipelines, control, runtime, verifications, verificationStore, schemas, activity,
                clock);
    }

    /**
     * Stops a running recovery at its next poll and waits until it ended ({@link #CANCEL_WAIT} at most): the
     * verification it waits for is stopped too (what it repaired stays repaired), and the recovery ends failed with
     * who cancelled it. Running the recovery again once the source streams then only verifies and repairs.
     *
     * @throws NotFoundException for an unknown source or recovery
     * @throws ConflictException if it does not run (any more)
     */
    public Recovery cancel(String source, long id, String actor) {
        Recovery r = get(source, id);
        if (r.state() != Recovery.State.RUNNING || !jobs.cancel(JobRegistry.Type.RECOVERY, id, actor, CANCEL_WAIT)) {
            throw new ConflictException("not_running", "Recovery " + id + " of source '" + source + "' is " + r.state().label() + ", so there"
                    + " is nothing to cancel; GET /api/v1/sources/" + source + "/recoveries lists the source's recoveries.");
        }
        return get(source, id);
    }

    /** A source's recoveries, newest first (100 at most). @throws NotFoundException for an unknown source */
    public List<Recovery> list(String source) {
        sources.get(source);
        return store.ofSource(source, 100).stream().map(this::view).toList();
    }

    /** @throws NotFoundException for an unknown source, or a recovery that is not one of the source's */
    public Recovery get(String source, long id) {
        sources.get(source);
        RecoveryStore.Stored r = store.get(id);
        if (!r.source().equals(source)) {
            throw new NotFoundException("Recovery " + id + " is not one of source '" + source + "'; GET /api/v1/sources/" + source
                    + "/recoveries lists them.");
        }
        return view(r);
    }

    private Recovery view(RecoveryStore.Stored r) {
        return Recovery.of(r, r.verificationIds().stream().map(verificationStore::get).toList());
    }

    private static String subject(String source) {
        return "source:" + source;
    }
}
