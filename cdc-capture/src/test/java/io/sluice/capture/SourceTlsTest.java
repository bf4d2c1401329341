package io.sluice.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testkit.TestCertificates;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tls.mode said the way each client wants it, from the drivers' and Debezium's documented option names. */
class SourceTlsTest {
    @TempDir
    Path dir;

    @Test
    void shouldLeaveEverythingToTheDriversWhenPreferred() {
        SourceTls tls = new SourceTls(SourceTls.Mode.PREFERRED, Optional.empty(), dir);
        assertThat(tls.jdbcQuery(SourceType.MYSQL)).isEmpty();
        assertThat(tls.debeziumMode(SourceType.MARIADB)).isNull();
    }

    @Test
    void shouldNameTheModesAsEachClientDoes() {
        assertThat(new SourceTls(SourceTls.Mode.REQUIRED, Optional.empty(), dir).jdbcQuery(SourceType.MARIADB)).isEqualTo("&sslMode=trust");
        assertThat(new SourceTls(SourceTls.Mode.DISABLED, Optional.empty(), dir).jdbcQuery(SourceType.MYSQL)).isEqualTo("&sslMode=DISABLED");
        SourceTls identity = new SourceTls(SourceTls.Mode.VERIFY_IDENTITY, Optional.empty(), dir);
        assertThat(identity.debeziumMode(SourceType.MARIADB)).isEqualTo("verify-full");
        assertThat(identity.debeziumMode(SourceType.MYSQL)).isEqualTo("verify_identity");
        assertThat(identity.jdbcQuery(SourceType.MYSQL)).isEqualTo("&sslMode=VERIFY_IDENTITY");
    }

    @Test
    void shouldGiveMariaDbThePemFileAndMySqlATrustStoreMadeFromIt() throws Exception {
        Path ca = TestCertificates.generate().caPem();
        SourceTls tls = new SourceTls(SourceTls.Mode.VERIFY_CA, Optional.of(ca), dir.resolve("source"));
        assertThat(tls.jdbcQuery(SourceType.MARIADB)).isEqualTo("&sslMode=verify-ca&serverSslCert=" + ca);
        Path store = tls.trustStore();
        assertThat(tls.jdbcQuery(SourceType.MYSQL)).isEqualTo("&sslMode=VERIFY_CA&trustCertificateKeyStoreUrl=" + store.toUri()
                + "&trustCertificateKeyStoreType=PKCS12&trustCertificateKeyStorePassword=" + SourceTls.TRUST_STORE_PASSWORD);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, SourceTls.TRUST_STORE_PASSWORD.toCharArray());
        }
        assertThat(keys.size()).isEqualTo(1);
    }
}
