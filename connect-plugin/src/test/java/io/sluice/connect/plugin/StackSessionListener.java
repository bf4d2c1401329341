package io.sluice.connect.plugin;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/** Stops the {@link DistributedStack} the tests shared once the test session ends (registered as a service). */
public final class StackSessionListener implements LauncherSessionListener {
    @Override
    public void launcherSessionClosed(LauncherSession session) {
        DistributedStack.closeShared();
    }
}
