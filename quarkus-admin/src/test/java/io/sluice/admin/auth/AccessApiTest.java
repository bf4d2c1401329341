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
import io.restassured.specification.RequestSpecification;
import io.sluice.admin.TestAuth;
import jakarta.ws.rs.HttpMethod;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Authentication and roles: everything but health and the login page needs credentials; each role may do what
 * it grants and is refused the rest with 403 on every endpoint; tokens and sessions behave; no secret leaks.
 *
 * <p>The matrix below is the specification: every operation the server serves, with who may call it. The operations
 * themselves are read from the code (the JAX-RS resources under {@code io.sluice.admin}, the static assets) and from
 * the served OpenAPI document, so that a new endpoint fails this test until someone decides who may call it.
 */
@QuarkusTest
class AccessApiTest {
    /** In the matrix: an operation anyone may call, signed in or not. */
    private static final String ANYONE = "anyone";

    /**
     * Who may call each operation: {@link #ANYONE}, or the right ({@link Role}) a caller's role must grant. A path
     * parameter whose pattern lists its values (a backfill's action, a UI section) is one operation per value.
     */
    private static final Map<String, String> MATRIX = matrix(
            // sources: reading and the preflight (a read-only check of the database, offered to every user in the UI)
            "GET /api/v1/sources", Role.READ,
            "POST /api/v1/sources", Role.ADMINISTER,
            "GET /api/v1/sources/{name}", Role.READ,
            "PUT /api/v1/sources/{name}", Role.ADMINISTER,
            "DELETE /api/v1/sources/{name}", Role.ADMINISTER,
            "POST /api/v1/sources/{name}/preflight", Role.READ,
            "GET /api/v1/sources/{name}/status", Role.READ,
            "GET /api/v1/sources/{name}/timeline", Role.READ,
            "POST /api/v1/sources/{name}/start", Role.OPERATE,
            "POST /api/v1/sources/{name}/stop", Role.OPERATE,
            "POST /api/v1/sources/{name}/pause", Role.OPERATE,
            "POST /api/v1/sources/{name}/resume", Role.OPERATE,
            "POST /api/v1/sources/{name}/recover", Role.OPERATE,
            "GET /api/v1/sources/{name}/recoveries", Role.READ,
            "GET /api/v1/sources/{name}/recoveries/{id}", Role.READ,
            "POST /api/v1/sources/{name}/recoveries/{id}/cancel", Role.OPERATE,
            // sinks and their dead letters
            "GET /api/v1/sinks", Role.READ,
            "POST /api/v1/sinks", Role.ADMINISTER,
            "GET /api/v1/sinks/{name}", Role.READ,
            "PUT /api/v1/sinks/{name}", Role.ADMINISTER,
            "DELETE /api/v1/sinks/{name}", Role.ADMINISTER,
            "GET /api/v1/sinks/{name}/status", Role.READ,
            "POST /api/v1/sinks/{name}/test", Role.OPERATE,
            "GET /api/v1/sinks/{name}/search", Role.READ,
            "GET /api/v1/sinks/{sink}/dead-letters", Role.READ,
            "POST /api/v1/sinks/{sink}/dead-letters/replay", Role.OPERATE,
            "POST /api/v1/sinks/{sink}/dead-letters/discard", Role.OPERATE,
            // pipelines
            "GET /api/v1/pipelines", Role.READ,
            "POST /api/v1/pipelines", Role.ADMINISTER,
            "GET /api/v1/pipelines/{name}", Role.READ,
            "PUT /api/v1/pipelines/{name}", Role.ADMINISTER,
            "DELETE /api/v1/pipelines/{name}", Role.ADMINISTER,
            // schema review: comments are open to every reader, as the UI offers them; decisions need the review right
            "GET /api/v1/schemas/proposals", Role.READ,
            "POST /api/v1/schemas/proposals", Role.REVIEW,
            "GET /api/v1/schemas/proposals/{id}", Role.READ,
            "POST /api/v1/schemas/proposals/{id}/approve", Role.REVIEW,
            "POST /api/v1/schemas/proposals/{id}/reject", Role.REVIEW,
            "POST /api/v1/schemas/proposals/{id}/comments", Role.READ,
            "GET /api/v1/schemas/proposals/{id}/impact", Role.READ,
            "GET /api/v1/schemas/audit", Role.READ,
            "GET /api/v1/schemas/policies/{subject}", Role.READ,
            "PUT /api/v1/schemas/policies/{subject}", Role.ADMINISTER,
            "PUT /api/v1/schemas/policies", Role.ADMINISTER,
            // backfills (a reindex is a backfill with reindex=true) and verifications
            "GET /api/v1/backfills", Role.READ,
            "POST /api/v1/backfills", Role.OPERATE,
            "GET /api/v1/backfills/{id}", Role.READ,
            "POST /api/v1/backfills/{id}/pause", Role.OPERATE,
            "POST /api/v1/backfills/{id}/resume", Role.OPERATE,
            "POST /api/v1/backfills/{id}/cancel", Role.OPERATE,
            "GET /api/v1/verifications", Role.READ,
            "POST /api/v1/verifications", Role.OPERATE,
            "GET /api/v1/verifications/{id}", Role.READ,
            // views: defined by admins like pipelines; previews and suggestions change nothing
            "GET /api/v1/views", Role.READ,
            "POST /api/v1/views", Role.ADMINISTER,
            "GET /api/v1/views/{name}", Role.READ,
            "PUT /api/v1/views/{name}", Role.ADMINISTER,
            "DELETE /api/v1/views/{name}", Role.ADMINISTER,
            "POST /api/v1/views/preview", Role.READ,
            "GET /api/v1/views/{name}/preview", Role.READ,
            "GET /api/v1/views/{name}/rebuilds", Role.READ,
            "POST /api/v1/views/{name}/rebuild", Role.OPERATE,
            // data contracts: operators dry-run and propose rules, reviewers decide, as with schemas
            "GET /api/v1/rules", Role.READ,
            "GET /api/v1/rules/{source}/{table}", Role.READ,
            "GET /api/v1/rules/{source}/{table}/activity", Role.READ,
            "GET /api/v1/rules/holds", Role.READ,
            "POST /api/v1/rules/holds/{source}/dead-letter", Role.OPERATE,
            "POST /api/v1/rules/{source}/{table}/dry-run", Role.OPERATE,
            "POST /api/v1/rules/{source}/{table}/proposals", Role.OPERATE,
            "GET /api/v1/rules/proposals", Role.READ,
            "GET /api/v1/rules/proposals/{id}", Role.READ,
            "POST /api/v1/rules/proposals/{id}/approve", Role.REVIEW,
            "POST /api/v1/rules/proposals/{id}/reject", Role.REVIEW,
            // continuous audits: operators set and run them, as they start verifications
            "GET /api/v1/audits", Role.READ,
            "GET /api/v1/audits/{pipeline}", Role.READ,
            "PUT /api/v1/audits/{pipeline}", Role.OPERATE,
            "POST /api/v1/audits/{pipeline}/run", Role.OPERATE,
            "DELETE /api/v1/audits/{pipeline}", Role.OPERATE,
            // alerts: anyone signed in reads them; operators silence them
            "GET /api/v1/alerts", Role.READ,
            "GET /api/v1/alerts/{id}", Role.READ,
            "GET /api/v1/alerts/silences", Role.READ,
            "POST /api/v1/alerts/silences", Role.OPERATE,
            "DELETE /api/v1/alerts/silences/{id}", Role.OPERATE,
            // the last hour for the charts
            "GET /api/v1/charts/overview", Role.READ,
            "GET /api/v1/charts/sources/{name}", Role.READ,
            "GET /api/v1/charts/sinks/{name}", Role.READ,
            "POST /api/v1/views/{name}/verify", Role.OPERATE,
            "GET /api/v1/views/suggestions", Role.READ,
            // users and tokens: everyone manages their own tokens, admins everyone's
            "GET /api/v1/me", Role.READ,
            "GET /api/v1/me/tokens", Role.READ,
            "POST /api/v1/me/tokens", Role.READ,
            "DELETE /api/v1/me/tokens/{id}", Role.READ,
            "GET /api/v1/users", Role.ADMINISTER,
            "POST /api/v1/users", Role.ADMINISTER,
            "GET /api/v1/users/{name}", Role.ADMINISTER,
            "DELETE /api/v1/users/{name}", Role.ADMINISTER,
            "PUT /api/v1/users/{name}/role", Role.ADMINISTER,
            "PUT /api/v1/users/{name}/password", Role.ADMINISTER,
            "GET /api/v1/users/{name}/tokens", Role.ADMINISTER,
            "POST /api/v1/users/{name}/tokens", Role.ADMINISTER,
            "DELETE /api/v1/tokens/{id}", Role.ADMINISTER,
            // the registry: lookups and compatibility tests change nothing; registering goes through review for non-admins
            "GET /registry/schemas/types", Role.READ,
            "GET /registry/schemas/ids/{id}", Role.READ,
            "GET /registry/schemas/ids/{id}/schema", Role.READ,
            "GET /registry/schemas/ids/{id}/versions", Role.READ,
            "GET /registry/subjects", Role.READ,
            "POST /registry/subjects/{subject}", Role.READ,
            "DELETE /registry/subjects/{subject}", Role.ADMINISTER,
            "GET /registry/subjects/{subject}/versions", Role.READ,
            "POST /registry/subjects/{subject}/versions", Role.OPERATE,
            "GET /registry/subjects/{subject}/versions/{version}", Role.READ,
            "DELETE /registry/subjects/{subject}/versions/{version}", Role.ADMINISTER,
            "GET /registry/subjects/{subject}/versions/{version}/schema", Role.READ,
            "POST /registry/compatibility/subjects/{subject}/versions", Role.READ,
            "POST /registry/compatibility/subjects/{subject}/versions/{version}", Role.READ,
            "GET /registry/config", Role.READ,
            "PUT /registry/config", Role.ADMINISTER,
            "DELETE /registry/config", Role.ADMINISTER,
            "GET /registry/config/{subject}", Role.READ,
            "PUT /registry/config/{subject}", Role.ADMINISTER,
            "DELETE /registry/config/{subject}", Role.ADMINISTER,
            // the UI: its pages are shells that read through the API, so every user may open each one
            "GET /", Role.READ,
            "GET /sources", Role.READ,
            "GET /sinks", Role.READ,
            "GET /pipelines", Role.READ,
            "GET /schemas", Role.READ,
            "GET /backfills", Role.READ,
            "GET /dead-letters", Role.READ,
            "GET /users", Role.READ,
            "GET /search", Role.READ,
            "GET /views", Role.READ,
            "GET /views/{name}", Role.READ,
            "GET /rules", Role.READ,
            "GET /rules/{source}/{table}", Role.READ,
            "GET /audits", Role.READ,
            "GET /alerts", Role.READ,
            "GET /sources/{name}", Role.READ,
            "GET /schemas/proposals/{id}", Role.READ,
            "GET /login", ANYONE,
            "POST /login", ANYONE,
            "POST /logout", ANYONE,
            "GET /static/app.css", ANYONE,
            "GET /static/app.js", ANYONE,
            "GET /static/views.js", ANYONE,
            "GET /static/rules.js", ANYONE,
            "GET /static/ops.js", ANYONE,
            "GET /static/icon.svg", ANYONE,
            // the framework's endpoints (application.properties): health for probes, the rest for signed-in users
            "GET /q/health", ANYONE,
            "GET /q/health/live", ANYONE,
            "GET /q/health/ready", ANYONE,
            "GET /q/health/started", ANYONE,
            "GET /q/metrics", Role.READ,
            "GET /q/openapi", Role.READ);

