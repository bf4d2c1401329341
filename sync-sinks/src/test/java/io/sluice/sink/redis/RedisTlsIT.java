package io.sluice.sink.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.embedded.FreePorts;
import io.sluice.embedded.RedisServer;
import io.sluice.sink.FatalSinkException;
import io.sluice.sink.TestEvents;
import io.sluice.testkit.TestCertificates;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Redis sink over TLS to a real Redis that holds a certificate this test generated, logged in as an ACL user with
 * exactly the rights docs/production.md lists, and nothing more.
 */
class RedisTlsIT {
    /** The ACL of docs/production.md's "Redis" section, for key prefix shop:. */
    static final String LEAST_RIGHTS = "user sluice on >sluice-secret resetkeys ~shop:* ~sluice:generation:* resetchannels -@all"
            + " +evalsha +script|load +get +set +mset +del +hset +pexpire +mget +hgetall +scan +setnx +wait +ping +select +client|setname";

    private static TestCertificates certificates;
    private static RedisServer redis;
    private static int tlsPort;

    @BeforeAll
    static void start() {
        certificates = TestCertificates.generate();
        tlsPort = FreePorts.next();
        redis = RedisServer.startNew("tls-port " + tlsPort, "tls-cert-file " + certificates.serverCertPem(), "tls-key-file "
                + certificates.serverKeyPem(), "tls-ca-cert-file " + certificates.caPem(), "tls-auth-clients no", LEAST_RIGHTS,
                "user narrow on >narrow-secret ~shop:* -@all +get +ping +client|setname");
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
    }

    private static RedisSink sink(Map<String, String> overrides) {
        Map<String, String> config = new HashMap<>(Map.of(RedisSinkConfig.URI, "rediss://localhost:" + tlsPort, RedisSinkConfig.TLS_CA_FILE,
                certificates.caPem().toString(), RedisSinkConfig.USER, "sluice", RedisSinkConfig.PASSWORD, "sluice-secret"));
        config.putAll(overrides);
        return new RedisSink("cache", RedisSinkConfig.parse("cache", config));
    }

    @Test
    void shouldWriteReadAndSweepOverTlsWithTheLeastRights() {
        try (RedisSink sink = sink(Map.of())) {
            sink.open();
            assertThat(sink.write(TestEvents.acrossTwoSnapshots()).rejected()).isEmpty();
            assertThat(sink.sweep(TestEvents.snapshotAt(1000))).containsEntry(TestEvents.TABLE, 1L);
            sink.flush();
            assertThat(sink.generation()).isNotBlank();
            assertThat(sink.readBack(List.of(TestEvents.upsert(3, "x", 1), TestEvents.upsert(4, "x", 1))))
                    .satisfiesExactly(three -> assertThat(three).contains("Barbara L."), four -> assertThat(four).isNull());
        }
        assertThat(redis.strings("shop:", "}")).as("nothing went in clear on the plain port's data").hasSize(4);
    }

    @Test
    void shouldRefuseAServerWhoseCertificateItsCaDidNotSign() {
        try (RedisSink sink = sink(Map.of(RedisSinkConfig.TLS_CA_FILE, certificates.otherCaPem().toString()))) {
            assertThatThrownBy(sink::open).isInstanceOf(FatalSinkException.class).hasMessageContaining("refused over TLS")
                    .hasMessageContaining("redis.tls.ca.file");
        }
    }

    @Test
    void shouldSayWhatToCheckWhenTheUserIsRefused() {
        try (RedisSink sink = sink(Map.of(RedisSinkConfig.PASSWORD, "not-the-password"))) {
            assertThatThrownBy(sink::open).isInstanceOf(FatalSinkException.class).hasMessageContaining("WRONGPASS")
                    .hasMessageContaining("redis.password").hasMessageNotContaining("not-the-password");
        }
        try (RedisSink sink = sink(Map.of(RedisSinkConfig.USER, "narrow", RedisSinkConfig.PASSWORD, "narrow-secret"))) {
            assertThatThrownBy(sink::open).isInstanceOf(FatalSinkException.class).hasMessageContaining("NOPERM")
                    .hasMessageContaining("SCRIPT LOAD").hasMessageContaining("docs/production.md");
        }
    }
}
