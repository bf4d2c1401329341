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

    /** Registry settings. */
    Registry registry();

    /** Settings of the Confluent-compatible registry API. */
    interface Registry {
        /** Largest schema accepted by the registry API, in characters. */
        @WithDefault("1000000")
        int maxSchemaLength();
    }
}