    /** The framework's endpoints, which no resource class declares: the matrix lists them by hand. */
    private static final Set<String> FRAMEWORK = Set.of("GET /q/health", "GET /q/health/live", "GET /q/health/ready", "GET /q/health/started",
            "GET /q/metrics", "GET /q/openapi");

    private static final Set<String> HTTP_METHODS = Set.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");
    /** A path parameter, {@code {name}} or {@code {name: pattern}}. */
    private static final Pattern PARAMETER = Pattern.compile("\\{\\s*([\\w.-]+)\\s*(?::\\s*([^{}]*?)\\s*)?}");
    private static final Pattern ALTERNATIVES = Pattern.compile("[\\w.-]+(\\|[\\w.-]+)*");

    @BeforeEach
    void anonymous() {
        TestAuth.signOut();
    }

    @Test
    void shouldListEveryOperationTheServerDeclaresInTheMatrix() throws Exception {
        Set<String> declared = declaredOperations();
        Set<String> unlisted = new TreeSet<>(declared);
        unlisted.removeAll(MATRIX.keySet());
        assertThat(unlisted).as("operations the server declares that the matrix does not list: add each with the right it needs").isEmpty();
        Set<String> stale = new TreeSet<>(MATRIX.keySet());
        stale.removeAll(declared);
        stale.removeAll(FRAMEWORK);
        assertThat(stale).as("operations in the matrix that the server no longer declares").isEmpty();

        // The served OpenAPI document as a second opinion: each of its operations must be one the matrix lists.
        Map<String, Map<String, Object>> paths = given().header("Authorization", TestAuth.bearer(Role.VIEWER)).queryParam("format", "json")
                .get("/q/openapi").then().statusCode(200).extract().jsonPath().getMap("paths");
        List<String> notInMatrix = new ArrayList<>();
        paths.forEach((path, operations) -> operations.keySet().stream().filter(m -> HTTP_METHODS.contains(m.toUpperCase(Locale.ROOT)))
                .forEach(m -> {
                    Pattern template = Pattern.compile(m.toUpperCase(Locale.ROOT) + " " + Arrays.stream(path.split("/", -1))
                            .map(s -> s.startsWith("{") ? "[^/]+" : Pattern.quote(s)).collect(Collectors.joining("/")));
                    if (MATRIX.keySet().stream().noneMatch(k -> template.matcher(k).matches())) {
                        notInMatrix.add(m.toUpperCase(Locale.ROOT) + " " + path);
                    }
                }));
        assertThat(paths).as("the OpenAPI document's paths").isNotEmpty();
        assertThat(notInMatrix).as("operations of /q/openapi that the matrix does not list").isEmpty();
    }

