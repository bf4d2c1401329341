package io.sluice.admin.pipeline;

import io.sluice.admin.source.SourceMonitor;
import io.sluice.admin.source.SourceStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of the pipelines: whether this server knows what its pipelines do. It is down until the status monitor
 * has looked at every source once, and when its last look is older than {@link #STALE} (the metadata database or
 * the runtime does not answer it). A failed or held source does not take it down: the server is what a person needs
 * to fix it, so it stays in service, reporting itself degraded with the reason per source.
 */
@Readiness
@ApplicationScoped
public class PipelinesHealth implements HealthCheck {
    /** The monitor looks once a second; this many seconds without a look means it cannot. */
    static final Duration STALE = Duration.ofSeconds(15);

    @Inject
    SourceMonitor monitor;

    @Inject
    Clock clock;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("pipelines");
        Optional<Instant> last = monitor.lastLook();
        if (last.isEmpty()) {
            return b.down().withData("status", "starting: the sources have not been looked at yet").build();
        }
        Duration since = Duration.between(last.get(), clock.instant());
        if (since.compareTo(STALE) > 0) {
            return b.down().withData("status", "unknown: the sources were last looked at " + since.toSeconds() + " s ago; the status"
                    + " monitor cannot read them (see the server's log: the metadata database or Kafka Connect may not answer)").build();
        }
        b.up();
        boolean degraded = false;
        for (SourceStatus s : monitor.snapshot().values()) {
            boolean bad = s.state().inTrouble();
            degraded |= bad;
            b.withData("source." + s.source(), s.state().label() + (bad && s.reason() != null ? ": " + s.reason() : ""));
        }
        return b.withData("status", degraded ? "degraded" : "ok").build();
    }
}
