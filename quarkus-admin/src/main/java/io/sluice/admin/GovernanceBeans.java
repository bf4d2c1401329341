package io.sluice.admin;

import io.sluice.registry.SchemaRegistry;
import io.sluice.review.SchemaReviews;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;
import javax.sql.DataSource;

/** Wires the framework-free governance classes into CDI. */
@ApplicationScoped
public class GovernanceBeans {

    @Produces
    @ApplicationScoped
    Clock clock() {
        return Clock.systemUTC();
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
