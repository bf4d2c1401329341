package io.sluice.admin.chart;

import io.sluice.admin.auth.Role;
import io.sluice.admin.sink.SinkStore;
import io.sluice.admin.source.SourceStore;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Arrays;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The last hour of the server, a source or a sink, for the UI's charts, under {@code /api/v1/charts}. */
@Path("/api/v1/charts")
@Tag(name = "charts", description = "The last hour of events, freshness, lag and dead letters, sampled by the server")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.READ)
public class ChartResource {

    @Inject
    Charts charts;

    @Inject
    SourceStore sources;

    @Inject
    SinkStore sinks;

    /**
     * The charts of one scope.
     *
     * @param everySeconds the time between two points
     * @param lines one per measure that applies to the scope
     */
    public record Chart(String scope, long everySeconds, List<Line> lines) {
    }

    /** One measure's points, oldest first; a null value is an interval with nothing to measure. */
    public record Line(Charts.Measure measure, String unit, List<Series.Point> points) {
    }

    @GET
    @Path("/overview")
    public Chart overview() {
        return chart("overview", Charts.Measure.EVENTS_PER_SECOND, Charts.Measure.FRESHNESS_P99, Charts.Measure.LAG, Charts.Measure.DEAD_LETTERS);
    }

    @GET
    @Path("/sources/{name}")
    public Chart source(@PathParam("name") String name) {
        sources.get(name);
        return chart("source:" + name, Charts.Measure.EVENTS_PER_SECOND, Charts.Measure.FRESHNESS_P99, Charts.Measure.LAG,
                Charts.Measure.DEAD_LETTERS);
    }

    @GET
    @Path("/sinks/{name}")
    public Chart sink(@PathParam("name") String name) {
        sinks.get(name);
        return chart("sink:" + name, Charts.Measure.WRITTEN_PER_SECOND, Charts.Measure.FRESHNESS_P99, Charts.Measure.DEAD_LETTERS);
    }

    private Chart chart(String scope, Charts.Measure... measures) {
        return new Chart(scope, Charts.EVERY.toSeconds(), Arrays.stream(measures).map(m -> new Line(m, m.unit(), charts.of(scope, m))).toList());
    }
}