    @Test
    void shouldAllowEachRoleWhatItGrantsAndRefuseTheRestOnEveryOperation() {
        String admin = TestAuth.bearer(Role.ADMIN);
        // DELETE /registry/config, allowed to an admin, resets the global level: put back what other tests may have set.
        String level = given().header("Authorization", admin).get("/registry/config").then().statusCode(200).extract().path("compatibilityLevel");
        List<String> problems = new ArrayList<>();
        int calls = 0;
        try {
            for (Map.Entry<String, String> operation : MATRIX.entrySet()) {
                String method = operation.getKey().substring(0, operation.getKey().indexOf(' '));
                String path = concrete(operation.getKey().substring(method.length() + 1));
                String right = operation.getValue();

                Response anonymous = call(method, path, null);
                calls++;
                String what = "anonymous " + method + " " + path + " -> " + anonymous.statusCode() + " " + abbreviate(anonymous.asString());
                if (anonymous.statusCode() >= 500) {
                    problems.add(what);
                } else if (right.equals(ANYONE)) {
                    if (List.of(401, 403, 404, 405).contains(anonymous.statusCode())) {
                        problems.add(what + " (anyone may call it)");
                    }
                } else if (!refused(path, anonymous)) {
                    problems.add(what + " (must be refused: 401 for the APIs, a redirect to /login for a page)");
                }

                for (Role role : Role.values()) {
                    Response r = call(method, path, TestAuth.bearer(role));
                    calls++;
                    what = role.label() + " " + method + " " + path + " -> " + r.statusCode() + " " + abbreviate(r.asString());
                    boolean allowed = right.equals(ANYONE) || role.rights().contains(right);
                    if (r.statusCode() >= 500) {
                        problems.add(what);
                    } else if (allowed && (r.statusCode() == 401 || r.statusCode() == 403)) {
                        problems.add(what + " (its role grants " + right + ")");
                    } else if (!allowed && (r.statusCode() != 403 || !r.asString().contains("role"))) {
                        problems.add(what + " (its role does not grant " + right + ": must be 403 naming the role)");
                    }
                }
            }
        } finally {
            given().header("Authorization", admin).contentType(ContentType.JSON).body(Map.of("compatibility", level)).put("/registry/config")
                    .then().statusCode(200);
        }
        assertThat(calls).isEqualTo(MATRIX.size() * (Role.values().length + 1));
        assertThat(problems).as(MATRIX.size() + " operations, " + calls + " calls").isEmpty();
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
                .post("/api/v1/users").then().statusCode(422).body("details.field", Matchers.hasItems("name", "password"));
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

    /** The matrix from pairs of operation and right, in the order written. */
    private static Map<String, String> matrix(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (m.put(pairs[i], pairs[i + 1]) != null) {
                throw new IllegalArgumentException("listed twice: " + pairs[i]);
            }
        }
        return m;
    }

