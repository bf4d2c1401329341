package io.sluice.testkit;

import java.nio.file.Path;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;

/** Fresh H2 metadata databases with every Sluice migration on the classpath applied. */
public final class MetadataDatabase {
    private MetadataDatabase() {
    }

    /** A new in-memory database, alive until the JVM exits. */
    public static DataSource inMemory() {
        return migrated("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    }

    /** A database in a file (without extension), kept across "server restarts" within a test. */
    public static DataSource file(Path file) {
        return migrated("jdbc:h2:file:" + file.toAbsolutePath());
    }

    private static DataSource migrated(String url) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL(url);
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        return ds;
    }
}
