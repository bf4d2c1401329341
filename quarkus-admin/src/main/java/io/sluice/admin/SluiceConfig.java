package io.sluice.admin;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Sluice's own server configuration, prefix {@code sluice}. Each key is declared here once. */
@ConfigMapping(prefix = "sluice")
public interface SluiceConfig {

    /** Directory of the embedded metadata database, offsets and indexes; it must survive restarts. */
    @WithDefault("data")
    String dataDir();

    /**
     * Base64 of 32 random bytes that encrypts stored credentials ({@code openssl rand -base64 32}); required in
     * production, generated into the data directory in dev and test.
     */
    java.util.Optional<String> encryptionKey();

    /** Let a production server generate its encryption key into the data directory (single-host setups). */
    @WithDefault("false")
    boolean allowGeneratedKey();

    /** The metadata database: sources, sinks, pipelines, schemas, reviews, users, dead letters. */
    Metadata metadata();

    /** Where the metadata lives. */
    interface Metadata {
        /**
         * JDBC URL: {@code jdbc:postgresql://host:5432/sluice} in production; when absent, an embedded H2 file under the
         * data directory.
         */
        java.util.Optional<String> jdbcUrl();

        /** Database user (PostgreSQL). */
        java.util.Optional<String> username();

        /** Database password (PostgreSQL); give it from the environment, {@code SLUICE_METADATA_PASSWORD}. */
        java.util.Optional<String> password();

        /** Most connections in the pool. */
        @WithDefault("16")
        int maxConnections();
    }

    /** The first user, created at the first start when there is none. */
    Admin admin();

    /** The first admin user. */
    interface Admin {
        /** Name of the first admin. */
        @WithDefault("admin")
        String initialUser();

        /**
         * Password of the first admin (12 to 72 characters); when absent one is generated and printed once. Give it
         * from the environment ({@code SLUICE_ADMIN_INITIAL_PASSWORD}), not from a file in version control.
         */
        java.util.Optional<String> initialPassword();
    }

    /**
     * A process id the server lives with: when that process ends, the server stops. For launchers such as
     * {@code ./sluice demo}, so that a killed launcher leaves no server behind.
     */
    java.util.Optional<Long> parentPid();

    /** Whether the session cookie is sent over HTTPS only; leave it on unless the server is reached over plain HTTP. */
    @WithDefault("true")
    boolean secureCookies();

    /** Registry settings. */
    Registry registry();

    /** Settings of the Confluent-compatible registry API. */
    interface Registry {
        /** Largest schema accepted by the registry API, in characters. */
        @WithDefault("1000000")
        int maxSchemaLength();
    }
}
