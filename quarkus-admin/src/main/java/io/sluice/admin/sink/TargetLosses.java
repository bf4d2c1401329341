package io.sluice.admin.sink;

import io.sluice.admin.activity.ActivityLog;
import io.sluice.admin.pipeline.PipelineSpec;
import io.sluice.admin.pipeline.PipelineStore;
import io.sluice.admin.runtime.PipelineRuntime;
import io.sluice.admin.source.SourceNotice;
import io.sluice.sink.GenerationWatch;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * What the server does when a sink's target lost its data (see {@link GenerationWatch}): the timeline of the sink
 * and of each source writing to it says so, the runtime forgets what the sink's sweeps removed (no proof any more),
 * and each of those sources is told with a {@link SourceNotice.TargetLost}, which starts a recovery of that sink.
 *
 * <p>Thread-safe. Called on the thread that checks generations, holding the sink: it takes no lock of the
 * runtime's (a stop may hold one while it waits for the sink's writes).
 */
@ApplicationScoped
public class TargetLosses {
    private static final Logger LOG = Logger.getLogger(TargetLosses.class);

    @Inject
    PipelineStore pipelines;

    @Inject
    PipelineRuntime runtime;

    @Inject
    ActivityLog activity;

    @Inject
    Event<SourceNotice.TargetLost> notices;

    /** A sink's target lost its data; called once per loss. */
    void lost(GenerationWatch.Loss loss) {
        LOG.errorf("sink %s: its target lost its data (generation %s, now %s); documents written before may be missing, so the"
                + " sources writing to it are verified and repaired against it", loss.sink(), loss.was(), loss.now());
        activity.record("sink:" + loss.sink(), ActivityLog.SYSTEM, "target lost its data", "generation " + loss.was() + ", now "
                + loss.now() + "; each source writing to it is verified and repaired against it");
        runtime.targetLost(loss.sink());
        for (String source : new TreeSet<>(pipelines.writingTo(loss.sink()).stream().map(PipelineSpec::source).toList())) {
            activity.record("source:" + source, ActivityLog.SYSTEM, "target lost its data", "sink '" + loss.sink() + "': generation "
                    + loss.was() + ", now " + loss.now() + "; documents written to it before may be missing");
            notices.fire(new SourceNotice.TargetLost(source, loss));
        }
    }
}
