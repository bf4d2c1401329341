package io.sluice.admin.runtime.embedded;

import io.sluice.admin.SluiceConfig;
import io.sluice.admin.activity.ActivityLog;
import io.sluice.admin.backfill.TableSchemas;
import io.sluice.admin.contract.RuleHolds;
import io.sluice.admin.contract.TableContracts;
import io.sluice.admin.error.ConflictException;
import io.sluice.admin.leadership.Leadership;
import io.sluice.admin.pipeline.PipelineSpec;
import io.sluice.admin.pipeline.PipelineStore;
import io.sluice.admin.runtime.PipelineRuntime;
import io.sluice.admin.sink.SharedSinks;
import io.sluice.admin.source.DesiredState;
import io.sluice.admin.source.FailureFixes;
import io.sluice.admin.source.SourceDatabase;
import io.sluice.admin.source.SourceNotice;
import io.sluice.admin.source.SourceState;
import io.sluice.admin.source.SourceStatus;
import io.sluice.admin.source.SourceStore;
import io.sluice.admin.view.ViewSchemaUses;
import io.sluice.admin.view.ViewStore;
import io.sluice.backfill.BackfillRun;
import io.sluice.backfill.ChunkWindows;
import io.sluice.capture.CaptureFailure;
import io.sluice.capture.CaptureState;
import io.sluice.capture.CaptureStatus;
import io.sluice.capture.CaptureWorker;
import io.sluice.capture.SourceConfig;
import io.sluice.contract.ContractCheck;
import io.sluice.event.TableId;
import io.sluice.review.ReviewGate;
import io.sluice.review.SchemaReviews;
import io.sluice.sink.ReadableSink;
import io.sluice.sink.SinkRunner;
import io.sluice.view.ViewDefinition;
import io.sluice.view.ViewEngine;
import io.sluice.view.ViewStatus;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The embedded runtime ({@code sluice.runtime=embedded}): one capture worker per source that pipelines read, in
 * this server, feeding every sink of those pipelines through the {@link SharedSinks}; a batch is acknowledged (and
 * the source offset may move past it) only after every sink of the source wrote and flushed it. A sink that is down
 * holds the sources that write to it, and nothing else. At boot it starts the sources a person left running or
 * paused. It can do everything {@link PipelineRuntime.Ability} names.
 *
 * <p>Thread-safe: control calls are serialized; status reads are lock-free.
 */
@Dependent
@Typed(EmbeddedRuntime.class)
public class EmbeddedRuntime implements PipelineRuntime {
    private static final Logger LOG = Logger.getLogger(EmbeddedRuntime.class);

    @Inject
    SourceStore sources;

    @Inject
    PipelineStore pipelines;

    @Inject
    SharedSinks sinks;

    @Inject
    SchemaReviews reviews;

    @Inject
    ActivityLog activity;

    @Inject
    EmbeddedBackfills backfills;

    @Inject
    ViewRebuilds rebuilds;

    @Inject
    ViewStore viewStore;

    @Inject
    ViewSchemaUses viewUses;

    @Inject
    TableSchemas schemas;

    @Inject
    TableContracts contracts;

    @Inject
    RuleHolds holds;

    @Inject
    Leadership leadership;

    @Inject
    SluiceConfig config;

    @Inject
    Clock clock;

    @Inject
    Event<SourceNotice.BatchDelivered> delivered;

    @Inject
    Event<SourceNotice.SnapshotTakenAgain> snapshotsTakenAgain;

    @Inject
    Event<SourceNotice.ServerChanged> serversChanged;

    private final Map<String, SourceWorker> running = new ConcurrentHashMap<>();
    private final Map<String, ChunkWindows> windows = new ConcurrentHashMap<>();

    @Override
    public void start() {
        for (SourceStore.Stored s : sources.list()) {
            DesiredState desired = sources.desiredState(s.name());
            if (desired != DesiredState.STOPPED && !pipelines.ofSource(s.name()).isEmpty()) {
                try {
                    launch(s.name(), ActivityLog.SYSTEM, "boot");
                    if (desired == DesiredState.PAUSED) {
                        running.get(s.name()).worker().pause("paused before the server restarted");
                    }
                } catch (RuntimeException e) {
                    LOG.errorf("source=%s could not start at boot: %s", s.name(), e.getMessage());
                }
            }
        }
        backfills.start(this);
        rebuilds.start(source -> Optional.ofNullable(running.get(source)).map(SourceWorker::views));
    }

    @Override
    public void close() {
        rebuilds.close();
        backfills.close();
        synchronized (this) {
            for (String source : List.copyOf(running.keySet())) {
                halt(source);
            }
        }
    }

    @Override
    public synchronized void start(String source, String actor) {
        halt(source);
        launch(source, actor, "started");
    }

    @Override
    public synchronized void stop(String source, String actor) {
        if (halt(source)) {
            activity.record("source:" + source, actor, "stopped", null);
        }
    }

