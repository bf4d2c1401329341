package io.sluice.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.sluice.embedded.MariaDbServer;
import io.sluice.event.Operation;
import io.sluice.preflight.Finding;
import io.sluice.preflight.Preflight;
import io.sluice.preflight.PreflightReport;
import io.sluice.preflight.Severity;
import io.sluice.review.SchemaGate;
import io.sluice.testkit.TestCertificates;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source over TLS: a real MariaDB holding a certificate this test generates, whose capture user may only connect
 * with TLS ({@code REQUIRE SSL}). Capture (Debezium's JDBC connection and binlog client) and Sluice's own connections
 * (preflight) verify the server against {@code tls.ca.file}.
 */
class SourceTlsIT {
    private static final String USER = "tls_capture";
    private static final String PASSWORD = "tls-Secret-26";
    private static TestCertificates certificates;
    private static MariaDbServer db;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void start() {
        certificates = TestCertificates.generate();
        db = MariaDbServer.start(MariaDbServer.Options.defaults().withArgs("--ssl-ca=" + certificates.caPem(), "--ssl-cert="
                + certificates.serverCertPem(), "--ssl-key=" + certificates.serverKeyPem()));
        db.createCaptureUser(USER, PASSWORD);
        db.execute("ALTER USER '" + USER + "'@'%' REQUIRE SSL");
        db.recreateDatabase("shop_tls");
        db.execute("CREATE TABLE shop_tls.customers (id INT PRIMARY KEY, name VARCHAR(100))", "INSERT INTO shop_tls.customers VALUES (1, 'Ada')");
    }

    @AfterAll
    static void stop() {
        if (db != null) {
            db.close();
        }
    }

    private SourceConfig config(String name, Map<String, String> tls) {
        Map<String, String> p = CaptureFixtures.sourceProps(db, name, "shop_tls", dataDir);
        p.put(SourceConfig.USER, USER);
        p.put(SourceConfig.PASSWORD, PASSWORD);
        p.putAll(tls);
        return SourceConfig.parse(p);
    }

    @Test
    void shouldCaptureOverTlsVerifyingTheServersIdentity() throws Exception {
        SourceConfig config = config("tls_ok", Map.of(SourceConfig.TLS_MODE, "verify-identity", SourceConfig.TLS_CA_FILE,
                certificates.caPem().toString()));
        PreflightReport report = Preflight.run(config);
        assertThat(report.hasErrors()).as(report.toString()).isFalse();

        CollectingConsumer consumer = new CollectingConsumer();
        try (CaptureWorker worker = new CaptureWorker(config, consumer, SchemaGate.permissive(), Clock.systemUTC())) {
            worker.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> consumer.changes("customers").size() == 1);
            db.execute("INSERT INTO shop_tls.customers VALUES (2, 'Grace')");
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.changes("customers").size() == 2);
            assertThat(consumer.changes("customers").get(1).operation()).isEqualTo(Operation.CREATE);
        }
        assertThat(db.rows("", "SHOW STATUS LIKE 'Ssl_accepts'")).isNotEmpty();
    }

    @Test
    void shouldNameTheCaFileWhenTheServerIsNotTrusted() {
        PreflightReport report = Preflight.run(config("tls_other", Map.of(SourceConfig.TLS_MODE, "verify-ca", SourceConfig.TLS_CA_FILE,
                certificates.otherCaPem().toString())));
        Finding connection = report.finding("connection").orElseThrow();
        assertThat(connection.severity()).isEqualTo(Severity.ERROR);
        assertThat(connection.message()).contains("TLS connection");
        assertThat(connection.fix()).contains("tls.ca.file");
    }

    @Test
    void shouldRefuseACaFileWithAModeThatDoesNotVerify() {
        assertThat(catchThrowable(() -> config("tls_mode", Map.of(SourceConfig.TLS_MODE, "required",
                SourceConfig.TLS_CA_FILE, certificates.caPem().toString())))).hasMessageContaining("tls.mode").hasMessageContaining("verify-ca");
    }
}
