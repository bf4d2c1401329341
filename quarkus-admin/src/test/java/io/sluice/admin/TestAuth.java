package io.sluice.admin;

import io.quarkus.arc.Arc;
import io.restassured.RestAssured;
import io.restassured.builder.RequestSpecBuilder;
import io.sluice.admin.auth.Role;
import io.sluice.admin.auth.Users;
import java.util.EnumMap;
import java.util.Map;

/** API tokens of one test user per role, created once per test JVM through the real user store. */
public final class TestAuth {
    private static final Map<Role, String> TOKENS = new EnumMap<>(Role.class);

    private TestAuth() {
    }

    /** The user name holding a role in tests. */
    public static String user(Role role) {
        return "test-" + role.label();
    }

    public static synchronized String token(Role role) {
        return TOKENS.computeIfAbsent(role, r -> {
            Users users = Arc.container().instance(Users.class).get();
            if (users.find(user(r)).isEmpty()) {
                users.create(user(r), "Test-Password-" + r.label(), r);
            }
            return users.issueToken(user(r), "tests", null);
        });
    }

    public static String bearer(Role role) {
        return "Bearer " + token(role);
    }

    /** Sends every following RestAssured request with this role's token. */
    public static void signInAs(Role role) {
        RestAssured.requestSpecification = new RequestSpecBuilder().addHeader("Authorization", bearer(role)).build();
    }

    /** Sends the following requests without credentials. */
    public static void signOut() {
        RestAssured.requestSpecification = null;
    }
}
