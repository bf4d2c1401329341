package io.sluice.admin.server;

import io.sluice.embedded.FreePorts;
import static org.awaitility.Awaitility.await;

import io.sluice.embedded.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A server started with {@code sluice.parent-pid} stops when that process ends, as the demo's launcher needs. */
class ParentWatchIT {

    @Test
    void shouldStopTheServerWhenItsParentProcessEnds() throws Exception {
        Process parent = new ProcessBuilder("sleep", "600").start();
        Path dir = Files.createTempDirectory("sluice-parent-");
        Map<String, String> props = Map.of("sluice.data-dir", dir.resolve("data").toString(),
                "sluice.encryption-key", Base64.getEncoder().encodeToString(new byte[32]), "sluice.admin.initial-password", "Parent-Watch-Pw-1",
                "sluice.parent-pid", Long.toString(parent.pid()));
        try (ServerProcess server = new ServerProcess(ServerProcess.packagedJar(), FreePorts.next(), props, Path.of("target", "parent-watch.log"))) {
            server.start();
            parent.destroyForcibly(); // the launcher is killed without a chance to stop its children
            await().atMost(Duration.ofSeconds(30)).until(() -> !server.isAlive());
        } finally {
            parent.destroyForcibly();
        }
    }
}
