package io.sluice.admin.source;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sluice.admin.activity.ActivityLog;
import io.sluice.sink.SinkRunner;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Looks at every source once a second: keeps the {@link #snapshot()} that metrics and health read (so a scrape
 * costs no call into the runtime), and records in the timeline each change of a source's state and of a sink's
 * health.
 *
 * <p>Thread-safe: the snapshot may be read from any thread; the rest runs on the monitor's own thread.
 */
@ApplicationScoped
public class SourceMonitor {
    private static final Logger LOG = Logger.getLogger(SourceMonitor.class);

    @Inject
    SourceStore sources;

    @Inject
    SourceControl control;

    @Inject
    ActivityLog activity;

    @Inject
    Clock clock;

    private final Map<String, SourceStatus> snapshot = new ConcurrentHashMap<>();
    private final Map<String, SourceState> lastState = new HashMap<>();
    private final Map<String, Boolean> lastSinkHealth = new HashMap<>();
    private volatile Instant lastLook;
    private ScheduledExecutorService monitor;

    /** Starts after the runtime, so that its first look sees the sources it started. */
    void boot(@Observes @Priority(15) StartupEvent event) {
        monitor = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "sluice-monitor"));
        monitor.scheduleWithFixedDelay(this::observe, 0, 1, TimeUnit.SECONDS);
    }

    void shutdown(@Observes @Priority(5) ShutdownEvent event) {
        if (monitor != null) {
            monitor.shutdownNow();
        }
    }

    /** The statuses the monitor saw last, by source. */
    public Map<String, SourceStatus> snapshot() {
        return snapshot;
    }

    /** When the monitor last looked at every source to the end; empty before its first look. */
    public Optional<Instant> lastLook() {
        return Optional.ofNullable(lastLook);
    }

    private void observe() {
        try {
            Set<String> seen = new HashSet<>();
            for (SourceStore.Stored s : sources.list()) {
                SourceStatus st = control.status(s.name());
                seen.add(s.name());
                snapshot.put(s.name(), st);
                SourceState previous = lastState.put(s.name(), st.state());
                // A source first seen held, failed or paused (it got there before the monitor's first look, or was so
                // at boot) is a change worth the timeline too; a first look at a healthy one is not.
                boolean firstLookAtTrouble = previous == null && (st.state().inTrouble() || st.state() == SourceState.PAUSED);
                if (firstLookAtTrouble || previous != null && previous != st.state()) {
                    activity.record("source:" + s.name(), ActivityLog.SYSTEM, "state:" + st.state().label(),
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
            lastLook = clock.instant();
        } catch (RuntimeException e) {
            LOG.warnf("status monitor failed: %s", e.toString());
        }
    }
}
