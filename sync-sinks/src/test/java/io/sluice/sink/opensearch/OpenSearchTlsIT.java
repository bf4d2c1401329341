package io.sluice.sink.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.sink.FatalSinkException;
import io.sluice.sink.Reindexable;
import io.sluice.sink.TestEvents;
import io.sluice.testkit.OpenSearchTestNode;
import io.sluice.testkit.TestCertificates;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The search sink against a real OpenSearch node with its Security plugin: HTTPS only with a certificate this test
 * generates, trusted by a CA file or by the CA's fingerprint, and signed in as a user that holds exactly the role
 * docs/production.md lists ({@link OpenSearchTestNode#SINK_ROLE}): no cluster monitoring, rights on its own indexes only.
 */
class OpenSearchTlsIT {
    private static TestCertificates certificates;
    private static OpenSearchTestNode node;

    @BeforeAll
    static void start() {
        certificates = TestCertificates.generate();
        node = OpenSearchTestNode.startSecure(certificates);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    private static OpenSearchSink sink(String host, Map<String, String> settings) {
        Map<String, String> config = new HashMap<>(Map.of(OpenSearchSinkConfig.URLS, "https://" + host + ":" + node.httpPort(),
                OpenSearchSinkConfig.REPLICAS, "0", OpenSearchSinkConfig.USERNAME, OpenSearchTestNode.SINK_USER, OpenSearchSinkConfig.PASSWORD,
                OpenSearchTestNode.SINK_PASSWORD));
        config.putAll(settings);
        return new OpenSearchSink("search", OpenSearchSinkConfig.parse("search", config));
    }

    @Test
    void shouldWriteReadAndSweepOverHttpsWithTheLeastRights() {
        try (OpenSearchSink sink = sink("localhost", Map.of(OpenSearchSinkConfig.TLS_CA_FILE, certificates.caPem().toString()))) {
            sink.open();
            sink.prepare(TestEvents.TABLE, TestEvents.VALUE);
            assertThat(sink.write(TestEvents.acrossTwoSnapshots()).rejected()).isEmpty();
            sink.flush();
            assertThat(sink.generation()).isNotBlank();
            assertThat(sink.sweep(TestEvents.snapshotAt(1000))).containsEntry(TestEvents.TABLE, 1L);
            sink.flush();
            assertThat(sink.readBack(List.of(TestEvents.upsert(3, "x", 1), TestEvents.upsert(4, "x", 1))))
                    .satisfiesExactly(three -> assertThat(three).contains("Barbara L."), four -> assertThat(four).isNull());
            List<String> ids = new ArrayList<>();
            sink.scanIds(TestEvents.TABLE, ids::addAll);
            assertThat(ids).as("scrolled as the sink user").contains("1", "2", "3", "6");

            Reindexable reindex = sink.reindexable().orElseThrow();
            reindex.startReindex(TestEvents.TABLE, TestEvents.VALUE, 42);
            assertThat(reindex.writeReindex(List.of(TestEvents.snapshotRead(1, "Ada K.", 2000))).rejected()).isEmpty();
            reindex.finishReindex(TestEvents.TABLE);
            assertThat(sink.readBack(List.of(TestEvents.upsert(1, "x", 1))).get(0)).as("read through the swapped alias").contains("Ada K.");
        }
    }

    @Test
    void shouldTrustTheCaByTheFingerprintElasticsearchPrints() {
        String printed = certificates.caFingerprint().toUpperCase().replaceAll("(..)(?!$)", "$1:");
        try (OpenSearchSink sink = sink("127.0.0.1", Map.of(OpenSearchSinkConfig.TLS_CA_FINGERPRINT, printed))) {
            sink.open();
            assertThat(sink.write(List.of(TestEvents.upsert(7, "Grace", 110))).rejected()).isEmpty();
        }
    }

    @Test
    void shouldRefuseAServerNeitherTheCaNorTheFingerprintVouchesFor() {
        try (OpenSearchSink sink = sink("localhost", Map.of(OpenSearchSinkConfig.TLS_CA_FILE, certificates.otherCaPem().toString()))) {
            assertThatThrownBy(sink::open).isInstanceOf(FatalSinkException.class).hasMessageContaining("refused over TLS")
                    .hasMessageContaining("opensearch.tls.ca.file");
        }
        try (OpenSearchSink sink = sink("localhost", Map.of(OpenSearchSinkConfig.TLS_CA_FINGERPRINT, "ab".repeat(32)))) {
            assertThatThrownBy(sink::open).isInstanceOf(FatalSinkException.class).hasMessageContaining("refused over TLS");
        }
        try (OpenSearchSink sink = sink("localhost", Map.of())) {
            assertThatThrownBy(sink::open).as("the JVM's trust store does not know the test's CA").isInstanceOf(FatalSinkException.class);
        }
    }

    @Test
    void shouldRefuseAWrongPasswordWithoutShowingIt() {
        try (OpenSearchSink sink = sink("localhost", Map.of(OpenSearchSinkConfig.TLS_CA_FILE, certificates.caPem().toString(),
                OpenSearchSinkConfig.PASSWORD, "not-the-password"))) {
            assertThatThrownBy(sink::open).isInstanceOf(FatalSinkException.class).hasMessageContaining("401")
                    .hasMessageNotContaining("not-the-password");
        }
    }
}