    @Override
    public synchronized void pause(String source, String actor) {
        requireRunning(source, "pause").worker().pause("paused by " + actor);
    }

    @Override
    public synchronized void resume(String source, String actor) {
        requireRunning(source, "resume").worker().resume();
    }

    @Override
    public synchronized void reconfigure(Set<String> touched, Set<String> changedSinks, String actor, String why) {
        List<String> wasRunning = touched.stream().filter(running::containsKey).toList();
        wasRunning.forEach(this::halt);
        sinks.close(changedSinks);
        for (String source : wasRunning) {
            if (sources.find(source).isPresent() && !pipelines.ofSource(source).isEmpty()) {
                launch(source, actor, "restarted (" + why + ")");
            } else {
                activity.record("source:" + source, actor, "stopped", "no pipeline reads it any more");
            }
        }
    }

    @Override
    public synchronized void forget(String source) {
        halt(source);
    }

    @Override
    public SourceStatus status(String source, DesiredState desired, List<String> pipelineNames) {
        SourceWorker r = running.get(source);
        if (r == null) {
            if (desired == DesiredState.STOPPED) {
                return SourceStatus.without(source, desired, SourceState.STOPPED, "stopped by a person", null, pipelineNames);
            }
            if (!leadership.leads()) {
                return SourceStatus.without(source, desired, SourceState.STOPPED, "this server stands by: " + leadership.leader()
                        + ", and runs the source", null, pipelineNames);
            }
            return pipelineNames.isEmpty()
                    ? SourceStatus.without(source, desired, SourceState.IDLE, "no pipeline reads this source", null, pipelineNames)
                    : SourceStatus.without(source, desired, SourceState.STOPPED, "not started", null, pipelineNames);
        }
        CaptureStatus c = r.worker().status();
        List<SinkRunner.Status> sinkStatus = r.runners().values().stream().map(SinkRunner::status).toList();
        SourceState state = SourceState.of(c.state());
        String reason = null;
        String fix = null;
        if (c.state() instanceof CaptureState.Failed f) {
            reason = f.failure().message();
            fix = FailureFixes.fix(source, f.failure());
        } else if (c.state() instanceof CaptureState.Paused p) {
            reason = p.reason();
        } else if (c.state() instanceof CaptureState.Stopped) {
            reason = "the capture engine stopped";
        } else if (r.worker().pauseRequested()) {
            reason = "pausing before the next batch";
        }
        for (SinkRunner.Status s : sinkStatus) {
            if (!s.healthy() && state != SourceState.FAILED) {
                state = SourceState.HELD;
                reason = "sink '" + s.sink() + "' is failing since " + s.failingSince() + ": " + s.lastError();
                fix = "Make the target of sink '" + s.sink() + "' reachable (or fix its configuration); capture resumes by itself"
                        + " and nothing is lost.";
            }
        }
        Long freshness = c.lastActivity() == null ? null : Math.max(0, Duration.between(c.lastActivity(), clock.instant()).toMillis());
        return new SourceStatus(source, desired, state, reason, fix, c.lagMillis(), freshness, c.eventsPerSecond(), c.eventsTotal(),
                c.lastPosition() == null ? null : c.lastPosition().toString(), c.engineRestarts(), r.startedAt(), r.pipelines(), sinkStatus);
    }

    @Override
    public Optional<CaptureFailure> failure(String source) {
        SourceWorker r = running.get(source);
        return r != null && r.worker().status().state() instanceof CaptureState.Failed f ? Optional.of(f.failure()) : Optional.empty();
    }

    @Override
    public void targetLost(String sink) {
        for (SourceWorker r : running.values()) {
            SinkRunner runner = r.runners().get(sink);
            if (runner != null) {
                runner.forgetSweeps();
            }
        }
    }

    @Override
    public Backfilling backfills() {
        return backfills;
    }

    @Override
    public Verifying verifying(String source) {
        return new Verifying() {
            @Override
            public ChunkWindows windows() {
                return EmbeddedRuntime.this.windows(source);
            }

            @Override
            public boolean streams() {
                return running.containsKey(source);
            }

            @Override
            public ReadableSink readable(String sink) {
                return sinks.readable(sink);
            }

            @Override
            public BackfillRun.Target repairs(String sink) {
                return sinks.target(List.of(sink));
            }
        };
    }

    @Override
    public Recovering recovering(String source) {
        return new Recovering() {
            @Override
            public List<Path> resnapshot(String actor, String suffix, String why) {
                return EmbeddedRuntime.this.resnapshot(source, actor, suffix, why);
            }

            @Override
            public OptionalLong swept(String sink, TableId table) {
                SourceWorker r = running.get(source);
                SinkRunner runner = r == null ? null : r.runners().get(sink);
                return runner == null ? OptionalLong.empty() : runner.swept(table);
            }
        };
    }

