package io.sluice.admin.leadership;

import io.sluice.admin.SluiceConfig;
import io.sluice.admin.api.ApiError;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A standby answers reads but refuses changes (to the API and the registry) with 503, naming the leader: the leader
 * alone runs what a change sets in motion. Signing in and out works everywhere.
 */
public class StandbyFilter {
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    @Inject
    SluiceConfig config;

    @Inject
    Leadership leadership;

    @ServerRequestFilter(preMatching = true)
    public Response check(ContainerRequestContext request) {
        if (!config.ha().enabled() || leadership.leads() || SAFE.contains(request.getMethod())) {
            return null;
        }
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api/") && !path.startsWith("/registry")) {
            return null;
        }
        return Response.status(503).type(MediaType.APPLICATION_JSON).header("Retry-After", "5").entity(ApiError.of("standby", "This server"
                + " stands by and takes no changes; " + leadership.leader() + ": send changes to it (reads work here).")).build();
    }
}
