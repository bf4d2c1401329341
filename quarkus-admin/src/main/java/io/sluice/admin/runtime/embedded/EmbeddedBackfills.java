package io.sluice.admin.runtime.embedded;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.sluice.admin.activity.ActivityLog;
import io.sluice.admin.backfill.BackfillRequest;
import io.sluice.admin.backfill.BackfillState;
import io.sluice.admin.backfill.BackfillStore;
import io.sluice.admin.backfill.BackfillStore.Stored;
import io.sluice.admin.backfill.TableSchemas;
import io.sluice.admin.contract.ContractTarget;
import io.sluice.admin.contract.TableContracts;
import io.sluice.admin.error.ConflictException;
import io.sluice.admin.error.RequestRefusedException;
import io.sluice.admin.job.JobRegistry;
import io.sluice.admin.pipeline.PipelineSpec;
import io.sluice.admin.runtime.PipelineRuntime;
import io.sluice.admin.sink.SharedSinks;
import io.sluice.admin.source.SourceDatabase;
import io.sluice.admin.source.SourceStore;
import io.sluice.backfill.BackfillException;
import io.sluice.backfill.BackfillRun;
import io.sluice.capture.SourceConfig;
import io.sluice.event.TableId;
import io.sluice.registry.RegistryException;
import io.sluice.sink.FatalSinkException;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;
import org.jboss.logging.Logger;

/**
 * Backfills in the embedded runtime: each runs on a job of its own ({@link JobRegistry}), table after table, with a
 * {@link BackfillRun} fed by the source's stream (its {@code ChunkWindows}), writing through the shared sinks.
 * Each written chunk is checkpointed; at boot, backfills that were running resume from their checkpoint and paused
 * ones come back paused. A reindex writes into a new index that is swapped in behind the table's alias
 * ({@link Reindexing}); one cut short by a stop starts over.
 *
 * <p>Thread-safe.
 */
@Dependent
class EmbeddedBackfills implements PipelineRuntime.Backfilling {
    private static final Logger LOG = Logger.getLogger(EmbeddedBackfills.class);
    /** Chunks that may wait for the stream at once: an idle source passes a point only at its next heartbeat. */
    static final int PARALLEL_CHUNKS = 16;
    /** How long a server stopping waits for each running backfill. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    @Inject
    BackfillStore store;

    @Inject
    SourceStore sources;

    @Inject
    SharedSinks sinks;

    @Inject
    TableContracts contracts;

    @Inject
    TableSchemas schemas;

    @Inject
    JobRegistry jobs;

    @Inject
    ActivityLog activity;

    @Inject
    MeterRegistry meters;

    @Inject
    Clock clock;

    /** The run of the table each running backfill is on now; absent until its first table starts. */
    private final Map<Long, AtomicReference<BackfillRun>> runs = new ConcurrentHashMap<>();
    /** Backfills paused before their next table's run exists: that run starts paused. */
    private final Map<Long, Boolean> pausedAtStart = new ConcurrentHashMap<>();
    private EmbeddedRuntime runtime;
    private volatile boolean stopping;

    /** Called once by the runtime, after its sources started. */
    void start(EmbeddedRuntime runtime) {
        this.runtime = runtime;
    }

    /** Stops every running backfill; each resumes from its last checkpoint at the next boot. */
    void close() {
        stopping = true;
        jobs.interruptAll(JobRegistry.Type.BACKFILL, STOP_WAIT);
        jobs.interruptAll(JobRegistry.Type.REINDEX, STOP_WAIT);
    }

    @Override
    public void resumeAtBoot(List<Stored> active) {
        for (Stored b : active) {
            if (b.state() == BackfillState.PAUSED) {
                pausedAtStart.put(b.id(), true);
            }
            launch(b);
            LOG.infof("backfill=%d resumed at boot (%s, table %d of %d, %d rows written)", b.id(), b.state().label(), b.tableIndex() + 1,
                    b.tables().size(), b.rowsWritten());
        }
    }