    /** Never called: this runtime can do everything {@link Ability} names. */
    @Override
    public ConflictException refusal(Ability ability, String subject) {
        throw new IllegalStateException("the embedded runtime can do " + ability);
    }

    /** The backfill windows a source's stream feeds; they outlive restarts of its worker. */
    ChunkWindows windows(String source) {
        return windows.computeIfAbsent(source, s -> new ChunkWindows());
    }

    /** Whether a capture worker runs for the source (in any state, paused or held included). */
    boolean running(String source) {
        return running.containsKey(source);
    }

    private synchronized List<Path> resnapshot(String source, String actor, String suffix, String why) {
        if (pipelines.ofSource(source).isEmpty()) {
            throw new ConflictException("no_pipeline", "No pipeline reads source '" + source + "', so there is nothing to snapshot;"
                    + " create one with POST /api/v1/pipelines.");
        }
        halt(source);
        SourceConfig config = sources.runtimeConfig(source);
        List<Path> moved;
        try {
            moved = CaptureWorker.setAsideStoredState(config, suffix);
        } catch (IOException e) {
            throw new ConflictException("offsets_not_movable", "Cannot set aside the stored offsets of source '" + source + "' in "
                    + config.sourceDir() + " (" + e.getMessage() + "); check that the server may rename files there, then try again.");
        }
        sources.setDesiredState(source, DesiredState.RUNNING);
        launch(source, actor, "restarted (" + why + ")");
        return moved;
    }

    private SourceWorker requireRunning(String source, String verb) {
        SourceWorker r = running.get(source);
        if (r == null) {
            throw new ConflictException("not_running", "Source '" + source + "' is not running, so there is nothing to " + verb
                    + "; start it with POST /api/v1/sources/" + source + "/start.");
        }
        return r;
    }

    @Override
    public List<ViewStatus> views(String source) {
        SourceWorker r = running.get(source);
        return r == null ? List.of() : r.views().status();
    }

    @Override
    public Map<String, ContractCheck.Counts> ruleCounts(String source) {
        SourceWorker r = running.get(source);
        return r == null ? Map.of() : r.contracts().counts();
    }

    @Override
    public List<ContractCheck.Failed> ruleFailures(String source, String stem) {
        SourceWorker r = running.get(source);
        return r == null ? List.of() : r.contracts().recentFailures(stem);
    }

    private void launch(String source, String actor, String action) {
        holds.clear(source); // a change still failing its ERROR rule holds the new worker again
        List<PipelineSpec> specs = pipelines.ofSource(source);
        SourceConfig config = sources.runtimeConfig(source);
        Map<String, Set<String>> viewsOf = new LinkedHashMap<>();
        List<ViewEngine.Declared> declared = new ArrayList<>();
        for (PipelineSpec spec : specs) {
            for (ViewDefinition view : viewStore.ofPipeline(spec.name())) {
                viewsOf.computeIfAbsent(spec.name(), n -> new LinkedHashSet<>()).add(view.name());
                declared.add(new ViewEngine.Declared(view, t -> spec.tableFilter().test(SourceDatabase.tableId(source, t))));
            }
        }
        ViewEngine views = new ViewEngine(source, declared, () -> SourceDatabase.connect(config), schemas::value,
                this.config.views().fanOutCap(), rebuilds::enqueue);
        SourceWorker worker = SourceWorker.start(config, specs, viewsOf, views, contracts::of, sinks, windows(source),
                new ReviewGate(reviews, viewUses),
                clock, new SourceWorker.Listener() {
                    @Override
                    public void delivered(SourceNotice.BatchDelivered batch) {
                        delivered.fire(batch);
                    }

                    @Override
                    public void snapshotTakenAgain(SourceNotice.SnapshotTakenAgain notice) {
                        snapshotsTakenAgain.fire(notice);
                    }

                    @Override
                    public void serverChanged(SourceNotice.ServerChanged notice) {
                        // Backfills, repairs and views write versions too: they read the epoch from the source's settings.
                        sources.raiseEpoch(source, notice.change().epoch());
                        activity.record("source:" + source, ActivityLog.SYSTEM, "server changed", "reads from " + notice.change().to()
                                + " now (before: " + notice.change().from() + "); resumed by GTID, versions under epoch " + notice.change().epoch()
                                + " from now on (version.epoch raised); a verification with repair follows");
                        serversChanged.fire(notice);
                    }

                    @Override
                    public void held(ContractCheck.Held change) {
                        holds.holds(source, change);
                    }

                    @Override
                    public boolean released(ContractCheck.Held change) {
                        return holds.released(source, change);
                    }
                });
        running.put(source, worker);
        activity.record("source:" + source, actor, action, "pipelines " + specs.stream().map(PipelineSpec::name).toList());
    }

    /** Stops a source's worker if it runs; the desired state is left alone. */
    private boolean halt(String source) {
        SourceWorker r = running.remove(source);
        if (r == null) {
            return false;
        }
        r.close();
        return true;
    }
}
