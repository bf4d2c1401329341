package io.sluice.admin.runtime;

import io.quarkus.runtime.ShutdownEvent;
import io.sluice.admin.SluiceConfig;
import io.sluice.admin.leadership.Leadership;
import io.sluice.admin.runtime.connect.ConnectRuntime;
import io.sluice.admin.runtime.embedded.EmbeddedRuntime;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;

/**
 * Chooses the {@link PipelineRuntime} once, by {@code sluice.runtime}, starts it at boot before the services that
 * use it, and closes it at shutdown before the sinks it writes to. Only the chosen runtime is created.
 */
@ApplicationScoped
public class Runtimes {

    @Inject
    SluiceConfig config;

    @Inject
    Instance<EmbeddedRuntime> embedded;

    @Inject
    Instance<ConnectRuntime> connect;

    private PipelineRuntime chosen;

    @Produces
    @ApplicationScoped
    PipelineRuntime runtime() {
        return chosen();
    }

    void boot(@Observes @Priority(10) Leadership.Elected event) {
        chosen().start();
    }

    void shutdown(@Observes @Priority(10) ShutdownEvent event) {
        chosen().close();
    }

    private synchronized PipelineRuntime chosen() {
        if (chosen == null) {
            chosen = switch (config.runtime()) {
                case EMBEDDED -> embedded.get();
                case CONNECT -> connect.get();
            };
        }
        return chosen;
    }
}
