package io.sluice.admin.backfill;

import io.sluice.admin.activity.ActivityLog;
import io.sluice.admin.backfill.BackfillStore.Stored;
import io.sluice.admin.error.ConflictException;
import io.sluice.admin.error.InvalidRequestException;
import io.sluice.admin.error.NotFoundException;
import io.sluice.admin.error.Problem;
import io.sluice.admin.error.RequestRefusedException;
import io.sluice.admin.leadership.Leadership;
import io.sluice.admin.pipeline.PipelineSpec;
import io.sluice.admin.pipeline.PipelineStore;
import io.sluice.admin.runtime.PipelineRuntime;
import io.sluice.admin.sink.SharedSinks;
import io.sluice.admin.source.SourceDatabase;
import io.sluice.admin.source.SourceStore;
import io.sluice.backfill.BackfillException;
import io.sluice.backfill.BackfillRun;
import io.sluice.backfill.ChunkReader;
import io.sluice.capture.SourceConfig;
import io.sluice.event.TableId;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Backfills, whichever runtime runs them: validates a request against the pipeline and the live source, stores it
 * with its state, and hands it to the runtime's {@link PipelineRuntime.Backfilling}, which runs it (the embedded
 * runtime in this server, checkpointed per chunk; the Connect runtime as Debezium's incremental snapshot). At boot
 * the runtime takes back the backfills a stopped server left running or paused.
 *
 * <p>Thread-safe: control methods are serialized.
 */
@ApplicationScoped
public class Backfills {

    @Inject
    BackfillStore store;

    @Inject
    PipelineStore pipelines;

    @Inject
    SourceStore sources;

    @Inject
    SharedSinks shared;

    @Inject
    PipelineRuntime runtime;

    @Inject
    TableSchemas schemas;

    @Inject
    ActivityLog activity;

    /** Runs after the runtime started its sources: their streams feed the backfills' windows. */
    void boot(@Observes @Priority(20) Leadership.Elected event) {
        runtime.backfills().resumeAtBoot(store.active());
    }

    /**
     * Validates and starts a backfill.
     *
     * @throws InvalidRequestException naming every bad field at once; NotFoundException for an unknown pipeline; ConflictException if the source is not
     *     running, a table has no registered schema yet, or another backfill covers the same table and sink
     */
    public synchronized Stored start(BackfillRequest request, String actor) {
        List<Problem> problems = new ArrayList<>(request.problems());
        if (!problems.isEmpty()) {
            throw InvalidRequestException.of("The backfill request", problems);
        }
        PipelineSpec pipeline = pipelines.get(request.pipeline());
        List<String> sinks = request.sink() == null ? pipeline.sinks() : List.of(request.sink());
        if (request.sink() != null && !pipeline.sinks().contains(request.sink())) {
            problems.add(new Problem("sink", "'" + request.sink() + "' is not a sink of pipeline '" + pipeline.name() + "' (its sinks: "
                    + pipeline.sinks() + "); name one of them, or leave it out for all"));
        }
        if (problems.isEmpty() && request.reindexOrDefault() && shared.locked(request.sink(), s -> s.reindexable().isEmpty())) {
            problems.add(new Problem("sink", "'" + request.sink() + "' is not an OpenSearch sink; only a search index can be rebuilt"
                    + " and swapped in behind its name"));
        }
        if (!problems.isEmpty()) {
            throw InvalidRequestException.of("The backfill request", problems);
        }
        runtime.backfills().check(pipeline, request);
        SourceConfig config = sources.runtimeConfig(pipeline.source());
        Predicate<TableId> taken = pipeline.tableFilter();
        List<String> tables;
        long estimated = 0;
        try (Connection c = SourceDatabase.connect(config)) {
            tables = request.tables() == null || request.tables().isEmpty() ? SourceDatabase.tables(c, config, taken) : request.tables();
            for (String t : tables) {
                TableId table = SourceDatabase.tableId(config.name(), t);
                if (!taken.test(table)) {
                    problems.add(new Problem("tables", "'" + t + "' is not taken by pipeline '" + pipeline.name() + "' (its tables: "
                            + (pipeline.tables().isEmpty() ? "all" : pipeline.tables()) + ")"));
                    continue;
                }
                try {
                    ChunkReader reader = ChunkReader.open(c, table.database(), table.table(), request.where(), request.chunkSizeOrDefault(),
                            null, null);
                    estimated += Math.max(0, reader.estimatedRows());
                } catch (BackfillException e) {
                    problems.add(new Problem(e.getMessage().contains("filter") ? "where" : "tables", e.getMessage()));
                }
            }
        } catch (SQLException e) {
            throw new ConflictException("source_unreachable", "Cannot read source '" + config.name() + "' at " + config.host()
                    + ":" + config.port() + ": " + e.getMessage() + ". Check that it is up and its user can SELECT the tables.");
        }
        if (tables.isEmpty()) {
            problems.add(new Problem("tables", "pipeline '" + pipeline.name() + "' takes no table of source '" + config.name()
                    + "' that exists now; name tables as database.table"));
        }
        if (!problems.isEmpty()) {
            throw InvalidRequestException.of("The backfill request", problems);
        }
        for (String t : tables) {
            schemas.of(SourceDatabase.tableId(config.name(), t));
        }
        for (Stored other : store.active()) {
            if (other.source().equals(config.name()) && !disjoint(other.tables(), tables) && !disjoint(other.sinks(), sinks)) {
                throw new ConflictException("conflict", "Backfill " + other.id() + " (" + other.state().label() + ") already"
                        + " covers " + intersection(other.tables(), tables) + " into " + intersection(other.sinks(), sinks) + "; wait for it,"
                        + " or cancel it with POST /api/v1/backfills/" + other.id() + "/cancel.");
            }
        }
        Stored created = store.create(pipeline.name(), config.name(), tables, sinks, blankToNull(request.where()), request.chunkSizeOrDefault(),
                request.rowsPerSecondOrDefault(), estimated, request.reindexOrDefault(), actor);
        activity.record("backfill:" + created.id(), actor, "started", tables + " into " + (created.reindex() ? "a new index of " : "")
                + sinks + (created.filter() == null ? "" : " where " + created.filter()));
        try {
            runtime.backfills().launch(created);
        } catch (RequestRefusedException e) {
            store.setState(created.id(), BackfillState.FAILED, e.getMessage());
            throw e;
        }
        return created;
    }

