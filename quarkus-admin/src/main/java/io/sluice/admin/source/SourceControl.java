package io.sluice.admin.source;

import io.sluice.admin.activity.ActivityLog;
import io.sluice.admin.error.ConflictException;
import io.sluice.admin.error.NotFoundException;
import io.sluice.admin.error.Problem;
import io.sluice.admin.pipeline.PipelineSpec;
import io.sluice.admin.pipeline.PipelineStore;
import io.sluice.admin.runtime.PipelineRuntime;
import io.sluice.preflight.Preflight;
import io.sluice.preflight.PreflightReport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a person asks of a source's capture (start, stop, pause, resume), whichever runtime runs it: the checks both
 * runtimes share, what was asked kept across restarts of the server ({@link DesiredState}), and the call to the
 * {@link PipelineRuntime}. Changes of sources, sinks and pipelines restart only the sources they touch.
 *
 * <p>Thread-safe: control calls are serialized.
 */
@ApplicationScoped
public class SourceControl {

    @Inject
    SourceStore sources;

    @Inject
    PipelineStore pipelines;

    @Inject
    PipelineRuntime runtime;

    @Inject
    ActivityLog activity;

    /**
     * Starts capture of a source, after a preflight check unless forced.
     *
     * @throws NotFoundException for an unknown source
     * @throws ConflictException if no pipeline reads the source, or if the preflight found errors (each finding with its
     *     fix) and {@code force} is false
     */
    public synchronized SourceStatus start(String source, String actor, boolean force) {
        sources.get(source);
        if (pipelines.ofSource(source).isEmpty()) {
            throw new ConflictException("no_pipeline", "No pipeline reads source '" + source + "', so there is nothing to start; create"
                    + " one with POST /api/v1/pipelines.");
        }
        if (!force) {
            PreflightReport report = Preflight.run(sources.runtimeConfig(source));
            if (report.hasErrors()) {
                throw new ConflictException("preflight_failed", "The preflight check of source '" + source + "' found "
                        + report.errors().size() + " error(s); fix them (each detail says how) or start with force=true.",
                        report.errors().stream().map(f -> new Problem(f.check(), f.message() + " Fix: " + f.fix())).toList());
            }
        }
        runtime.start(source, actor);
        sources.setDesiredState(source, DesiredState.RUNNING);
        return status(source);
    }

    /** Stops capture of a source; it stays stopped across restarts of the server. @throws NotFoundException */
    public synchronized SourceStatus stop(String source, String actor) {
        sources.get(source);
        sources.setDesiredState(source, DesiredState.STOPPED);
        runtime.stop(source, actor);
        return status(source);
    }

    /**
     * Pauses capture before its next batch: nothing is lost, the offsets stay where the last batch left them.
     *
     * @throws NotFoundException for an unknown source
     * @throws ConflictException if the source is not running
     */
    public synchronized SourceStatus pause(String source, String actor) {
        sources.get(source);
        runtime.pause(source, actor);
        sources.setDesiredState(source, DesiredState.PAUSED);
        activity.record("source:" + source, actor, "paused", null);
        return status(source);
    }

    /**
     * @throws NotFoundException for an unknown source
     * @throws ConflictException if the source is not running
     */
    public synchronized SourceStatus resume(String source, String actor) {
        sources.get(source);
        runtime.resume(source, actor);
        sources.setDesiredState(source, DesiredState.RUNNING);
        activity.record("source:" + source, actor, "resumed", null);
        return status(source);
    }

    /**
     * Applies a change of configuration: restarts the sources that run and are touched (those named, and those whose
     * pipelines write to the sinks named); a changed sink is reopened with its new keys.
     */
    public synchronized void reconfigure(Set<String> touchedSources, Set<String> touchedSinks, String actor, String why) {
        Set<String> restart = new LinkedHashSet<>(touchedSources);
        for (String sink : touchedSinks) {
            pipelines.writingTo(sink).stream().map(PipelineSpec::source).forEach(restart::add);
        }
        runtime.reconfigure(restart, touchedSinks, actor, why);
    }

    /**
     * The pipelines of a source changed: restarts it if it runs, or starts it (without a preflight) if a person has
     * not stopped it and a pipeline reads it.
     */
    public synchronized void pipelinesChanged(String source, String actor) {
        reconfigure(Set.of(source), Set.of(), actor, "pipelines changed");
        SourceStatus st = status(source);
        if (st.desired() != DesiredState.STOPPED && st.startedAt() == null && !st.pipelines().isEmpty()) {
            start(source, actor, true);
        }
    }

    /** Called before a source is deleted. */
    public synchronized void forget(String source) {
        runtime.forget(source);
    }

    /** The status of a source now. @throws NotFoundException for an unknown source */
    public SourceStatus status(String source) {
        DesiredState desired = sources.desiredState(source);
        List<String> names = pipelines.ofSource(source).stream().map(PipelineSpec::name).toList();
        return runtime.status(source, desired, names);
    }
}
