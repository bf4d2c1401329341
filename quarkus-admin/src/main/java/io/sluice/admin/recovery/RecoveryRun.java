package io.sluice.admin.recovery;

import io.sluice.admin.activity.ActivityLog;
import io.sluice.admin.backfill.TableSchemas;
import io.sluice.admin.error.RequestRefusedException;
import io.sluice.admin.job.JobRegistry;
import io.sluice.admin.pipeline.PipelineStore;
import io.sluice.admin.runtime.PipelineRuntime;
import io.sluice.admin.source.SourceControl;
import io.sluice.admin.source.SourceDatabase;
import io.sluice.admin.source.SourceStatus;
import io.sluice.admin.source.SourceStore;
import io.sluice.admin.verification.VerificationRequest;
import io.sluice.admin.verification.VerificationState;
import io.sluice.admin.verification.VerificationStore;
import io.sluice.admin.verification.Verifications;
import io.sluice.capture.SourceConfig;
import io.sluice.event.TableId;
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
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * One recovery's job: waits until its source streams (its new snapshot done), then runs one repairing verification
 * per table and sink that no sweep covered, one after the other, and ends the recovery with their totals. It polls
 * its job's cancel flag between steps; cancelled, it stops the verification it waits for and ends failed.
 *
 * <p>Not thread-safe: runs on its job's thread alone.
 */
