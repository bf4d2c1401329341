package io.sluice.admin.source;

import io.sluice.capture.RedoneSnapshot;
import io.sluice.capture.ServerChange;
import io.sluice.event.SourceEvent;
import io.sluice.sink.GenerationWatch;
import java.util.List;

/**
 * What happens to a source, fired as CDI events ({@code jakarta.enterprise.event.Event}) for whoever observes them:
 * metrics count delivered batches, recoveries start when a snapshot is taken again or a target lost its data.
 * Observers are called synchronously on the thread that fires, which may be a capture or checking thread holding
 * locks: they must return quickly and leave any call back into the runtime to a thread of their own. A closed set.
 */
public sealed interface SourceNotice {

    /** The source's name. */
    String source();

    /**
     * A batch of events reached every sink of the source and was flushed.
     *
     * @param batch the events, in binlog order
     */
    record BatchDelivered(String source, List<SourceEvent> batch) implements SourceNotice {
    }

    /**
     * The source's capture worker takes its snapshot again (see {@link RedoneSnapshot}): rows deleted before the new
     * snapshot began are in no event it reads.
     */
    record SnapshotTakenAgain(String source, RedoneSnapshot why) implements SourceNotice {
    }

    /**
     * The source's capture reads from another server than before (a promoted replica after a failover): it resumed by
     * GTID under the next version epoch. Transactions the old server committed that the new one never received may be
     * in the targets.
     */
    record ServerChanged(String source, ServerChange change) implements SourceNotice {
    }

    /** A sink the source writes to lost its data (see {@link GenerationWatch}); fired once per loss and source. */
    record TargetLost(String source, GenerationWatch.Loss loss) implements SourceNotice {
    }
}
