package io.sluice.admin.runtime;

import io.sluice.admin.backfill.BackfillRequest;
import io.sluice.admin.backfill.BackfillStore;
import io.sluice.admin.error.ConflictException;
import io.sluice.admin.error.NotFoundException;
import io.sluice.admin.error.UnavailableException;
import io.sluice.admin.pipeline.PipelineSpec;
import io.sluice.admin.source.DesiredState;
import io.sluice.admin.source.SourceStatus;
import io.sluice.backfill.BackfillRun;
import io.sluice.backfill.ChunkWindows;
import io.sluice.capture.CaptureFailure;
import io.sluice.contract.ContractCheck;
import io.sluice.event.TableId;
import io.sluice.sink.ReadableSink;
import io.sluice.view.ViewStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Where pipelines run: the seam between the server's services and the two runtimes, chosen once at boot by
 * {@code sluice.runtime}. The embedded runtime runs one capture worker per source inside this server, writing to the
 * sinks it shares between sources; the Kafka Connect runtime turns sources and sinks into connectors and drives them
 * through Connect's REST API. The services (sources, backfills, verifications, recoveries) validate requests, keep
 * what a person asked for and record the timeline; the runtime does the work, and refuses what it cannot do, with
 * the reason and the alternative, in one place ({@link #refusal}).
 *
 * <p>Lifecycle: {@link #start()} once at boot (before any other call: the embedded runtime starts the sources a
 * person left running, the Connect runtime checks its configuration), {@link #close()} once at shutdown.
 *
 * <p>Thread-safe: control calls are serialized by each runtime; status reads may come from any thread.
 */
public interface PipelineRuntime extends AutoCloseable {

    /** What one runtime can do and the other cannot; each refusal names the reason and the alternative. */
    enum Ability {
        /** Sinks that live in this server's process (the embedded Lucene index). */
        IN_PROCESS_SINK,
        /** A backfill that writes to one sink of a pipeline only, or into a new index swapped in behind its alias. */
        BACKFILL_ONE_SINK,
        /** Comparing a table with a sink, and repairing what differs. */
        VERIFY,
        /** Setting a source's offsets aside, snapshotting it again and repairing its sinks. */
        RECOVERY,
        /** Document views: documents built from several tables by reading the source as its stream goes. */
        VIEWS
    }

    /**
     * Starts the runtime at boot.
     *
     * @throws IllegalStateException if its configuration is incomplete, naming every missing key
     */
    void start();

    /** Stops what runs in this server; what runs elsewhere (Kafka Connect) keeps running. */
    @Override
    void close();

    /**
     * Starts capture of a source that a pipeline reads; the caller checked the source and its preflight.
     *
     * @throws ConflictException if the runtime refused the source's configuration
     * @throws UnavailableException if the runtime's cluster does not answer
     */
    void start(String source, String actor);

    /** Stops capture of a source; offsets stay. */
    void stop(String source, String actor);

    /**
     * Pauses capture before its next batch; nothing is lost.
     *
     * @throws ConflictException if the source is not running
     */
    void pause(String source, String actor);

    /** @throws ConflictException if the source is not running */
    void resume(String source, String actor);

    /**
     * Applies a change of sources, sinks or pipelines: the sources named are restarted (or their connectors updated)
     * if they run, and sinks named are reopened with their new keys.
     *
     * @param sources the sources touched by the change, directly or through a sink they write to
     * @param sinks the sinks whose keys changed
     * @param why for the timeline, a few words
     */
    void reconfigure(Set<String> sources, Set<String> sinks, String actor, String why);

    /** Forgets a source about to be deleted: its worker stops or its connectors go. */
    void forget(String source);

    /**
     * What a source is doing now.
     *
     * @param desired what a person last asked of it
     * @param pipelines the pipelines reading it
     */
    SourceStatus status(String source, DesiredState desired, List<String> pipelines);

    /** Why a source's capture failed while its worker holds that state; empty otherwise, and where workers run elsewhere. */
    Optional<CaptureFailure> failure(String source);

    /**
     * A sink's target lost its data (see {@link io.sluice.sink.GenerationWatch}): what its sweeps after snapshots
     * removed is no proof any more. Called once per loss, before the sources writing to it are told.
     */
    void targetLost(String sink);

    /** How this runtime runs backfills. */
    Backfilling backfills();

    /**
     * What verify and repair need of a source's stream.
     *
     * @throws ConflictException if this runtime cannot verify ({@link Ability#VERIFY})
     */
    Verifying verifying(String source);

    /**
     * What a recovery needs of a source.
     *
     * @throws ConflictException if this runtime cannot recover sources ({@link Ability#RECOVERY})
     */
    Recovering recovering(String source);

    /**
     * What the source's views did since its worker started; empty when it does not run.
     *
     * @throws ConflictException if this runtime cannot run views ({@link Ability#VIEWS})
     */
    List<ViewStatus> views(String source);

    /**
     * How the source's data contract rules ran since its worker started, by {@code <source>.<database>.<table>/<rule>};
     * empty when it does not run, or where this runtime does not count them.
     */
    default Map<String, ContractCheck.Counts> ruleCounts(String source) {
        return Map.of();
    }

    /**
     * A table's last rule failures since the source's worker started, newest first; empty when it does not run, or
     * where this runtime does not keep them.
     *
     * @param stem {@code <source>.<database>.<table>}
     */
    default List<ContractCheck.Failed> ruleFailures(String source, String stem) {
        return List.of();
    }

    /**
     * The refusal of something this runtime cannot do: the reason, and what to do instead.
     *
     * @param subject what the request named (a source, a sink), for the message
     */
    ConflictException refusal(Ability ability, String subject);

    /**
     * Backfills as this runtime runs them. The service stores each backfill and its state; these calls act on it.
     */
    interface Backfilling {
        /**
         * Checks what this runtime requires of a backfill before it is stored.
         *
         * @throws ConflictException naming what is missing and how to add it
         */
        void check(PipelineSpec pipeline, BackfillRequest request);

        /** Starts a stored backfill, or continues one from its checkpoint. */
        void launch(BackfillStore.Stored backfill);

        void pause(BackfillStore.Stored backfill);

        /** Resumes a paused backfill, or relaunches a failed one. */
        void resume(BackfillStore.Stored backfill);

        void cancel(BackfillStore.Stored backfill);

        /** The live progress of a backfill's current table, if this server runs it now. */
        Optional<BackfillRun.Progress> progress(long id);

        /** At boot: the backfills a stopped server left running or paused. */
        void resumeAtBoot(List<BackfillStore.Stored> active);
    }

    /** A source's stream and sinks, as verify and repair read and write them. */
    interface Verifying {
        /** The backfill windows the source's stream feeds. */
        ChunkWindows windows();

        /** Whether the source's capture runs (a repair needs its stream). */
        boolean streams();

        /**
         * A sink read back, its calls serialized with the live writes.
         *
         * @throws NotFoundException if the sink does not exist
         * @throws ConflictException if the sink cannot be read back
         */
        ReadableSink readable(String sink);

        /** Where repairs go: the sink, through a runner of its own, serialized with the live writes. */
        BackfillRun.Target repairs(String sink);
    }

    /** A source's capture, as a recovery resets and watches it. */
    interface Recovering {
        /**
         * Starts the source over from a new snapshot: its stored offsets and schema history are set aside (renamed
         * with {@code suffix}) and a new worker starts.
         *
         * @param why for the timeline, a few words
         * @return the files set aside, as they are named now
         * @throws ConflictException if no pipeline reads the source, or the files cannot be renamed
         */
        List<Path> resnapshot(String actor, String suffix, String why);

        /**
         * How many documents a sink removed when the snapshot of a table completed, if the running worker took that
         * snapshot since it started or last took it again.
         */
        OptionalLong swept(String sink, TableId table);
    }
}