    /**
     * Pauses a running backfill before its next chunk.
     *
     * @throws NotFoundException for an unknown backfill
     * @throws ConflictException unless it runs
     */
    public synchronized Stored pause(long id, String actor) {
        Stored b = store.get(id);
        if (b.state() != BackfillState.RUNNING) {
            throw notIn(b, "pause", BackfillState.RUNNING.label());
        }
        runtime.backfills().pause(b);
        store.setState(id, BackfillState.PAUSED, "paused by " + actor);
        activity.record("backfill:" + id, actor, "paused", null);
        return store.get(id);
    }

    /**
     * Resumes a paused backfill, or restarts a failed one from its last checkpoint.
     *
     * @throws NotFoundException for an unknown backfill
     * @throws ConflictException unless it is paused or failed
     */
    public synchronized Stored resume(long id, String actor) {
        Stored b = store.get(id);
        if (b.state() != BackfillState.PAUSED && b.state() != BackfillState.FAILED) {
            throw notIn(b, "resume", BackfillState.PAUSED.label() + " or " + BackfillState.FAILED.label());
        }
        store.setState(id, BackfillState.RUNNING, null);
        runtime.backfills().resume(b);
        activity.record("backfill:" + id, actor, "resumed", null);
        return store.get(id);
    }

    /**
     * Cancels a backfill before its next chunk; rows written stay.
     *
     * @throws NotFoundException for an unknown backfill
     * @throws ConflictException if it ended already
     */
    public synchronized Stored cancel(long id, String actor) {
        Stored b = store.get(id);
        if (b.state().isFinal()) {
            throw notIn(b, "cancel", BackfillState.RUNNING.label() + ", " + BackfillState.PAUSED.label());
        }
        runtime.backfills().cancel(b);
        store.setState(id, BackfillState.CANCELLED, "cancelled by " + actor);
        activity.record("backfill:" + id, actor, "cancelled", null);
        return store.get(id);
    }

    /** The live progress of a backfill's current table, if this server runs it now. */
    public Optional<BackfillRun.Progress> progress(long id) {
        return runtime.backfills().progress(id);
    }

    private static ConflictException notIn(Stored b, String verb, String states) {
        return new ConflictException("conflict", "Backfill " + b.id() + " is " + b.state().label() + "; only a " + states
                + " backfill can be asked to " + verb + ".");
    }

    private static boolean disjoint(List<String> a, List<String> b) {
        return a.stream().noneMatch(b::contains);
    }

    private static Set<String> intersection(List<String> a, List<String> b) {
        Set<String> out = new LinkedHashSet<>(a);
        out.retainAll(b);
        return out;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