    /**
     * What the server serves, read from the code: every resource method of the JAX-RS classes under
     * {@code io.sluice.admin} (class and method {@code @Path}, HTTP method annotation) and every static asset.
     */
    private static Set<String> declaredOperations() throws IOException, ClassNotFoundException {
        Path classes = Path.of("target", "classes");
        assertThat(classes.resolve("io/sluice/admin")).as("the compiled server, read from the module's directory").isDirectory();
        Set<String> out = new TreeSet<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes.resolve("io/sluice/admin"))) {
            files = walk.filter(f -> f.toString().endsWith(".class")).toList();
        }
        for (Path f : files) {
            String name = classes.relativize(f).toString().replace(f.getFileSystem().getSeparator(), ".").replaceAll("\\.class$", "");
            Class<?> type = Class.forName(name, false, AccessApiTest.class.getClassLoader());
            jakarta.ws.rs.Path root = type.getAnnotation(jakarta.ws.rs.Path.class);
            if (root == null) {
                continue;
            }
            for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                for (Method m : c.getDeclaredMethods()) {
                    if (m.isSynthetic() || m.isBridge()) {
                        continue;
                    }
                    String verb = Arrays.stream(m.getAnnotations()).map(a -> a.annotationType().getAnnotation(HttpMethod.class))
                            .filter(Objects::nonNull).map(HttpMethod::value).findFirst().orElse(null);
                    jakarta.ws.rs.Path sub = m.getAnnotation(jakarta.ws.rs.Path.class);
                    if (verb == null && sub != null) {
                        // A sub-resource locator: its operations are not visible here; list them and teach this method to follow it.
                        out.add("LOCATOR " + type.getName() + "." + m.getName());
                    } else if (verb != null) {
                        expand(join(root.value(), sub == null ? "" : sub.value())).forEach(p -> out.add(verb + " " + p));
                    }
                }
            }
        }
        Path assets = classes.resolve("META-INF/resources");
        if (Files.isDirectory(assets)) {
            try (Stream<Path> walk = Files.walk(assets)) {
                walk.filter(Files::isRegularFile).forEach(a -> out.add("GET /" + assets.relativize(a).toString().replace(a.getFileSystem().getSeparator(), "/")));
            }
        }
        return out;
    }

    /** A class's and a method's {@code @Path} as one path: a leading slash, single slashes, no trailing one. */
    private static String join(String root, String sub) {
        String p = ("/" + root + "/" + sub).replaceAll("/+", "/");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    /**
     * A path template with each parameter as {@code {name}}, except that a parameter whose pattern lists literal values
     * ({@code {action: pause|resume|cancel}}) gives one path per value.
     */
    private static List<String> expand(String template) {
        Matcher m = PARAMETER.matcher(template);
        while (m.find()) {
            String pattern = m.group(2);
            String head = template.substring(0, m.start());
            String tail = template.substring(m.end());
            if (pattern != null && ALTERNATIVES.matcher(pattern).matches()) {
                return Arrays.stream(pattern.split("\\|")).flatMap(v -> expand(head + v + tail).stream()).toList();
            }
            if (pattern != null) {
                return expand(head + "{" + m.group(1) + "}" + tail);
            }
        }
        return List.of(template);
    }

    /** A path to call for a template: parameters name things that do not exist, so that no call changes anything. */
    private static String concrete(String template) {
        return PARAMETER.matcher(template).replaceAll(p -> switch (p.group(1)) {
            case "id" -> "987654";
            case "version" -> "1";
            case "subject" -> "none-value";
            default -> "none";
        });
    }

    private static Response call(String method, String path, String authorization) {
        RequestSpecification request = given().redirects().follow(false);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (List.of("POST", "PUT", "PATCH").contains(method)) {
            request.contentType(ContentType.JSON).body("{}");
        }
        return request.request(method, path);
    }

    /** Refused for want of credentials: 401 from the APIs and the framework, the login page for a browser's page. */
    private static boolean refused(String path, Response r) {
        boolean api = path.startsWith("/api/") || path.startsWith("/registry") || path.startsWith("/q/");
        if (api) {
            return r.statusCode() == 401;
        }
        String location = r.getHeader("Location");
        return r.statusCode() / 100 == 3 && location != null && location.endsWith("/login");
    }

    /** An answer for a failure message: one line, at most 200 characters (a metrics page or a UI page is long). */
    private static String abbreviate(String s) {
        String line = s.replaceAll("\\s+", " ");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
