package io.sluice.admin;

import io.sluice.metadata.MetadataDb;
import io.sluice.registry.SchemaRegistry;
import io.sluice.review.SchemaReviews;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;
import javax.sql.DataSource;

/** Wires the framework-free governance classes, and the metadata database's access, into CDI. */
@ApplicationScoped
public class GovernanceBeans {

    @Produces
    @ApplicationScoped
    Clock clock() {
        return Clock.systemUTC();
    }

    /** The one access to the metadata database that every store shares. */
    @Produces
    @ApplicationScoped
    MetadataDb metadataDb(DataSource dataSource) {
        return new MetadataDb(dataSource);
    }

    @Produces
    @ApplicationScoped
    SchemaRegistry registry(DataSource dataSource, Clock clock) {
        return new SchemaRegistry(dataSource, clock);
    }

    @Produces
    @ApplicationScoped
    SchemaReviews reviews(DataSource dataSource, SchemaRegistry registry, Clock clock) {
        return new SchemaReviews(dataSource, registry, clock);
    }
}
