package io.sluice.admin.ui;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.sluice.admin.auth.CredentialMechanism;
import io.sluice.admin.auth.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Set;

/**
 * The pages of the web UI. Each is a server-rendered shell; its script reads and changes everything through the
 * same {@code /api/v1} the CLI uses, and polls for live status.
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Role.READ)
public class PageResource {
    private static final Set<String> PAGES = Set.of("overview", "sources", "source", "sinks", "pipelines", "views", "view", "schemas", "proposal",
            "rules", "rule", "audits", "alerts", "backfills", "dead-letters", "users", "search");

    @Inject
    @Location("page.html")
    Template page;

    @Inject
    SecurityIdentity identity;

    @GET
    public TemplateInstance overview() {
        return render("overview", null);
    }

    @GET
    @Path("{page: sources|sinks|pipelines|views|schemas|rules|audits|alerts|backfills|dead-letters|users|search}")
    public TemplateInstance section(@PathParam("page") String name) {
        return render(name, null);
    }

    @GET
    @Path("sources/{name}")
    public TemplateInstance source(@PathParam("name") String name) {
        return render("source", name);
    }

    @GET
    @Path("views/{name}")
    public TemplateInstance view(@PathParam("name") String name) {
        return render("view", name);
    }

    /** A table's rules: {@code /rules/{source}/{database.table}}. */
    @GET
    @Path("rules/{source}/{table}")
    public TemplateInstance rule(@PathParam("source") String source, @PathParam("table") String table) {
        return render("rule", source + "/" + table);
    }

    @GET
    @Path("schemas/proposals/{id}")
    public TemplateInstance proposal(@PathParam("id") String id) {
        return render("proposal", id);
    }

    private TemplateInstance render(String name, String subject) {
        if (!PAGES.contains(name)) {
            throw new IllegalArgumentException(name);
        }
        return page.data("page", name).data("subject", subject == null ? "" : subject)
                .data("user", identity.getPrincipal().getName())
                .data("role", identity.getAttribute("sluice.role"))
                .data("csrf", identity.getAttribute(CredentialMechanism.CSRF_ATTRIBUTE) == null ? ""
                        : identity.getAttribute(CredentialMechanism.CSRF_ATTRIBUTE));
    }
}
