package io.sluice.admin.pipeline;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sluice.admin.activity.ActivityLog;
import io.sluice.admin.api.ApiError;
import io.sluice.admin.api.ApiException;
import io.sluice.admin.sink.SinkStore;
import io.sluice.admin.source.SourceStore;
import io.sluice.backfill.BackfillRun;
import io.sluice.backfill.ChunkWindows;
import io.sluice.capture.CaptureFailure;
import io.sluice.capture.CaptureState;
import io.sluice.capture.CaptureStatus;
import io.sluice.capture.CaptureWorker;
import io.sluice.capture.EventBatchConsumer;
import io.sluice.capture.SourceConfig;
import io.sluice.event.SourceEvent;
import io.sluice.pipeline.Pipeline;
import io.sluice.preflight.Preflight;
import io.sluice.preflight.PreflightReport;
import io.sluice.review.ReviewGate;
import io.sluice.review.SchemaReviews;
import io.sluice.sink.GenerationWatch;
import io.sluice.sink.RetryPolicy;
import io.sluice.sink.Sink;
import io.sluice.sink.SinkRunner;
import io.sluice.sink.WriteResult;
import io.sluice.sink.dlq.DeadLetterQueue;
import io.sluice.sink.dlq.JdbcDeadLetterQueue;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Runs the embedded pipelines: one capture worker per source that pipelines read, feeding every sink of those
 * pipelines; a batch is acknowledged (and the source offset may move past it) only after every sink of the
 * source wrote and flushed it. A sink that is down holds the sources that write to it, and nothing else.
 *
 * <p>What a person asked of each source (running, paused, stopped) is stored and restored at boot. Changing a
 * pipeline or a sink restarts only the sources it touches. A monitor records state changes in the
 * {@link ActivityLog} and keeps the {@link #snapshot()} that metrics and health read.
 *
 * <p>With {@code sluice.runtime=connect} the same control methods drive connectors on Kafka Connect instead
 * ({@link io.sluice.admin.connect.ConnectRuntime}); Connect then holds offsets and keeps them running across
 * restarts of this server.
 *
 * <p>Thread-safe: control methods are serialized; status reads are lock-free.
 */
@ApplicationScoped
public class Supervisor {
    private static final Logger LOG = Logger.getLogger(Supervisor.class);
    private static final Duration REPLAY_TIMEOUT = Duration.ofSeconds(30);

    @Inject
    SourceStore sources;

    @Inject
    SinkStore sinks;

    @Inject
    PipelineStore pipelines;

    @Inject
    SchemaReviews reviews;

    @Inject
    ActivityLog activity;

    @Inject
    DataSource dataSource;

    @Inject
    Clock clock;

    @Inject
    io.sluice.admin.connect.ConnectRuntime connect;

    /** A source's worker and what it writes through: one runner per sink, by sink name, in the pipelines' order. */
    private record Running(CaptureWorker worker, Pipeline pipeline, List<String> pipelines, Map<String, SinkRunner> runners, Instant startedAt) {
    }

    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final Map<String, SharedSink> openSinks = new HashMap<>();
    private final Map<String, SourceStatus> snapshot = new ConcurrentHashMap<>();
    private final Map<String, String> lastState = new HashMap<>();
    private final Map<String, Boolean> lastSinkHealth = new HashMap<>();
    private final Map<String, ChunkWindows> windows = new ConcurrentHashMap<>();
    private final List<BiConsumer<String, List<SourceEvent>>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<BiConsumer<String, io.sluice.capture.RedoneSnapshot>> redone = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<BiConsumer<String, GenerationWatch.Loss>> lost = new java.util.concurrent.CopyOnWriteArrayList<>();
    private DeadLetterQueue dlq;
    private ScheduledExecutorService monitor;
    private ScheduledExecutorService generations;

    void boot(@Observes @Priority(10) StartupEvent event) {
        dlq = new JdbcDeadLetterQueue(dataSource, clock);
        for (SourceStore.Stored s : connect.enabled() ? List.<SourceStore.Stored>of() : sources.list()) {
            String desired = sources.desiredState(s.name());
            if (!"stopped".equals(desired) && !pipelines.ofSource(s.name()).isEmpty()) {
                try {
                    launch(s.name(), ActivityLog.SYSTEM, "boot");
                    if ("paused".equals(desired)) {
                        running.get(s.name()).worker().pause("paused before the server restarted");
                    }
                } catch (RuntimeException e) {
                    LOG.errorf("source=%s could not start at boot: %s", s.name(), e.getMessage());
                }
            }
        }
        monitor = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "sluice-monitor"));
        monitor.scheduleWithFixedDelay(this::observe, 0, 1, TimeUnit.SECONDS);
        // A thread of its own: a check waits for its sink's writes, and for a target that does not answer.
        generations = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "sluice-generations"));
        generations.scheduleWithFixedDelay(this::checkGenerations, GenerationWatch.EVERY.toMillis(), GenerationWatch.EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * Checks the generation of every sink in use, between its writes, whether its sources write or are idle. A
     * target that does not answer is the writers' business: skipped here.
     */
    private void checkGenerations() {
        List<SharedSink> open;
        synchronized (this) {
            open = List.copyOf(openSinks.values());
        }
        for (SharedSink sink : open) {
            try {
                sink.checkGeneration();
            } catch (RuntimeException e) {
                LOG.debugf("sink %s: generation not checked: %s", sink.name(), e.getMessage());
            }
        }
    }

    void shutdown(@Observes ShutdownEvent event) {
        if (monitor != null) {
            monitor.shutdownNow();
        }
        if (generations != null) {
            generations.shutdownNow();
        }
        synchronized (this) {
            for (String source : List.copyOf(running.keySet())) {
                halt(source);
            }
            openSinks.values().forEach(SharedSink::dispose);
            openSinks.clear();
        }
    }

    /** The dead-letter queue of the embedded sinks. */
    public DeadLetterQueue deadLetters() {
        return dlq;
    }

    /**
     * Starts capture of a source, after a preflight check unless forced.
     *
     * @throws ApiException 404; 409 if the preflight found errors (each finding with its fix) and {@code force} is
     *     false, or if no pipeline reads the source
     */
    public synchronized SourceStatus start(String source, String actor, boolean force) {
        sources.get(source);
        if (pipelines.ofSource(source).isEmpty()) {
            throw new ApiException(409, ApiError.of("no_pipeline", "No pipeline reads source '" + source + "', so there is nothing to"
                    + " start; create one with POST /api/v1/pipelines."));
        }
        if (!force) {
            PreflightReport report = Preflight.run(sources.runtimeConfig(source));
            if (report.hasErrors()) {
                throw new ApiException(409, new ApiError("preflight_failed", "The preflight check of source '" + source + "' found "
                        + report.errors().size() + " error(s); fix them (each detail says how) or start with force=true.",
                        report.errors().stream().map(f -> new ApiError.Detail(f.check(), f.message() + " Fix: " + f.fix())).toList()));
            }
        }
        if (connect.enabled()) {
            connect.apply(source);
            sources.setDesiredState(source, "running");
            activity.record("source:" + source, actor, "started", "connectors on Kafka Connect");
            return status(source);
        }
        halt(source);
        sources.setDesiredState(source, "running");
        launch(source, actor, "started");
        return status(source);
    }

    /** Stops capture of a source; it stays stopped across restarts of the server. @throws ApiException 404 */
    public synchronized SourceStatus stop(String source, String actor) {
        sources.get(source);
        sources.setDesiredState(source, "stopped");
        if (connect.enabled()) {
            connect.stop(source);
            activity.record("source:" + source, actor, "stopped", "connectors stopped on Kafka Connect");
        } else if (halt(source)) {
            activity.record("source:" + source, actor, "stopped", null);
        }
        return status(source);
    }

    /**
     * Pauses capture before its next batch: nothing is lost, the offsets stay where the last batch left them.
     *
     * @throws ApiException 404; 409 if the source is not running
     */
    public synchronized SourceStatus pause(String source, String actor) {
        if (connect.enabled()) {
            sources.get(source);
            connect.pause(source);
        } else {
            requireRunning(source, "pause").worker().pause("paused by " + actor);
        }
        sources.setDesiredState(source, "paused");
        activity.record("source:" + source, actor, "paused", null);
        return status(source);
    }

    /** @throws ApiException 404; 409 if the source is not running */
    public synchronized SourceStatus resume(String source, String actor) {
        if (connect.enabled()) {
            sources.get(source);
            connect.resume(source);
        } else {
            requireRunning(source, "resume").worker().resume();
        }
        sources.setDesiredState(source, "running");
        activity.record("source:" + source, actor, "resumed", null);
        return status(source);
    }

    /**
     * Applies a change of configuration: restarts the sources that ran and are touched (those named, and those
     * whose pipelines write to the sinks named); a changed sink is reopened with its new keys.
     */
    public synchronized void reconfigure(Set<String> touchedSources, Set<String> touchedSinks, String actor, String why) {
        Set<String> restart = new LinkedHashSet<>(touchedSources);
        for (String sink : touchedSinks) {
            for (PipelineSpec p : pipelines.list()) {
                if (p.sinks().contains(sink)) {
                    restart.add(p.source());
                }
            }
        }
        if (connect.enabled()) {
            for (String source : restart) {
                if (sources.find(source).isEmpty() || pipelines.ofSource(source).isEmpty()) {
                    connect.delete(source);
                } else if (!"stopped".equals(sources.desiredState(source))) {
                    connect.apply(source);
                }
            }
            return;
        }
        List<String> wasRunning = restart.stream().filter(running::containsKey).toList();
        wasRunning.forEach(this::halt);
        for (String sink : touchedSinks) {
            SharedSink open = openSinks.remove(sink);
            if (open != null) {
                open.dispose();
            }
        }
        for (String source : wasRunning) {
            if (sources.find(source).isPresent() && !pipelines.ofSource(source).isEmpty()) {
                launch(source, actor, "restarted (" + why + ")");
            } else {
                activity.record("source:" + source, actor, "stopped", "no pipeline reads it any more");
            }
        }
    }

    /** Called before a source is deleted. */
    public synchronized void forget(String source) {
        if (connect.enabled()) {
            connect.delete(source);
        }
        halt(source);
        snapshot.remove(source);
    }

    /**
     * Why a source's capture failed, while its worker holds the failed state.
     *
     * @return empty if the source runs in any other state, is not running, or runs on Kafka Connect
     */
    public Optional<CaptureFailure> failure(String source) {
        Running r = running.get(source);
        return r != null && r.worker().status().state() instanceof CaptureState.Failed f ? Optional.of(f.failure()) : Optional.empty();
    }

    /**
     * Starts a source over from a new snapshot: stops its worker, sets its stored offsets and schema history aside
     * (renamed with {@code suffix}, see {@link CaptureWorker#setAsideStoredState}) and starts a new worker, which
     * snapshots the tables and then streams. The source's stored settings, its snapshot mode included, stay as they
     * are. Embedded runtime only.
     *
     * @param why for the timeline, a few words (the action has at most 40 characters), for example {@code recovery 3}
     * @return the files set aside, as they are named now
     * @throws ApiException 404; 409 if no pipeline reads the source, in the connect runtime, or if the files cannot
     *     be renamed (the message names the directory)
     */
    public synchronized List<java.nio.file.Path> resnapshot(String source, String actor, String suffix, String why) {
        sources.get(source);
        if (connect.enabled()) {
            throw new ApiException(409, ApiError.of("not_in_connect_runtime", "Source '" + source + "' runs on Kafka Connect, which keeps"
                    + " its offsets; this server cannot set them aside."));
        }
        if (pipelines.ofSource(source).isEmpty()) {
            throw new ApiException(409, ApiError.of("no_pipeline", "No pipeline reads source '" + source + "', so there is nothing to"
                    + " snapshot; create one with POST /api/v1/pipelines."));
        }
        halt(source);
        SourceConfig config = sources.runtimeConfig(source);
        List<java.nio.file.Path> moved;
        try {
            moved = CaptureWorker.setAsideStoredState(config, suffix);
        } catch (java.io.IOException e) {
            throw new ApiException(409, ApiError.of("offsets_not_movable", "Cannot set aside the stored offsets of source '" + source
                    + "' in " + config.sourceDir() + " (" + e.getMessage() + "); check that the server may rename files there, then"
                    + " try again."));
        }
        sources.setDesiredState(source, "running");
        launch(source, actor, "restarted (" + why + ")");
        return moved;
    }

    /** The sink instance the server runs, opened on first use, for searches and replays. @throws ApiException 404 */
    public synchronized Sink sink(String name) {
        return shared(name).delegate();
    }

    /**
     * Replays dead letters through their sink.
     *
     * @return ids that landed (or would, on a dry run)
     */
    public List<Long> replay(String sink, List<Long> ids, boolean dryRun) throws InterruptedException {
        SharedSink shared;
        synchronized (this) {
            shared = shared(sink);
        }
        // The runner retries an unreachable target for ever; a person waiting on a replay gets an answer instead.
        java.util.concurrent.ExecutorService one = Executors.newSingleThreadExecutor(r -> new Thread(r, "sluice-replay-" + sink));
        try {
            return one.submit(() -> new SinkRunner(shared, dlq, RetryPolicy.defaults(), clock, d -> Thread.sleep(d.toMillis()))
                    .replay(ids, dryRun)).get(REPLAY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new ApiException(503, ApiError.of("sink_unavailable", "Sink '" + sink + "' did not accept the replay within "
                    + REPLAY_TIMEOUT.toSeconds() + " s (its target seems down); entries not replayed stay queued. Try again once"
                    + " the target is back."));
        } catch (java.util.concurrent.ExecutionException e) {
            throw new ApiException(503, ApiError.of("sink_unavailable", "Sink '" + sink + "' failed during the replay: "
                    + e.getCause().getMessage() + "; entries not replayed stay queued."));
        } finally {
            one.shutdownNow();
        }
    }

    /** The backfill windows a source's stream feeds; they outlive restarts of its worker. */
    public ChunkWindows windows(String source) {
        return windows.computeIfAbsent(source, s -> new ChunkWindows());
    }

    /** True while a capture worker runs for the source (in any state, paused or held included). */
    public boolean running(String source) {
        return running.containsKey(source);
    }

    /**
     * Where a backfill writes: the named sinks, through runners of their own (retries and dead letters as for live
     * events) on the shared instances, so that backfilled rows and live events interleave safely. The sinks write
     * and flush each round at the same time, each on a thread of its own.
     *
     * @throws ApiException 404 if a sink does not exist
     */
    public BackfillRun.Target backfillTarget(List<String> sinkNames) {
        List<BackfillRun.Target> each = new ArrayList<>();
        for (String name : sinkNames) {
            SinkRunner r = runner(name, Sink::write);
            each.add(rows -> {
                r.write(rows);
                r.flush();
            });
        }
        return BackfillRun.Target.all(each);
    }

    /**
     * A sink as verify reads it back, its calls serialized with the live writes; empty if it cannot be read back.
     *
     * @throws ApiException 404 if the sink does not exist
     */
    public synchronized java.util.Optional<io.sluice.sink.ReadableSink> readable(String sinkName) {
        return shared(sinkName).readable();
    }

    /**
     * Runs work on a shared sink, serialized with the writes of every source (a reindex swaps its index so).
     *
     * @throws ApiException 404 if the sink does not exist
     */
    public <T> T locked(String sinkName, java.util.function.Function<Sink, T> work) {
        SharedSink shared;
        synchronized (this) {
            shared = shared(sinkName);
        }
        return shared.locked(work);
    }

    /**
     * A runner (retries, dead letters) over a view of a sink that writes through {@code write}, serialized with
     * the sink's other writes: a backfill writes with {@code Sink::write}, a reindex to the new index only.
     *
     * @throws ApiException 404 if the sink does not exist
     */
    public SinkRunner runner(String sinkName, java.util.function.BiFunction<Sink, List<io.sluice.event.ChangeEvent>, WriteResult> write) {
        SharedSink shared;
        synchronized (this) {
            shared = shared(sinkName);
        }
        Sink view = new Sink() {
            @Override
            public String name() {
                return sinkName;
            }

            @Override
            public void open() {
                shared.open();
            }

            @Override
            public WriteResult write(List<io.sluice.event.ChangeEvent> batch) {
                return shared.locked(s -> write.apply(s, batch));
            }

            @Override
            public void flush() {
                shared.flush();
            }

            @Override
            public void close() {
            }
        };
        return new SinkRunner(view, dlq, RetryPolicy.defaults(), clock, d -> Thread.sleep(d.toMillis()));
    }

    /**
     * Calls {@code listener} each time a source's worker takes its snapshot again (see
     * {@link CaptureWorker#redoneSnapshot()}): at once for the workers running now that did, then as it happens. It
     * is called on the thread that starts the worker or its engine, possibly holding this supervisor's lock: it must
     * return quickly and leave any call back into the supervisor to a thread of its own.
     */
    public synchronized void onRedoneSnapshot(BiConsumer<String, io.sluice.capture.RedoneSnapshot> listener) {
        redone.add(listener);
        running.forEach((source, r) -> r.worker().redoneSnapshot().ifPresent(why -> listener.accept(source, why)));
    }

    /**
     * Calls {@code listener} for each source whose pipelines write to a sink whose target lost its data (see
     * {@link GenerationWatch}), once per loss. It is called on the thread that checks the generations, holding the
     * sink: it must return quickly and leave any call back into the supervisor to a thread of its own.
     */
    public void onTargetLost(BiConsumer<String, GenerationWatch.Loss> listener) {
        lost.add(listener);
    }

    /**
     * A sink's target lost its data: what its sweeps removed is no proof any more, and each source writing to it is
     * told. Takes no lock of the supervisor's (a stop may hold it while waiting for the thread that flushes).
     */
    private void targetLost(GenerationWatch.Loss loss) {
        LOG.errorf("sink %s: its target lost its data (generation %s, now %s); documents written before may be missing, so the"
                + " sources writing to it are verified and repaired against it", loss.sink(), loss.was(), loss.now());
        activity.record("sink:" + loss.sink(), ActivityLog.SYSTEM, "target lost its data", "generation " + loss.was() + ", now " + loss.now()
                + "; each source writing to it is verified and repaired against it");
        for (String source : new java.util.TreeSet<>(pipelines.writingTo(loss.sink()).stream().map(PipelineSpec::source).toList())) {
            Running r = running.get(source);
            if (r != null) {
                SinkRunner runner = r.runners().get(loss.sink());
                if (runner != null) {
                    runner.forgetSweeps();
                }
            }
            activity.record("source:" + source, ActivityLog.SYSTEM, "target lost its data", "sink '" + loss.sink() + "': generation "
                    + loss.was() + ", now " + loss.now() + "; documents written to it before may be missing");
            lost.forEach(l -> l.accept(source, loss));
        }
    }

    /** Listens to every batch the sources deliver, after the sinks flushed it (the demo and tests use it). */
    public void onDelivered(BiConsumer<String, List<SourceEvent>> listener) {
        listeners.add(listener);
    }

    private Running requireRunning(String source, String verb) {
        sources.get(source);
        Running r = running.get(source);
        if (r == null) {
            throw new ApiException(409, ApiError.of("not_running", "Source '" + source + "' is not running, so there is nothing to "
                    + verb + "; start it with POST /api/v1/sources/" + source + "/start."));
        }
        return r;
    }

    private void launch(String source, String actor, String action) {
        SourceConfig config = sources.runtimeConfig(source);
        List<PipelineSpec> specs = pipelines.ofSource(source);
        List<Pipeline.Route> routes = new ArrayList<>();
        Map<String, SinkRunner> runners = new java.util.LinkedHashMap<>();
        for (PipelineSpec spec : specs) {
            for (String sinkName : spec.sinks()) {
                // One runner per sink and source: a sink in two pipelines of a source is written once per batch.
                SinkRunner runner = runners.computeIfAbsent(sinkName,
                        n -> new SinkRunner(shared(n), dlq, RetryPolicy.defaults(), clock, d -> Thread.sleep(d.toMillis())));
                routes.add(new Pipeline.Route(runner, spec.tableFilter()));
            }
        }
        Pipeline pipeline = new Pipeline(source, merge(routes));
        ChunkWindows open = windows(source);
        EventBatchConsumer consumer = new EventBatchConsumer() {
            @Override
            public void accept(List<SourceEvent> batch) throws Exception {
                open.observe(batch);
                pipeline.accept(batch);
                for (BiConsumer<String, List<SourceEvent>> l : listeners) {
                    l.accept(source, batch);
                }
            }

            @Override
            public void checkpoint() throws Exception {
                pipeline.checkpoint();
            }

            @Override
            public void reached(String file, long position) {
                open.reached(file, position);
            }

            @Override
            public void snapshotCompleted(Map<io.sluice.event.TableId, Long> snapshots) throws Exception {
                pipeline.snapshotCompleted(snapshots);
            }

            @Override
            public void snapshotRedone(io.sluice.capture.RedoneSnapshot why) {
                runners.values().forEach(SinkRunner::forgetSweeps); // the new snapshot sweeps its tables again
                redone.forEach(l -> l.accept(source, why));
            }
        };
        CaptureWorker worker = new CaptureWorker(config, consumer, new ReviewGate(reviews), clock);
        worker.start();
        running.put(source, new Running(worker, pipeline, specs.stream().map(PipelineSpec::name).toList(), runners, clock.instant()));
        activity.record("source:" + source, actor, action, "pipelines " + specs.stream().map(PipelineSpec::name).toList());
    }

    /** Routes to the same runner merged into one whose table filter is the union: each event is written once. */
    private static List<Pipeline.Route> merge(List<Pipeline.Route> routes) {
        Map<SinkRunner, java.util.function.Predicate<io.sluice.event.TableId>> merged = new java.util.LinkedHashMap<>();
        for (Pipeline.Route r : routes) {
            merged.merge(r.runner(), r.tables(), java.util.function.Predicate::or);
        }
        return merged.entrySet().stream().map(e -> new Pipeline.Route(e.getKey(), e.getValue())).toList();
    }

    private SharedSink shared(String name) {
        SharedSink s = openSinks.get(name);
        if (s == null) {
            SinkStore.Stored stored = sinks.get(name);
            s = new SharedSink(stored.type().create(name, sinks.runtimeKeys(name), clock), sinks.generations(name), clock, this::targetLost);
            openSinks.put(name, s);
        }
        return s;
    }

    /**
     * How many documents a sink removed when the snapshot of a table completed (see {@link SinkRunner#swept}), if the
     * source's running worker took that snapshot since it started or last took its snapshot again; empty otherwise.
     */
    public java.util.OptionalLong swept(String source, String sink, io.sluice.event.TableId table) {
        Running r = running.get(source);
        if (r == null) {
            return java.util.OptionalLong.empty();
        }
        SinkRunner runner = r.runners().get(sink);
        return runner == null ? java.util.OptionalLong.empty() : runner.swept(table);
    }

    /** Stops a source's worker if it runs; the desired state is left alone. */
    private boolean halt(String source) {
        Running r = running.remove(source);
        if (r == null) {
            return false;
        }
        r.worker().close();
        r.pipeline().close();
        return true;
    }

    /** The status of a source now. @throws ApiException 404 */
    public SourceStatus status(String source) {
        String desired = sources.desiredState(source);
        List<String> pipelineNames = pipelines.ofSource(source).stream().map(PipelineSpec::name).toList();
        if (connect.enabled()) {
            return connect.status(source, desired, pipelineNames);
        }
        Running r = running.get(source);
        if (r == null) {
            String state = "stopped".equals(desired) ? "stopped" : pipelineNames.isEmpty() ? "idle" : "stopped";
            String reason = "stopped".equals(desired) ? "stopped by a person" : pipelineNames.isEmpty() ? "no pipeline reads this source"
                    : "not started";
            return new SourceStatus(source, desired, state, reason, null, null, null, 0, 0, null, 0, null, pipelineNames, List.of());
        }
        CaptureStatus c = r.worker().status();
        List<SinkRunner.Status> sinkStatus = r.runners().values().stream().map(SinkRunner::status).toList();
        String state = c.state().label();
        String reason = null;
        String fix = null;
        if (c.state() instanceof CaptureState.Failed f) {
            reason = f.failure().message();
            fix = io.sluice.admin.recovery.RecoveryDecision.fix(source, f.failure());
        } else if (c.state() instanceof CaptureState.Paused p) {
            reason = p.reason();
        } else if (c.state() instanceof CaptureState.Stopped) {
            reason = "the capture engine stopped";
        } else if (r.worker().pauseRequested()) {
            reason = "pausing before the next batch";
        }
        for (SinkRunner.Status s : sinkStatus) {
            if (!s.healthy() && !(c.state() instanceof CaptureState.Failed)) {
                state = "held";
                reason = "sink '" + s.sink() + "' is failing since " + s.failingSince() + ": " + s.lastError();
                fix = "Make the target of sink '" + s.sink() + "' reachable (or fix its configuration); capture resumes by itself"
                        + " and nothing is lost.";
            }
        }
        Long freshness = c.lastActivity() == null ? null : Math.max(0, Duration.between(c.lastActivity(), clock.instant()).toMillis());
        return new SourceStatus(source, desired, state, reason, fix, c.lagMillis(), freshness, c.eventsPerSecond(), c.eventsTotal(),
                c.lastPosition() == null ? null : c.lastPosition().toString(), c.engineRestarts(), r.startedAt(), r.pipelines(), sinkStatus);
    }

    /** The statuses the monitor saw last, by source; metrics and health read these. */
    public Map<String, SourceStatus> snapshot() {
        return snapshot;
    }

    /** Runs once a second: refreshes the snapshot and records state changes in the timeline. */
    private void observe() {
        try {
            Set<String> seen = new java.util.HashSet<>();
            for (SourceStore.Stored s : sources.list()) {
                SourceStatus st = status(s.name());
                seen.add(s.name());
                snapshot.put(s.name(), st);
                String previous = lastState.put(s.name(), st.state());
                // A source first seen held, failed or paused (it got there before the monitor's first look, or was so
                // at boot) is a change worth the timeline too; a first look at a healthy one is not.
                boolean firstLookAtTrouble = previous == null && Set.of("held", "failed", "paused").contains(st.state());
                if (firstLookAtTrouble || previous != null && !previous.equals(st.state())) {
                    activity.record("source:" + s.name(), ActivityLog.SYSTEM, "state:" + st.state(),
                            st.reason() == null ? null : st.reason() + (st.fix() == null ? "" : " Fix: " + st.fix()));
                }
                for (SinkRunner.Status sink : st.sinks()) {
                    Boolean was = lastSinkHealth.put(sink.sink(), sink.healthy());
                    if (was != null && was != sink.healthy()) {
                        activity.record("sink:" + sink.sink(), ActivityLog.SYSTEM, sink.healthy() ? "recovered" : "failing",
                                sink.healthy() ? null : sink.lastError());
                    }
                }
            }
            snapshot.keySet().retainAll(seen);
        } catch (RuntimeException e) {
            LOG.warnf("status monitor failed: %s", e.toString());
        }
    }
}