final class RecoveryRun {
    private static final Logger LOG = Logger.getLogger(RecoveryRun.class);
    /** How often a running recovery looks at its source and its verifications. */
    static final Duration POLL = Duration.ofMillis(500);
    /** How long a source may stand stopped, though it should run, before its recovery gives up. */
    static final Duration STOPPED_PATIENCE = Duration.ofSeconds(60);
    /** How often the events captured during the snapshot are written to the recovery at most. */
    static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);

    /** What a run needs of the server; one set per service. */
    record Services(RecoveryStore store, SourceStore sources, PipelineStore pipelines, SourceControl control, PipelineRuntime runtime,
            Verifications verifications, VerificationStore verificationStore, TableSchemas schemas, ActivityLog activity, Clock clock) {
    }

    private final Services s;
    private final JobRegistry.Job job;
    private final long id;
    private final String source;
    private final String actor;
    /** The sinks to verify; null for all. */
    private final Set<String> sinks;
    /** The verification it waits for; null between verifications. */
    private Long verification;

    RecoveryRun(Services services, JobRegistry.Job job, String source, String actor, Set<String> sinks) {
        this.s = services;
        this.job = job;
        this.id = job.id();
        this.source = source;
        this.actor = actor;
        this.sinks = sinks;
    }

    /** A person cancelled the recovery: thrown where it polls, caught by {@link #run()}. */
    private static final class Cancelled extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String by;

        Cancelled(String by) {
            super(null, null, false, false);
            this.by = by;
        }
    }

    void run() {
        try {
            String failed = awaitStreaming();
            if (failed != null) {
                end(failed, List.of());
                return;
            }
            verifyAll();
        } catch (Cancelled e) {
            if (verification != null) {
                s.verifications().cancel(verification, e.by);
            }
            end("cancelled by " + e.by + "; run the recovery again to verify and repair (once the source streams, it only verifies)",
                    List.of());
        } catch (InterruptedException e) {
            end("the server stopped during the recovery; run it again", List.of());
        } catch (RequestRefusedException e) {
            end(e.getMessage(), List.of());
        } catch (RuntimeException e) {
            LOG.errorf(e, "recovery=%d of source %s failed", id, source);
            end("unexpected error: " + e, List.of());
        }
    }

    /** Waits until the source streams. @return null when it does, otherwise why the recovery cannot go on */
    private String awaitStreaming() throws InterruptedException {
        Instant stoppedSince = null;
        Instant lastWrite = Instant.MIN;
        String lastProgress = null;
        while (true) {
            SourceStatus status = s.control().status(source);
            SnapshotWatch watch = SnapshotWatch.of(status);
            if (watch instanceof SnapshotWatch.Streaming) {
                s.store().progress(id, Recovery.Phase.VERIFYING, "the source streams again; listing its tables", status.eventsTotal());
                s.activity().record(subject(), ActivityLog.SYSTEM, "recovery snapshot done", "recovery " + id + ": source streams again"
                        + " after " + status.eventsTotal() + " events; verifying and repairing what no snapshot swept next");
                return null;
            }
            if (watch instanceof SnapshotWatch.Failed f) {
                return f.reason();
            }
            SnapshotWatch.Waiting waiting = (SnapshotWatch.Waiting) watch;
            Instant now = s.clock().instant();
            if (!waiting.stopped()) {
                stoppedSince = null;
            } else if (stoppedSince == null) {
                stoppedSince = now;
            } else if (Duration.between(stoppedSince, now).compareTo(STOPPED_PATIENCE) > 0) {
                return "source '" + source + "' stood " + waiting.progress() + " for more than " + STOPPED_PATIENCE.toSeconds() + " s; start"
                        + " it and run the recovery again";
            }
            if (!waiting.progress().equals(lastProgress) || Duration.between(lastWrite, now).compareTo(PROGRESS_EVERY) >= 0) {
                s.store().progress(id, Recovery.Phase.SNAPSHOTTING, waiting.progress(), status.eventsTotal());
                lastProgress = waiting.progress();
                lastWrite = now;
            }
            Thread.sleep(POLL.toMillis());
            stopIfCancelled();
        }
    }

    private void stopIfCancelled() {
        job.cancelledBy().ifPresent(by -> {
            throw new Cancelled(by);
        });
    }

    /** Runs the repairing verifications one after the other and ends the recovery. */
    private void verifyAll() throws InterruptedException {
        SourceConfig config = s.sources().runtimeConfig(source);
        List<TableId> all = new ArrayList<>();
        try (Connection c = SourceDatabase.connect(config); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT"
                + " TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE'")) {
            while (rs.next()) {
                all.add(new TableId(source, rs.getString(1), rs.getString(2)));
            }
        } catch (SQLException e) {
            end("cannot list the tables of source '" + source + "': " + e.getMessage() + "; check that it is up and run the recovery"
                    + " again", List.of());
            return;
        }
        List<RecoveryPlan.Step> steps = RecoveryPlan.steps(s.pipelines().ofSource(source), RecoveryPlan.captured(all, config.databases(),
                config.tables()));
        List<String> notes = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, Boolean> hasSchema = new HashMap<>();
        if (sinks != null) {
            steps = steps.stream().filter(step -> sinks.contains(step.sink())).toList();
            notes.add("only sink(s) " + String.join(", ", new TreeSet<>(sinks)) + " verified: the recovery is for them alone");
        }
        PipelineRuntime.Recovering recovering = s.runtime().recovering(source);
        int done = 0;
        for (RecoveryPlan.Step step : steps) {
            stopIfCancelled();
            done++;
            TableId table = SourceDatabase.tableId(source, step.table());
            if (!hasSchema.computeIfAbsent(step.table(), t -> s.schemas().registered(table))) {
                String note = step.table() + ": not verified, it has no registered schema (capture never saw a row of it, so no sink"
                        + " holds one)";
                if (!notes.contains(note)) {
                    notes.add(note);
                }
                continue;
            }
            OptionalLong swept = recovering.swept(step.sink(), table);
            if (swept.isPresent()) {
                // Its snapshot rewrote every row the table holds and the sweep removed what it did not see: the
                // rows deleted before that snapshot, which are what this verification would look for.
                notes.add(step.table() + " against " + step.sink() + ": not verified, its snapshot completed and the sink removed the "
                        + swept.getAsLong() + " rows it did not see");
                continue;
            }
            s.store().progress(id, Recovery.Phase.VERIFYING, "verification " + done + " of " + steps.size() + ": " + step.table()
                    + " against " + step.sink(), 0);
            VerificationStore.Stored v;
            try {
                v = s.verifications().start(new VerificationRequest(step.pipeline(), step.table(), step.sink(), null, true), actor);
            } catch (RequestRefusedException e) {
                problems.add(step.table() + " against " + step.sink() + " could not be verified: " + e.getMessage());
                continue;
            }
            s.store().addVerification(id, v.id());
            verification = v.id();
            while (v.state() == VerificationState.RUNNING) {
                Thread.sleep(POLL.toMillis());
                stopIfCancelled();
                v = s.verificationStore().get(v.id());
            }
            verification = null;
            if (v.state() != VerificationState.SUCCEEDED) {
                problems.add("verification " + v.id() + " of " + step.table() + " against " + step.sink() + " failed: " + v.reason());
            }
        }
        if (steps.isEmpty()) {
            notes.add("no table of source '" + source + "' exists now that its pipelines take; nothing to verify");
        }
        end(problems.isEmpty() ? null : String.join("; ", problems) + ". Fix the cause and run the recovery again: the source streams,"
                + " so it only verifies and repairs", notes);
    }

    /** Ends the recovery (succeeded when {@code reason} is null) and says so in the source's timeline. */
    void end(String reason, List<String> notes) {
        end(s, id, source, reason, notes);
    }

    /** Ends a recovery (succeeded when {@code reason} is null) and says so in the source's timeline. */
    static void end(Services s, long id, String source, String reason, List<String> notes) {
        RecoveryStore.Stored stored = s.store().get(id);
        Recovery r = Recovery.of(stored, stored.verificationIds().stream().map(s.verificationStore()::get).toList());
        String summary = r.verifications().size() + " verification(s): " + r.rowsChecked() + " rows checked, " + r.missing() + " missing, "
                + r.stale() + " stale, " + r.extra() + " extra, " + r.repaired() + " repaired";
        s.store().finished(id, reason == null ? "recovered: " + summary : "failed", notes, reason);
        s.activity().record("source:" + source, ActivityLog.SYSTEM, reason == null ? "recovered" : "recovery failed", "recovery " + id
                + ": " + (reason == null ? summary : reason));
        if (reason == null) {
            LOG.infof("recovery=%d of source %s succeeded: %s", id, source, summary);
        } else {
            LOG.warnf("recovery=%d of source %s failed: %s", id, source, reason);
        }
    }

    private String subject() {
        return "source:" + source;
    }
}
