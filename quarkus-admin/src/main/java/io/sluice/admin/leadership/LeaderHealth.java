package io.sluice.admin.leadership;

import io.smallrye.health.api.HealthGroup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * Whether this server leads, at {@code /q/health/group/leader}: up on the leader (and on every server without high
 * availability), down on a standby. A Kubernetes Service whose readiness probe asks it sends traffic to the leader
 * alone; a standby still answers reads when asked directly.
 */
@HealthGroup("leader")
@ApplicationScoped
public class LeaderHealth implements HealthCheck {

    @Inject
    Leadership leadership;

    @Override
    public HealthCheckResponse call() {
        return leadership.leads() ? HealthCheckResponse.named("leader").up().withData("epoch", leadership.epoch()).build()
                : HealthCheckResponse.named("leader").down().withData("status", "stands by; " + leadership.leader()).build();
    }
}
