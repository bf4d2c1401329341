package io.sluice.admin.auth;

import io.sluice.admin.error.InvalidRequestException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * What a user may do. Each role grants its own right and reading; admin grants everything. Endpoints declare
 * the right they need with {@code @RolesAllowed} and one of the constants below.
 */
public enum Role {
    /** Reads everything: sources, sinks, pipelines, statuses, schemas, the timeline. */
    VIEWER(Set.of(Role.READ)),
    /** Decides schema proposals. */
    REVIEWER(Set.of(Role.READ, Role.REVIEW)),
    /** Starts, stops, pauses sources; runs backfills; replays and discards dead letters. */
    OPERATOR(Set.of(Role.READ, Role.OPERATE)),
    /** Manages sources, sinks, pipelines, users and the registry's settings; may do everything. */
    ADMIN(Set.of(Role.READ, Role.REVIEW, Role.OPERATE, Role.ADMINISTER));

    public static final String READ = "read";
    public static final String REVIEW = "review";
    public static final String OPERATE = "operate";
    public static final String ADMINISTER = "administer";

    private final Set<String> rights;

    Role(Set<String> rights) {
        this.rights = rights;
    }

    /** The rights this role grants, as the security identity's roles. */
    public Set<String> rights() {
        return rights;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws InvalidRequestException naming the allowed roles */
    public static Role parse(String field, String text) {
        for (Role r : values()) {
            if (r.label().equals(text)) {
                return r;
            }
        }
        throw InvalidRequestException.of(field, "must be one of " + Arrays.stream(values()).map(Role::label).toList()
                + (text == null ? " (it is missing)" : ", not '" + text + "'"));
    }
}