    /** A backfill needs the source's stream to decide which rows are current. */
    @Override
    public void check(PipelineSpec pipeline, BackfillRequest request) {
        if (!runtime.running(pipeline.source())) {
            throw new ConflictException("source_not_running", "Source '" + pipeline.source() + "' is not running; a backfill needs its"
                    + " change stream to decide which rows are current. Start it (POST /api/v1/sources/" + pipeline.source()
                    + "/start) and try again.");
        }
    }

    @Override
    public void launch(Stored b) {
        AtomicReference<BackfillRun> current = new AtomicReference<>();
        runs.put(b.id(), current);
        List<Meter> registered = metrics(b);
        jobs.start(type(b), b.id(), "sluice-backfill-" + b.id(), job -> {
            try {
                execute(b, current);
            } finally {
                registered.forEach(meters::remove);
                runs.remove(b.id(), current);
            }
        });
    }

    @Override
    public void pause(Stored b) {
        run(b.id()).ifPresent(BackfillRun::pause);
        pausedAtStart.put(b.id(), true);
    }

    @Override
    public void resume(Stored b) {
        pausedAtStart.remove(b.id());
        if (jobs.find(type(b), b.id()).isPresent()) {
            run(b.id()).ifPresent(BackfillRun::resume);
        } else {
            launch(store.get(b.id()));
        }
    }

    @Override
    public void cancel(Stored b) {
        run(b.id()).ifPresent(BackfillRun::cancel);
    }

    @Override
    public Optional<BackfillRun.Progress> progress(long id) {
        return run(id).map(BackfillRun::progress);
    }

    private Optional<BackfillRun> run(long id) {
        AtomicReference<BackfillRun> current = runs.get(id);
        return current == null ? Optional.empty() : Optional.ofNullable(current.get());
    }

    private static JobRegistry.Type type(Stored b) {
        return b.reindex() ? JobRegistry.Type.REINDEX : JobRegistry.Type.BACKFILL;
    }

    /** Gauges of a running backfill, removed when its job ends: rows read and written, rows/s, the estimate. */
    private List<Meter> metrics(Stored b) {
        Tags tags = Tags.of("backfill", Long.toString(b.id()), "pipeline", b.pipeline(), "source", b.source());
        List<Meter> out = new ArrayList<>();
        out.add(gauge("sluice.backfill.rows.read", tags, b.id(), BackfillRun.Progress::rowsRead, "Rows a running backfill has read"));
        out.add(gauge("sluice.backfill.rows.written", tags, b.id(), BackfillRun.Progress::rowsWritten, "Rows a running backfill has written"));
        out.add(gauge("sluice.backfill.rows.per.second", tags, b.id(), BackfillRun.Progress::rowsPerSecond, "Rows read per second lately"));
        out.add(Gauge.builder("sluice.backfill.estimated.rows", b, Stored::estimatedRows).tags(tags)
                .description("The source's estimate of the rows to read").register(meters));
        return out;
    }

    private Meter gauge(String name, Tags tags, long id, ToDoubleFunction<BackfillRun.Progress> f, String description) {
        return Gauge.builder(name, this, self -> self.progress(id).map(f::applyAsDouble).orElse(Double.NaN)).tags(tags)
                .description(description).register(meters);
    }

