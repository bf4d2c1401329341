package io.sluice.admin;

import io.sluice.admin.alert.Alerts;
import io.sluice.admin.view.Views;
import io.sluice.contract.Metadata;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

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
    Optional<String> encryptionKey();

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
        Optional<String> jdbcUrl();

        /** Database user (PostgreSQL). */
        Optional<String> username();

        /** Database password (PostgreSQL); give it from the environment, {@code SLUICE_METADATA_PASSWORD}. */
        Optional<String> password();

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
        Optional<String> initialPassword();
    }

    /**
     * A process id the server lives with: when that process ends, the server stops. For launchers such as
     * {@code ./sluice demo}, so that a killed launcher leaves no server behind.
     */
    Optional<Long> parentPid();

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

    /** How document views are kept in step. */
    Views views();

    /** Settings of document views. */
    interface Views {
        /**
         * The most documents of a view that one batch of changes rebuilds on the capture thread; a change that touches
         * more (a category of 500,000 products renamed) is handed to a background rebuild, so that the stream never
         * stalls.
         */
        @WithDefault("10000")
        int fanOutCap();

        /** How many documents a second the background rebuilds write at most, all views of the server together. */
        @WithDefault("20000")
        int rebuildRate();
    }

    /**
     * Where pipelines run: {@code embedded} (Debezium engines and sinks inside this server) or {@code connect}
     * (Debezium's source connectors and Sluice's sink connectors on a Kafka Connect cluster, driven through its REST
     * API; see {@link Connect}).
     */
    @WithDefault("embedded")
    Runtime runtime();

    /** Where pipelines run. */
    enum Runtime { EMBEDDED, CONNECT }

    /** The Kafka Connect cluster of {@code sluice.runtime=connect}. */
    Connect connect();

    /** Settings of the {@code connect} runtime; the three URLs are required there and ignored otherwise. */
    interface Connect {
        /** Base URL of the Kafka Connect REST API, for example {@code http://connect:8083}. */
        Optional<String> url();

        /** Kafka bootstrap servers the source connectors keep their schema history and signals in. */
        Optional<String> bootstrapServers();

        /** This server's registry as the Connect workers reach it, for example {@code http://sluice:8080/registry}. */
        Optional<String> registryUrl();

        /**
         * An API token of a user of this server with the {@code operator} role that the converters send to the
         * registry as a bearer token (an admin's registrations skip schema review). Connect shows connector
         * configurations to whoever may read its REST API, so prefer a reference the workers resolve themselves,
         * for example {@code ${file:/opt/connect/secrets/registry.properties:token}}; it is passed on as written.
         */
        Optional<String> registryToken();

        /**
         * {@code user:password} of such a user, sent as basic authentication when no token is given; as with the
         * token, prefer a reference such as {@code ${file:/opt/connect/secrets/registry.properties:user.info}}.
         */
        Optional<String> registryUserInfo();

        /** Replication factor of the topics the connectors create (schema history, dead letters). */
        @WithDefault("3")
        short replicationFactor();

        /** Timeout of each call to the Connect REST API. */
        @WithDefault("10s")
        Duration requestTimeout();
    }

    /** Alerts the server raises itself and sends to webhooks (see docs/operations.md). */
    Alerts alerts();

    /** Alert rules and their receivers. */
    interface Alerts {
        /**
         * Webhooks that get each alert as a JSON object, once when it fires and once when it resolves (comma-separated
         * http or https URLs).
         */
        Optional<List<String>> webhookUrls();

        /**
         * Slack incoming webhooks ({@code https://hooks.slack.com/services/...}) that get each alert as a message. Their
         * addresses hold a token: give them from the environment ({@code SLUICE_ALERTS_SLACK_URLS}); they are never
         * logged or shown, only their host.
         */
        Optional<List<String>> slackUrls();

        /** How often the alert rules are checked. */
        @WithDefault("5s")
        Duration checkInterval();

        /**
         * How long a source must stay failed, or held for a decision, before its alert fires: a source restarting
         * passes through these states for a moment.
         */
        @WithDefault("10s")
        Duration sourceFailedFor();

        /** Freshness p99 (commit to acknowledgement, over the last minute) above which a sink is slow. */
        @WithDefault("30s")
        Duration freshnessThreshold();

        /** How long freshness must stay over the threshold before its alert fires. */
        @WithDefault("2m")
        Duration freshnessFor();

        /** How long a sink must fail, holding its sources, before its alert fires; shorter outages go unannounced. */
        @WithDefault("1m")
        Duration sinkFailingFor();

        /** How long without a new dead letter, or a new failure of a quality rule, before those alerts resolve. */
        @WithDefault("10m")
        Duration quietFor();

        /** How many times a notification is sent to a receiver that fails (timeouts, HTTP 408, 429, 5xx) before giving up. */
        @WithDefault("8")
        int deliveryAttempts();

        /** The wait before the first new attempt; each next one waits twice as long, at most five minutes. */
        @WithDefault("1s")
        Duration retryBackoff();
    }

    /** Several servers on one PostgreSQL metadata store, one leading (see docs/operations.md#a-standby-server). */
    Ha ha();

    /** High availability of the embedded runtime. */
    interface Ha {
        /**
         * Whether this server takes part in leader election: the one holding the lease in the metadata database runs
         * the sources and jobs; the others stand by, serve reads, refuse changes, and take over when the lease
         * lapses. Needs {@code sluice.metadata.jdbc-url} on PostgreSQL and the embedded runtime.
         */
        @WithDefault("false")
        boolean enabled();

        /** How long a lease lasts without renewal: a leader that stops renewing loses it after this long. */
        @WithDefault("15s")
        Duration lease();

        /** How often the leader renews its lease, and a standby tries to take it; under a third of the lease. */
        @WithDefault("3s")
        Duration renewInterval();

        /** This server's name in the lease and in messages; the host name and a random suffix when absent. */
        Optional<String> serverName();
    }
}
