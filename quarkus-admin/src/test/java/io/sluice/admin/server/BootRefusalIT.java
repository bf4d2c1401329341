package io.sluice.admin.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.embedded.FreePorts;
import io.sluice.embedded.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The packaged server refusing a setting at boot, as a new user meets it: one line naming the setting, the rule and
 * the fix, and no stack trace.
 */
class BootRefusalIT {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "sluice.admin.initial-password|short|sluice.admin.initial-password (SLUICE_ADMIN_INITIAL_PASSWORD): must have at least 12 characters",
        "sluice.encryption-key|not base64!|sluice.encryption-key is not Base64",
        "sluice.metadata.jdbc-url|jdbc:mysql://db/meta|expected jdbc:postgresql://host:port/database",
        "sluice.ha.enabled|true|sluice.ha.enabled needs sluice.metadata.jdbc-url on PostgreSQL",
        "sluice.alerts.webhook-urls|ftp://hooks.example.com/x|sluice.alerts.webhook-urls[0] is not an http or https URL"})
    void shouldRefuseABadSettingInOneLineWithoutAStackTrace(String key, String value, String expected) throws Exception {
        Map<String, String> properties = new HashMap<>(ServerProcess.freshProperties("a-good-password-1"));
        properties.put(key, value);
        Path log = dir.resolve("server.log");
        ServerProcess server = new ServerProcess(ServerProcess.packagedJar(), FreePorts.next(), properties, log);
        server.launch();
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> !server.isAlive());
        } finally {
            server.kill();
        }
        String out = Files.readString(log);
        assertThat(out).contains("Sluice cannot start: ").contains(expected).doesNotContain("\tat ").doesNotContain("Caused by");
    }
}
