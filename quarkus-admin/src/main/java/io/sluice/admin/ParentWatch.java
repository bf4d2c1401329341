package io.sluice.admin;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/** Stops the server when the process named by {@code sluice.parent-pid} ends (see {@link SluiceConfig#parentPid()}). */
@ApplicationScoped
public class ParentWatch {
    private static final Logger LOG = Logger.getLogger(ParentWatch.class);

    void watch(@Observes StartupEvent event, SluiceConfig config) {
        config.parentPid().ifPresent(pid -> ProcessHandle.of(pid).ifPresentOrElse(
                parent -> parent.onExit().thenRun(() -> stop(pid)),
                () -> stop(pid)));
    }

    private static void stop(long pid) {
        LOG.infof("the launching process %d has ended: stopping the server", pid);
        Quarkus.asyncExit(0);
    }
}
