package io.sluice.admin.alert;

import io.quarkus.security.identity.SecurityIdentity;
import io.sluice.admin.auth.Role;
import io.sluice.admin.error.InvalidRequestException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Arrays;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The server's alerts under {@code /api/v1/alerts}: their history (open ones first to look at), the receivers they
 * go to, and silences that hold back sending for a time.
 */
@Path("/api/v1/alerts")
@Tag(name = "alerts", description = "Alerts the server raises and sends to webhooks; silences")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.READ)
public class AlertResource {
    private static final int MOST = 1000;

    @Inject
    Alerts alerts;

    @Inject
    SecurityIdentity identity;

    /**
     * Alerts and where they go.
     *
     * @param open the alerts whose condition holds now, oldest first
     * @param history the newest alerts first, open and resolved
     * @param receivers where alerts are sent: format and host only
     * @param kinds every kind of alert, with what its subject names and what it means
     */
    public record Overview(List<Alert> open, List<Alert> history, List<String> receivers, List<Kind> kinds) {
    }

    /** A kind of alert, for forms and the page's legend. */
    public record Kind(AlertKind kind, String subject, String description) {
    }

    /**
     * A silence to set.
     *
     * @param kind the kind it holds back ({@code source-failed}, ...); absent for every kind
     * @param subject the subject, exactly or with {@code *}; absent for every subject
     * @param minutes how long, 1 to 43,200
     */
    public record SilenceRequest(String kind, String subject, Integer minutes, String comment) {
    }

    @GET
    public Overview list(@QueryParam("limit") @DefaultValue("100") int limit) {
        if (limit < 1 || limit > MOST) {
            throw InvalidRequestException.of("limit", "is " + limit + "; expected 1 to " + MOST);
        }
        List<Alert> history = alerts.history(limit);
        List<Alert> open = history.stream().filter(Alert::open).sorted((a, b) -> Long.compare(a.id(), b.id())).toList();
        return new Overview(open, history, alerts.receivers(), Arrays.stream(AlertKind.values())
                .map(k -> new Kind(k, k.subject(), k.description())).toList());
    }

    @GET
    @Path("/{id}")
    public Alert show(@PathParam("id") long id) {
        return alerts.get(id);
    }

    @GET
    @Path("/silences")
    public List<Silence> silences() {
        return alerts.silences();
    }

    @RolesAllowed(Role.OPERATE)
    @POST
    @Path("/silences")
    public Response silence(SilenceRequest request) {
        SilenceRequest r = request == null ? new SilenceRequest(null, null, null, null) : request;
        Silence silence = alerts.silence(r.kind(), r.subject(), r.minutes(), r.comment(), identity.getPrincipal().getName());
        return Response.status(Response.Status.CREATED).entity(silence).build();
    }

    @RolesAllowed(Role.OPERATE)
    @DELETE
    @Path("/silences/{id}")
    public Response endSilence(@PathParam("id") long id) {
        alerts.endSilence(id, identity.getPrincipal().getName());
        return Response.noContent().build();
    }
}
