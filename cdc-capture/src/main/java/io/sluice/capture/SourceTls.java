package io.sluice.capture;

import io.sluice.config.PemCertificates;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How a source's connections use TLS ({@code tls.mode}, {@code tls.ca.file}), said the way each client wants it: the
 * MariaDB and MySQL JDBC drivers of Sluice's own connections (preflight, probes, backfills, verification) and
 * Debezium's connector (its JDBC connection and its binlog client).
 *
 * <p>Connector/J and Debezium's binlog client read trusted certificates from a key store, not PEM: the CA file is
 * copied into a PKCS12 store in the source's directory ({@link #trustStore()}). It holds public certificates only,
 * so its password ({@value #TRUST_STORE_PASSWORD}) protects nothing and is not a secret.
 *
 * <p>Immutable.
 */
public record SourceTls(Mode mode, Optional<Path> caFile, Path sourceDir) {
    static final String TRUST_STORE_PASSWORD = "sluice-public-certificates";

    /** What {@code tls.mode} allows. */
    public enum Mode {
        /** What the driver does by itself: Connector/J uses TLS when the server offers it, unverified; MariaDB's driver does not. */
        PREFERRED("preferred"),
        DISABLED("disabled"),
        /** Encrypted, the server's certificate not checked. */
        REQUIRED("required"),
        /** Encrypted, the certificate signed by a trusted CA. */
        VERIFY_CA("verify-ca"),
        /** As {@link #VERIFY_CA}, and the certificate names the host Sluice connects to. */
        VERIFY_IDENTITY("verify-identity");

        private final String text;

        Mode(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }

        static Mode of(String text) {
            for (Mode m : values()) {
                if (m.text.equals(text.toLowerCase(Locale.ROOT))) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown tls.mode " + text);
        }

        boolean verifies() {
            return this == VERIFY_CA || this == VERIFY_IDENTITY;
        }
    }

    /** The driver options of Sluice's own connections, for the JDBC URL's query (empty under {@code preferred}). */
    Map<String, String> jdbcOptions(SourceType type) {
        Map<String, String> options = new LinkedHashMap<>();
        if (mode == Mode.PREFERRED) {
            return options;
        }
        switch (type) {
            case MARIADB -> {
                options.put("sslMode", mariaDbMode());
                caFile.ifPresent(ca -> options.put("serverSslCert", ca.toString()));
            }
            case MYSQL -> {
                options.put("sslMode", mode.name());
                caFile.ifPresent(ca -> {
                    options.put("trustCertificateKeyStoreUrl", trustStore().toUri().toString());
                    options.put("trustCertificateKeyStoreType", "PKCS12");
                    options.put("trustCertificateKeyStorePassword", TRUST_STORE_PASSWORD);
                });
            }
        }
        return options;
    }

    /**
     * The JDBC URL query of {@link #jdbcOptions}, each option preceded by {@code &}. Values are not URL-encoded: the
     * MariaDB driver does not decode them (a path with {@code &} or {@code =} in it is refused by {@link SourceConfig}).
     */
    String jdbcQuery(SourceType type) {
        StringBuilder query = new StringBuilder();
        jdbcOptions(type).forEach((k, v) -> query.append('&').append(k).append('=').append(v));
        return query.toString();
    }

    /** Debezium's {@code database.ssl.mode} for the connector of a type; null under {@code preferred} (its default). */
    String debeziumMode(SourceType type) {
        if (mode == Mode.PREFERRED) {
            return null;
        }
        return switch (type) {
            case MARIADB -> mariaDbMode();
            case MYSQL -> mode.name().toLowerCase(Locale.ROOT);
        };
    }

    /** The MariaDB driver's (and Debezium's MariaDB connector's) names of the modes. */
    private String mariaDbMode() {
        return switch (mode) {
            case PREFERRED, DISABLED -> "disable";
            case REQUIRED -> "trust";
            case VERIFY_CA -> "verify-ca";
            case VERIFY_IDENTITY -> "verify-full";
        };
    }

    /**
     * The PKCS12 store of the CA file's certificates, written (again, when the CA file changed since) in the source's
     * directory.
     *
     * @throws IllegalStateException if no CA file is set
     * @throws UncheckedIOException if the CA file cannot be read or the store written
     */
    Path trustStore() {
        Path ca = caFile.orElseThrow(() -> new IllegalStateException("no tls.ca.file"));
        Path store = sourceDir.resolve("tls-trust.p12");
        try {
            if (Files.exists(store) && Files.getLastModifiedTime(store).compareTo(Files.getLastModifiedTime(ca)) >= 0) {
                return store;
            }
            KeyStore keys = PemCertificates.trustStore(ca);
            Files.createDirectories(sourceDir);
            Path partial = sourceDir.resolve("tls-trust.p12.partial");
            try (OutputStream out = Files.newOutputStream(partial)) {
                keys.store(out, TRUST_STORE_PASSWORD.toCharArray());
            }
            Files.move(partial, store, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException("tls.ca.file " + ca + " could not be turned into a trust store at " + store + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new UncheckedIOException(new IOException("tls.ca.file " + ca + " holds no readable PEM certificate: " + e.getMessage(), e));
        }
    }
}
