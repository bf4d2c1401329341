package io.sluice.admin.pipeline;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of the pipelines. A failed or held source makes the server report itself degraded, with the reason
 * per source, but still up: the server is what a person needs to fix it, so it must stay reachable.
 */
@Readiness
@ApplicationScoped
public class PipelinesHealth implements HealthCheck {

    @Inject
    Supervisor supervisor;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("pipelines").up();
        boolean degraded = false;
        for (SourceStatus s : supervisor.snapshot().values()) {
            boolean bad = "failed".equals(s.state()) || "held".equals(s.state());
            degraded |= bad;
            b.withData("source." + s.source(), s.state() + (bad && s.reason() != null ? ": " + s.reason() : ""));
        }
        return b.withData("status", degraded ? "degraded" : "ok").build();
    }
}
