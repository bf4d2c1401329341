package io.sluice.sink.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.sink.FatalSinkException;
import io.sluice.sink.TestEvents;
import io.sluice.testkit.OpenSearchTestNode;
import io.sluice.testkit.TcpProxy;
import io.sluice.testkit.TestCertificates;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The search sink over https:// trusting a CA file or a certificate fingerprint, and refusing a server neither
 * vouches for. OpenSearch's own HTTPS comes with its security plugin, which this node does not load: the TLS end here
 * is a proxy holding a certificate this test generates, in front of the real node.
 */
class OpenSearchTlsIT {
    private static TestCertificates certificates;
    private static TcpProxy tls;

    @BeforeAll
    static void start() throws Exception {
        certificates = TestCertificates.generate();
        tls = TcpProxy.terminatingTls(OpenSearchTestNode.shared().httpPort(), certificates.serverKeyStore(), TestCertificates.KEY_STORE_PASSWORD);
    }

    @AfterAll
    static void stop() throws Exception {
        if (tls != null) {
            tls.close();
        }
    }

    private static OpenSearchSink sink(String host, Map<String, String> trust) {
        Map<String, String> config = new HashMap<>(trust);
        config.put(OpenSearchSinkConfig.URLS, "https://" + host + ":" + tls.port());
        config.put(OpenSearchSinkConfig.REPLICAS, "0");
        config.put("target", "tls-{table}");
        return new OpenSearchSink("search", OpenSearchSinkConfig.parse("search", config));
    }

    @Test
    void shouldWriteOverHttpsTrustingTheCaFile() {
        try (OpenSearchSink sink = sink("localhost", Map.of(OpenSearchSinkConfig.TLS_CA_FILE, certificates.caPem().toString()))) {
            sink.open();
            assertThat(sink.write(List.of(TestEvents.upsert(1, "Ada", 100))).rejected()).isEmpty();
            sink.flush();
            assertThat(sink.readBack(List.of(TestEvents.upsert(1, "x", 1))).get(0)).contains("\"name\":\"Ada\"");
        }
    }

    @Test
    void shouldWriteOverHttpsTrustingTheCaFingerprintAsElasticsearchPrintsIt() {
        String printed = certificates.caFingerprint().toUpperCase().replaceAll("(..)(?!$)", "$1:");
        try (OpenSearchSink sink = sink("127.0.0.1", Map.of(OpenSearchSinkConfig.TLS_CA_FINGERPRINT, printed))) {
            sink.open();
            assertThat(sink.write(List.of(TestEvents.upsert(2, "Grace", 110))).rejected()).isEmpty();
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
}
