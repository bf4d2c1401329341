package io.sluice.admin.runtime.embedded;

import io.sluice.admin.SluiceConfig;
import io.sluice.admin.pipeline.PipelineSpec;
import io.sluice.admin.pipeline.PipelineStore;
import io.sluice.admin.sink.SharedSinks;
import io.sluice.admin.source.SourceDatabase;
import io.sluice.admin.source.SourceStore;
import io.sluice.admin.view.ViewRebuildStore;
import io.sluice.admin.view.ViewStore;
import io.sluice.backfill.BackfillRun;
import io.sluice.capture.SourceConfig;
import io.sluice.event.ChangeEvent;
import io.sluice.view.CompiledView;
import io.sluice.view.KeyValues;
import io.sluice.view.ViewDefinition;
import io.sluice.view.ViewEngine;
import io.sluice.view.ViewReader;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.avro.generic.GenericRecord;
import org.jboss.logging.Logger;

/**
 * Background rebuilds of the views' fan-outs too large for the stream (see {@link ViewEngine.FanOut}): each is stored
 * before the source's offset may pass the change that called for it, then rebuilt on a thread of its own, a few
 * hundred documents at a time at no more than {@code sluice.views.rebuild-rate} documents a second, with the
 * change's version, through the same shared sinks as live writes. A newer live rebuild of a document beats the
 * background's by version. Rebuilds a stopped server left are taken up at the next boot.
 *
 * <p>Thread-safe.
 */
@Dependent
class ViewRebuilds {
    private static final Logger LOG = Logger.getLogger(ViewRebuilds.class);
    /** How many documents a rebuild reads and writes at a time, at most. */
    private static final int CHUNK = 500;
    /** How long the thread waits for new work, or for a source to run again. */
    private static final Duration IDLE = Duration.ofSeconds(1);

    @Inject
    ViewRebuildStore store;

    @Inject
    ViewStore views;

    @Inject
    PipelineStore pipelines;

    @Inject
    SourceStore sources;

    @Inject
    SharedSinks sinks;

    @Inject
    SluiceConfig config;

    @Inject
    Clock clock;

    private final Object wake = new Object();
    private Function<String, Optional<ViewEngine>> engines;
    private Thread thread;
    private volatile boolean stopping;

    /** Starts the thread. @param engines the view engine of a source whose worker runs */
    void start(Function<String, Optional<ViewEngine>> engines) {
        this.engines = engines;
        thread = new Thread(this::loop, "sluice-view-rebuilds");
        thread.setDaemon(true);
        thread.start();
    }

    void close() {
        stopping = true;
        if (thread != null) {
            thread.interrupt();
        }
    }

    /** Stores a fan-out and wakes the thread; called on the capture thread, before the batch's checkpoint. */
    void enqueue(CompiledView view, List<List<Object>> keys, ChangeEvent trigger) {
        long id = store.create(view.id().source(), view.name(), keys, trigger.version(), trigger.position(), trigger.commitTime());
        LOG.infof("view=%s rebuild=%d: %d documents handed to the background (a change touched more than %d)", view.name(), id, keys.size(),
                config.views().fanOutCap());
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    private void loop() {
        while (!stopping) {
            try {
                boolean worked = false;
                // One rebuild's keys in memory at a time: a burst of fan-outs waits in the metadata database.
                for (long id : store.waiting()) {
                    Optional<ViewRebuildStore.Stored> r = store.findWaiting(id);
                    if (r.isPresent()) {
                        worked |= run(r.get());
                    }
                }
                if (!worked) {
                    synchronized (wake) {
                        wake.wait(IDLE.toMillis());
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf("view rebuilds: %s; trying again", e.toString());
                sleep(IDLE);
            }
        }
    }

    /** Runs a rebuild to its end, or until its source stops. @return whether it wrote anything */
    private boolean run(ViewRebuildStore.Stored r) throws InterruptedException {
        Optional<ViewDefinition> definition = views.find(r.view());
        if (definition.isEmpty()) {
            store.finished(r.id(), "view '" + r.view() + "' was deleted");
            return true;
        }
        Optional<ViewEngine> engine = engines.apply(r.source());
        Optional<CompiledView> view;
        try {
            view = engine.isEmpty() ? Optional.empty() : engine.get().compiled(r.view());
        } catch (SQLException e) {
            LOG.debugf("view=%s rebuild=%d waits: the source's tables cannot be read: %s", r.view(), r.id(), e.getMessage());
            return false;
        }
        if (view.isEmpty()) {
            return false; // its source does not run, or the view waits for schemas: later
        }
        List<String> targets = pipelines.find(definition.get().pipeline()).map(PipelineSpec::sinks).orElse(List.of());
        BackfillRun.Target target = sinks.target(targets);
        SourceConfig source = sources.runtimeConfig(r.source());
        int done = r.done();
        List<Object> last = r.lastKey();
        int chunk = Math.max(1, Math.min(CHUNK, config.views().rebuildRate()));
        boolean finished = false;
        try (Connection c = SourceDatabase.connect(source)) {
            while (!stopping) {
                long started = clock.millis();
                List<List<Object>> part = r.everything() ? ViewReader.rootKeys(view.get(), c, last, chunk)
                        : r.keys().subList(Math.min(done, r.keys().size()), Math.min(r.keys().size(), done + chunk));
                if (part.isEmpty()) {
                    finished = true;
                    break;
                }
                Map<List<String>, List<Object>> keys = new LinkedHashMap<>();
                part.forEach(k -> keys.put(KeyValues.text(k), k));
                Map<List<String>, Optional<GenericRecord>> docs = ViewReader.read(view.get(), c, keys.values());
                target.write(ViewEngine.documents(view.get(), keys, docs, r.version(), r.position(), r.commitTime()));
                done += part.size();
                last = r.everything() ? part.get(part.size() - 1) : null;
                store.progress(r.id(), done, last);
                long spent = clock.millis() - started;
                long due = part.size() * 1000L / Math.max(1, config.views().rebuildRate());
                if (due > spent) {
                    Thread.sleep(due - spent);
                }
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("view=%s rebuild=%d stopped after %d documents: %s; it goes on from there", r.view(), r.id(), done, e.getMessage());
            return done > r.done();
        }
        if (finished) {
            store.finished(r.id(), null);
            LOG.infof("view=%s rebuild=%d: %d documents rebuilt", r.view(), r.id(), done);
        }
        return true;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
