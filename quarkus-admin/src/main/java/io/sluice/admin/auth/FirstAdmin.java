package io.sluice.admin.auth;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.sluice.admin.SluiceConfig;
import io.sluice.admin.activity.ActivityLog;
import io.sluice.admin.error.InvalidRequestException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/** Creates the first admin at the first start: with the configured password, or a generated one printed once. */
@ApplicationScoped
public class FirstAdmin {
    private static final Logger LOG = Logger.getLogger(FirstAdmin.class);

    @Inject
    Users users;

    @Inject
    SluiceConfig config;

    @Inject
    ActivityLog activity;

    /** The setting behind a field of the user request. */
    private static String setting(String field) {
        return "password".equals(field) ? "sluice.admin.initial-password (SLUICE_ADMIN_INITIAL_PASSWORD):"
                : "sluice.admin.initial-user (SLUICE_ADMIN_INITIAL_USER):";
    }

    void create(@Observes @Priority(1) StartupEvent event) {
        if (users.any()) {
            return;
        }
        String name = config.admin().initialUser();
        boolean generated = config.admin().initialPassword().isEmpty();
        String password = config.admin().initialPassword().orElseGet(() -> {
            byte[] b = new byte[18];
            new SecureRandom().nextBytes(b);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        });
        try {
            users.create(name, password, Role.ADMIN);
        } catch (InvalidRequestException e) {
            // Quarkus prints a ConfigurationException's message alone, without a stack trace.
            throw new ConfigurationException("Sluice cannot start: the first admin is refused: " + e.problems().stream()
                    .map(p -> setting(p.field()) + " " + p.message()).collect(Collectors.joining("; ")) + ". Set another value, or leave"
                    + " sluice.admin.initial-password unset to have a password generated and printed once.");
        }
        activity.record("user:" + name, ActivityLog.SYSTEM, "created", "first admin");
        if (generated) {
            // Printed once, to the console only: it is not stored anywhere but as a bcrypt hash.
            System.out.println("\n  Sluice created the first admin. Sign in as '" + name + "' with password: " + password
                    + "\n  (shown once; change it under Users, or set sluice.admin.initial-password before the first start)\n");
        } else {
            LOG.infof("created the first admin '%s' with the configured password", name);
        }
    }
}
