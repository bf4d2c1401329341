package io.sluice.admin.metadata;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.sluice.admin.SluiceConfig;
import io.sluice.contract.Metadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;

/**
 * The metadata database, chosen at run time by {@code sluice.metadata.jdbc-url}: an embedded H2 file under the
 * data directory by default, PostgreSQL in production. The schema is migrated by Flyway before first use.
 */
@ApplicationScoped
public class MetadataDataSource {
    private static final Logger LOG = Logger.getLogger(MetadataDataSource.class);

    @Produces
    @ApplicationScoped
    DataSource dataSource(SluiceConfig config) {
        SluiceConfig.Metadata m = config.metadata();
        String url = m.jdbcUrl().orElseGet(() -> "jdbc:h2:file:" + Path.of(config.dataDir()).toAbsolutePath().resolve("metadata")
                + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0"); // a commit reaches the file before it returns: a killed server keeps it
        if (!url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:postgresql:")) {
            throw new ConfigurationException("Sluice cannot start: sluice.metadata.jdbc-url is '" + url.replaceAll("password=[^&;]*", "password=****")
                    + "'; expected jdbc:postgresql://host:port/database, or leave it out for the embedded H2 database");
        }
        AgroalDataSource ds;
        try {
            ds = AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier().connectionPoolConfiguration(pool -> pool
                    .minSize(0).maxSize(m.maxConnections()).acquisitionTimeout(Duration.ofSeconds(30))
                    .connectionFactoryConfiguration(cf -> {
                        cf.jdbcUrl(url);
                        // The driver by class, not looked up in DriverManager: that finds only drivers registered from this
                        // class loader, and a second application in one JVM (tests under another profile) has another.
                        cf.connectionProviderClass(url.startsWith("jdbc:h2:") ? org.h2.Driver.class : org.postgresql.Driver.class);
                        m.username().ifPresent(u -> cf.principal(new NamePrincipal(u)));
                        m.password().ifPresent(p -> cf.credential(new SimplePassword(p)));
                        return cf;
                    })));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the metadata database at " + url + ": " + e.getMessage(), e);
        }
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        LOG.infof("metadata database: %s", url.startsWith("jdbc:h2:") ? "embedded H2 " + url.substring(8).split(";")[0] : "PostgreSQL");
        return ds;
    }

    void close(@Disposes DataSource ds) {
        if (ds instanceof AgroalDataSource a) {
            a.close();
        }
    }
}