    /** The backfill's job: table after table from the checkpoint on. */
    private void execute(Stored stored, AtomicReference<BackfillRun> running) {
        long id = stored.id();
        Stored b = stored;
        Reindexing reindexing = null;
        if (b.reindex()) {
            reindexing = new Reindexing(sinks, b.sinks().get(0), clock);
            if (b.tableIndex() > 0 || b.lastKey() != null || b.newIndex() != null) {
                // The new index was fed live changes by the server that stopped; this one does not know it: start over.
                if (b.newIndex() != null) {
                    reindexing.drop(b.newIndex());
                }
                store.restart(id);
                b = store.get(id);
                LOG.infof("backfill=%d is a reindex cut short: it starts over into a new index", id);
            }
        }
        try {
            SourceConfig config = sources.runtimeConfig(b.source());
            long[] totals = {b.rowsRead(), b.rowsWritten(), b.chunksDone()};
            // The rows a backfill writes pass the tables' data contracts, as the stream's do.
            BackfillRun.Target target = new ContractTarget(reindexing != null ? reindexing.target() : sinks.target(b.sinks()),
                    contracts.check(), b.sinks(), sinks.deadLetters());
            for (int i = b.tableIndex(); i < b.tables().size(); i++) {
                TableId table = SourceDatabase.tableId(b.source(), b.tables().get(i));
                boolean resuming = i == b.tableIndex() && (b.lastKey() != null || b.upTo() != null);
                BackfillRun.Resume resume = new BackfillRun.Resume(resuming ? b.lastKey() : null, resuming ? b.upTo() : null, totals[0],
                        totals[1], totals[2]);
                int index = i;
                BackfillRun run = new BackfillRun(new BackfillRun.Options(table, b.filter(), b.chunkSize(), b.rowsPerSecond(), PARALLEL_CHUNKS,
                        config.versionEpoch()), runtime.windows(b.source()), target, p -> store.checkpoint(id, index, p.lastKey(), p.upTo(),
                                p.rowsRead(), p.rowsWritten(), p.chunksDone()), clock, d -> Thread.sleep(d.toMillis()), resume);
                if (pausedAtStart.containsKey(id)) {
                    run.pause();
                }
                running.set(run);
                BackfillRun.Schemas tableSchemas = schemas.of(table);
                if (reindexing != null) {
                    store.setNewIndex(id, reindexing.begin(table, tableSchemas.value()));
                }
                BackfillRun.Outcome outcome;
                try (Connection c = SourceDatabase.connect(config)) {
                    outcome = run.run(c, tableSchemas);
                }
                if (outcome == BackfillRun.Outcome.CANCELLED) {
                    return;
                }
                if (reindexing != null) {
                    String alias = reindexing.swap();
                    store.setNewIndex(id, null);
                    activity.record("backfill:" + id, ActivityLog.SYSTEM, "swapped", "the new index of " + table + " is in place behind "
                            + alias);
                }
                BackfillRun.Progress p = run.progress();
                totals[0] = p.rowsRead();
                totals[1] = p.rowsWritten();
                totals[2] = p.chunksDone();
                store.checkpoint(id, i + 1, null, null, totals[0], totals[1], totals[2]);
            }
            store.setState(id, BackfillState.SUCCEEDED, null);
            activity.record("backfill:" + id, ActivityLog.SYSTEM, "succeeded", totals[1] + " rows written to " + b.sinks());
            LOG.infof("backfill=%d succeeded: %d rows read, %d written", id, totals[0], totals[1]);
        } catch (InterruptedException e) {
            LOG.infof("backfill=%d stopped with the server; it resumes from its last checkpoint", id);
        } catch (BackfillException | RequestRefusedException | SQLException | RegistryException | FatalSinkException e) {
            if (stopping) {
                return;
            }
            store.setState(id, BackfillState.FAILED, e.getMessage());
            activity.record("backfill:" + id, ActivityLog.SYSTEM, "failed", e.getMessage() + " Resume it once fixed: it goes on from its"
                    + " last chunk.");
            LOG.warnf("backfill=%d failed: %s", id, e.getMessage());
        } catch (RuntimeException e) {
            if (stopping) {
                return;
            }
            store.setState(id, BackfillState.FAILED, "unexpected error: " + e);
            LOG.errorf(e, "backfill=%d failed", id);
        } finally {
            if (reindexing != null && reindexing.inProgress() && !stopping) {
                try {
                    reindexing.abort();
                    store.setNewIndex(id, null);
                } catch (RuntimeException e) {
                    LOG.warnf("backfill=%d could not drop its new index: %s", id, e.getMessage());
                }
            }
        }
    }
}
