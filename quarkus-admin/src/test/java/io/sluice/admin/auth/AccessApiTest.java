package io.sluice.admin.auth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.sluice.admin.TestAuth;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Authentication and roles: everything but health and the login page needs credentials; each role may do what
 * it grants and is refused the rest with 403 on every endpoint; tokens and sessions behave; no secret leaks.
 */
@QuarkusTest
class AccessApiTest {

    /** An endpoint and the right it needs; the targets do not exist, so an allowed call answers 404, 409 or 422. */
    record Endpoint(String method, String path, String right) {
    }

    private static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("GET", "/api/v1/sources", Role.READ),
            new Endpoint("GET", "/api/v1/sources/none/status", Role.READ),
            new Endpoint("GET", "/api/v1/sources/none/timeline", Role.READ),
            new Endpoint("POST", "/api/v1/sources", Role.ADMINISTER),
            new Endpoint("PUT", "/api/v1/sources/none", Role.ADMINISTER),
            new Endpoint("DELETE", "/api/v1/sources/none", Role.ADMINISTER),
            new Endpoint("POST", "/api/v1/sources/none/start", Role.OPERATE),
            new Endpoint("POST", "/api/v1/sources/none/stop", Role.OPERATE),
            new Endpoint("POST", "/api/v1/sources/none/pause", Role.OPERATE),
            new Endpoint("POST", "/api/v1/sources/none/resume", Role.OPERATE),
            new Endpoint("POST", "/api/v1/sources/none/recover", Role.OPERATE),
            new Endpoint("GET", "/api/v1/sources/none/recoveries", Role.READ),
            new Endpoint("GET", "/api/v1/sources/none/recoveries/987654", Role.READ),
            new Endpoint("GET", "/api/v1/sinks", Role.READ),
            new Endpoint("POST", "/api/v1/sinks", Role.ADMINISTER),
            new Endpoint("PUT", "/api/v1/sinks/none", Role.ADMINISTER),
            new Endpoint("DELETE", "/api/v1/sinks/none", Role.ADMINISTER),
            new Endpoint("POST", "/api/v1/sinks/none/test", Role.OPERATE),
            new Endpoint("GET", "/api/v1/sinks/none/dead-letters", Role.READ),
            new Endpoint("POST", "/api/v1/sinks/none/dead-letters/replay", Role.OPERATE),
            new Endpoint("POST", "/api/v1/sinks/none/dead-letters/discard", Role.OPERATE),
            new Endpoint("GET", "/api/v1/pipelines", Role.READ),
            new Endpoint("POST", "/api/v1/pipelines", Role.ADMINISTER),
            new Endpoint("PUT", "/api/v1/pipelines/none", Role.ADMINISTER),
            new Endpoint("DELETE", "/api/v1/pipelines/none", Role.ADMINISTER),
            new Endpoint("GET", "/api/v1/schemas/proposals", Role.READ),
            new Endpoint("POST", "/api/v1/schemas/proposals", Role.REVIEW),
            new Endpoint("POST", "/api/v1/schemas/proposals/987654/approve", Role.REVIEW),
            new Endpoint("POST", "/api/v1/schemas/proposals/987654/reject", Role.REVIEW),
            new Endpoint("PUT", "/api/v1/schemas/policies/none-value", Role.ADMINISTER),
            new Endpoint("POST", "/api/v1/backfills", Role.OPERATE),
            new Endpoint("GET", "/api/v1/backfills", Role.READ),
            new Endpoint("POST", "/api/v1/backfills/987654/pause", Role.OPERATE),
            new Endpoint("POST", "/api/v1/verifications", Role.OPERATE),
            new Endpoint("GET", "/api/v1/verifications", Role.READ),
            new Endpoint("GET", "/api/v1/users", Role.ADMINISTER),
            new Endpoint("POST", "/api/v1/users", Role.ADMINISTER),
            new Endpoint("DELETE", "/api/v1/users/none", Role.ADMINISTER),
            new Endpoint("GET", "/api/v1/me", Role.READ),
            new Endpoint("GET", "/registry/subjects", Role.READ),
            new Endpoint("POST", "/registry/subjects/none-value/versions", Role.OPERATE),
            new Endpoint("PUT", "/registry/config", Role.ADMINISTER),
            new Endpoint("DELETE", "/registry/subjects/none-value", Role.ADMINISTER));

    @BeforeEach
    void anonymous() {
        TestAuth.signOut();
    }

    @Test
    void shouldAllowEachRoleWhatItGrantsAndRefuseTheRestWith403() {
        for (Role role : Role.values()) {
            String bearer = TestAuth.bearer(role);
            for (Endpoint e : ENDPOINTS) {
                Response r = given().header("Authorization", bearer).contentType(ContentType.JSON).body("{}").request(e.method(), e.path());
                String what = role + " " + e.method() + " " + e.path() + " -> " + r.statusCode() + " " + r.asString();
                if (role.rights().contains(e.right())) {
                    assertThat(r.statusCode()).as(what).isNotIn(401, 403, 500);
                } else {
                    assertThat(r.statusCode()).as(what).isEqualTo(403);
                    assertThat(r.asString()).as(what).contains("role");
                }
            }
        }
    }

    @Test
    void shouldRefuseRequestsWithoutOrWithWrongCredentials() {
        given().get("/api/v1/sources").then().statusCode(401).body("code", equalTo("unauthorized"))
                .header("WWW-Authenticate", startsWith("Bearer"));
        given().header("Authorization", "Bearer slc_0000_nope").get("/api/v1/sources").then().statusCode(401)
                .body("message", containsString("unknown, revoked or expired"));
        given().header("Authorization", "Basic bm90OmJhc2U2NA==").get("/api/v1/sources").then().statusCode(401)
                .body("message", containsString("user name or password"));
        given().header("Authorization", "Digest x").get("/api/v1/sources").then().statusCode(401);
        given().get("/registry/subjects").then().statusCode(401).body("error_code", equalTo(40101));
        given().header("Authorization", TestAuth.bearer(Role.VIEWER)).contentType("application/vnd.schemaregistry.v1+json")
                .body("{\"schema\":\"\\\"int\\\"\"}").post("/registry/subjects/x-value/versions").then().statusCode(403)
                .body("error_code", equalTo(40301));
        given().get("/q/health/ready").then().statusCode(200).body("checks.name", hasItem("pipelines"));
        given().get("/q/metrics").then().statusCode(401);
        given().header("Authorization", TestAuth.bearer(Role.VIEWER)).get("/q/metrics").then().statusCode(200)
                .body(containsString("jvm_memory_used_bytes"));
        given().header("Authorization", TestAuth.bearer(Role.VIEWER)).get("/q/openapi").then().statusCode(200)
                .body(containsString("/api/v1/pipelines")).body(containsString("/registry/subjects"));
        given().redirects().follow(false).get("/").then().statusCode(303).header("Location", containsString("/login"));
        given().get("/login").then().statusCode(200).body(containsString("Sign in"));
        given().get("/static/app.css").then().statusCode(200);
    }

    @Test
    void shouldSignInWithAFormAndRequireTheCsrfTokenForChanges() {
        Response login = given().redirects().follow(false).contentType(ContentType.URLENC)
                .formParams(Map.of("username", "admin", "password", "Test-Admin-Password-1")).post("/login");
        assertThat(login.statusCode()).isEqualTo(303);
        String cookie = login.getCookie("sluice_session");
        assertThat(cookie).isNotBlank();
        assertThat(login.getDetailedCookie("sluice_session").isHttpOnly()).isTrue();
        assertThat(login.getHeader("Set-Cookie")).contains("SameSite=Strict");
        String csrf = given().cookie("sluice_session", cookie).get("/api/v1/me").then().statusCode(200).body("name", equalTo("admin"))
                .extract().path("csrfToken");
        given().cookie("sluice_session", cookie).get("/").then().statusCode(200).body(containsString(csrf));
        given().cookie("sluice_session", cookie).contentType(ContentType.JSON).body(Map.of("label", "x")).post("/api/v1/me/tokens").then()
                .statusCode(403).body("code", equalTo("csrf"));
        given().cookie("sluice_session", cookie).header("X-CSRF-Token", csrf).contentType(ContentType.JSON).body(Map.of("label", "from-ui"))
                .post("/api/v1/me/tokens").then().statusCode(201);
        given().redirects().follow(false).cookie("sluice_session", cookie).contentType(ContentType.URLENC).formParam("csrf", csrf)
                .post("/logout").then().statusCode(303);
        given().cookie("sluice_session", cookie).get("/api/v1/me").then().statusCode(401);
        given().redirects().follow(false).contentType(ContentType.URLENC).formParams(Map.of("username", "admin", "password", "wrong"))
                .post("/login").then().statusCode(303).header("Location", containsString("failed"));
    }

    @Test
    void shouldManageUsersAndTokensAndNeverShowAHashOrASecretTwice() {
        String admin = TestAuth.bearer(Role.ADMIN);
        String name = "u-" + UUID.randomUUID().toString().substring(0, 6);
        given().header("Authorization", admin).contentType(ContentType.JSON).body(Map.of("name", "Bad Name", "password", "short", "role", "viewer"))
                .post("/api/v1/users").then().statusCode(422).body("details.field", org.hamcrest.Matchers.hasItems("name", "password"));
        given().header("Authorization", admin).contentType(ContentType.JSON).body(Map.of("name", name, "password", "A-long-password-1", "role", "boss"))
                .post("/api/v1/users").then().statusCode(422).body("details[0].field", equalTo("role"));
        given().header("Authorization", admin).contentType(ContentType.JSON).body(Map.of("name", name, "password", "A-long-password-1", "role", "viewer"))
                .post("/api/v1/users").then().statusCode(201).body("role", equalTo("VIEWER")).body(not(containsString("password")));
        given().header("Authorization", admin).contentType(ContentType.JSON).body(Map.of("name", name, "password", "A-long-password-1", "role", "viewer"))
                .post("/api/v1/users").then().statusCode(409);
        String token = given().header("Authorization", admin).contentType(ContentType.JSON).body(Map.of("label", "ci", "ttlDays", 30))
                .post("/api/v1/users/{u}/tokens", name).then().statusCode(201).extract().path("token");
        String tokenId = token.split("_")[1];
        given().header("Authorization", "Bearer " + token).get("/api/v1/me").then().statusCode(200).body("name", equalTo(name))
                .body("role", equalTo("viewer"));
        assertThat(given().header("Authorization", admin).get("/api/v1/users/{u}/tokens", name).then().statusCode(200).extract().asString())
                .contains(tokenId).doesNotContain(token);
        given().header("Authorization", admin).contentType(ContentType.JSON).body(Map.of("role", "operator")).put("/api/v1/users/{u}/role", name)
                .then().statusCode(200);
        given().header("Authorization", "Bearer " + token).post("/api/v1/sources/none/stop").then().statusCode(404);
        given().header("Authorization", admin).contentType(ContentType.JSON).body(Map.of("label", "x", "ttlDays", 0))
                .post("/api/v1/users/{u}/tokens", name).then().statusCode(422).body("details[0].field", equalTo("ttlDays"));
        given().header("Authorization", admin).delete("/api/v1/tokens/{id}", tokenId).then().statusCode(204);
        given().header("Authorization", "Bearer " + token).get("/api/v1/me").then().statusCode(401);
        given().header("Authorization", admin).delete("/api/v1/users/{u}", name).then().statusCode(204);
        given().header("Authorization", admin).get("/api/v1/users/{u}", name).then().statusCode(404);
    }
}
