package io.sluice.admin.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.admin.source.DesiredState;
import io.sluice.admin.source.SourceMonitor;
import io.sluice.admin.source.SourceState;
import io.sluice.admin.source.SourceStatus;
import io.sluice.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/** Readiness reports whether the server knows what its pipelines do, and how they do. */
class PipelinesHealthTest {
    private final ManualClock clock = new ManualClock();
    private Instant lastLook;
    private Map<String, SourceStatus> statuses = Map.of();

    private HealthCheckResponse check() {
        PipelinesHealth health = new PipelinesHealth();
        health.clock = clock;
        health.monitor = new SourceMonitor() {
            @Override
            public Optional<Instant> lastLook() {
                return Optional.ofNullable(lastLook);
            }

            @Override
            public Map<String, SourceStatus> snapshot() {
                return statuses;
            }
        };
        return health.call();
    }

    private static SourceStatus status(String source, SourceState state, String reason) {
        return SourceStatus.without(source, DesiredState.RUNNING, state, reason, null, List.of("p"));
    }

    @Test
    void shouldBeDownUntilTheMonitorHasLookedAtTheSources() {
        HealthCheckResponse r = check();
        assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(r.getData().orElseThrow().get("status").toString()).startsWith("starting");
    }

    @Test
    void shouldStayUpButDegradedWhileASourceFailsOrIsHeld() {
        lastLook = clock.instant();
        statuses = Map.of("a", status("a", SourceState.STREAMING, null), "b", status("b", SourceState.HELD, "sink 'cache' is failing"));
        HealthCheckResponse r = check();
        assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(r.getData().orElseThrow()).containsEntry("status", "degraded").containsEntry("source.a", "streaming")
                .containsEntry("source.b", "held: sink 'cache' is failing");
        statuses = Map.of("a", status("a", SourceState.STREAMING, null));
        assertThat(check().getData().orElseThrow()).containsEntry("status", "ok");
    }

    @Test
    void shouldGoDownWhenTheMonitorStopsLooking() {
        lastLook = clock.instant();
        clock.advance(PipelinesHealth.STALE);
        assertThat(check().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        clock.advance(Duration.ofSeconds(1));
        HealthCheckResponse r = check();
        assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(r.getData().orElseThrow().get("status").toString()).contains("last looked at 16 s ago");
    }
}
