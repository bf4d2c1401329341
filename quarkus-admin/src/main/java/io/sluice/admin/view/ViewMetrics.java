package io.sluice.admin.view;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.StartupEvent;
import io.sluice.admin.job.Schedulers;
import io.sluice.admin.view.ViewRebuildStore.Backlog;
import io.sluice.view.ViewStatus;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.jboss.logging.Logger;

/**
 * Prometheus metrics of document views at {@code /q/metrics}, tagged with the view: the changes its engine looked
 * at, the documents it rebuilt on the stream and handed to background rebuilds, whether it is failing, and what its
 * background rebuilds still have to write. Meters read a snapshot that a poll every two seconds refreshes, so that a
 * scrape never reads the metadata database.
 */
@ApplicationScoped
public class ViewMetrics {
    private static final Logger LOG = Logger.getLogger(ViewMetrics.class);

    @Inject
    MeterRegistry registry;

    @Inject
    Views views;

    @Inject
    ViewRebuildStore rebuilds;

    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private volatile Map<String, ViewStatus> statuses = Map.of();
    private volatile Map<String, Backlog> backlog = Map.of();

    void start(@Observes @Priority(20) StartupEvent event) {
        Schedulers.daemon("sluice-view-metrics", 1).scheduleWithFixedDelay(this::refresh, 0, 2, TimeUnit.SECONDS);
    }

    private void refresh() {
        try {
            Map<String, ViewStatus> now = new ConcurrentHashMap<>();
            for (Views.View v : views.list()) {
                String name = v.definition().name();
                v.status().ifPresent(s -> now.put(name, s));
                if (seen.add(name)) {
                    register(name);
                }
            }
            statuses = now;
            backlog = rebuilds.backlog();
        } catch (RuntimeException e) {
            // The next poll tries again; meanwhile the meters keep their last values.
            LOG.debugf("view metrics not refreshed: %s", e.getMessage());
        }
    }

    private void register(String view) {
        Tags tags = Tags.of("view", view);
        counter("sluice.view.changes", tags, view, ViewStatus::changes, "Changes of the view's tables its engine looked at since its worker started");
        counter("sluice.view.documents", tags, view, ViewStatus::documents, "Documents rebuilt on the stream since its worker started");
        counter("sluice.view.handed.over", tags, view, ViewStatus::handedOver,
                "Documents handed to background rebuilds (fan-outs over the cap) since its worker started");
        Gauge.builder("sluice.view.failed", this, m -> status(m, view, s -> s.problems().isEmpty() ? 0 : 1)).tags(tags)
                .description("1 while the view cannot run against its tables (a table or column gone)").register(registry);
        Gauge.builder("sluice.view.rebuilds.waiting", this, m -> m.backlog.getOrDefault(view, new Backlog(0, 0)).rebuilds()).tags(tags)
                .description("Background rebuilds of the view not finished yet").register(registry);
        Gauge.builder("sluice.view.rebuild.documents.waiting", this, m -> m.backlog.getOrDefault(view, new Backlog(0, 0)).documents()).tags(tags)
                .description("Documents of fan-outs that background rebuilds have still to write").register(registry);
    }

    private void counter(String name, Tags tags, String view, ToDoubleFunction<ViewStatus> f, String description) {
        FunctionCounter.builder(name, this, m -> status(m, view, f)).tags(tags).description(description).register(registry);
    }

    private static double status(ViewMetrics m, String view, ToDoubleFunction<ViewStatus> f) {
        ViewStatus s = m.statuses.get(view);
        return s == null ? Double.NaN : f.applyAsDouble(s);
    }
}
