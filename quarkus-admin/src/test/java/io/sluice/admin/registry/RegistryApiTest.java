package io.sluice.admin.registry;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.sluice.admin.TestAuth;
import io.sluice.admin.auth.Role;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The registry API against Confluent's contract: paths, shapes, content type, statuses and error codes. */
@QuarkusTest
class RegistryApiTest {

    @BeforeEach
    void signIn() {
        TestAuth.signInAs(Role.ADMIN);
    }
    private static final String CT = RegistryMediaTypes.V1_JSON;
    private static final String V1 = "{\"type\":\"record\",\"name\":\"Row\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}";
    private static final String V2 = "{\"type\":\"record\",\"name\":\"Row\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},"
            + "{\"name\":\"b\",\"type\":\"string\",\"default\":\"x\"}]}";
    private static final String INCOMPATIBLE = "{\"type\":\"record\",\"name\":\"Row\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},"
            + "{\"name\":\"c\",\"type\":\"int\"}]}";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String body(String schema) {
        try {
            return JSON.writeValueAsString(Map.of("schema", schema));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String subject() {
        return "src.db.t" + UUID.randomUUID().toString().substring(0, 8) + "-value";
    }

    private static ValidatableResponse register(String subject, String schema) {
        return given().contentType(CT).body(body(schema)).post("/registry/subjects/{s}/versions", subject).then();
    }

    private static void error(ValidatableResponse r, int status, int code) {
        r.statusCode(status).contentType(startsWith(CT)).body("error_code", equalTo(code)).body("message", not(empty()));
    }

    @Test
    void shouldListSchemaTypes() {
        given().get("/registry/schemas/types").then().statusCode(200).contentType(startsWith(CT)).body("$", contains("AVRO"));
    }

    @Test
    void shouldRegisterLookUpAndReadVersions() {
        String s = subject();
        int id = register(s, V1).statusCode(200).contentType(startsWith(CT)).body("id", greaterThan(0)).extract().path("id");
        register(s, V1).statusCode(200).body("id", equalTo(id));
        int id2 = register(s, V2).statusCode(200).extract().path("id");

        given().get("/registry/subjects").then().statusCode(200).body("$", hasItem(s));
        given().get("/registry/subjects/{s}/versions", s).then().statusCode(200).body("$", contains(1, 2));
        given().get("/registry/subjects/{s}/versions/1", s).then().statusCode(200)
                .body("subject", equalTo(s)).body("version", equalTo(1)).body("id", equalTo(id)).body("schema", containsString("\"Row\""));
        given().get("/registry/subjects/{s}/versions/latest", s).then().statusCode(200).body("version", equalTo(2)).body("id", equalTo(id2));
        given().get("/registry/subjects/{s}/versions/-1", s).then().statusCode(200).body("version", equalTo(2));
        given().get("/registry/subjects/{s}/versions/1/schema", s).then().statusCode(200).body("name", equalTo("Row"));
        given().contentType(CT).body(body(V2)).post("/registry/subjects/{s}", s).then().statusCode(200)
                .body("version", equalTo(2)).body("id", equalTo(id2)).body("subject", equalTo(s));

        given().get("/registry/schemas/ids/{id}", id).then().statusCode(200).body("schema", containsString("Row"));
        given().get("/registry/schemas/ids/{id}/schema", id).then().statusCode(200).body("type", equalTo("record"));
        given().get("/registry/schemas/ids/{id}/versions", id).then().statusCode(200)
                .body("subject", hasItem(s)); // other tests register the same schema: ids are shared

    }

    @Test
    void shouldAcceptPlainJsonAndConfluentContentTypes() {
        register(subject(), V1).statusCode(200);
        given().contentType("application/json").body(body(V1)).post("/registry/subjects/{s}/versions", subject()).then().statusCode(200);
        given().contentType("application/vnd.schemaregistry+json").body(body(V1)).post("/registry/subjects/{s}/versions", subject())
                .then().statusCode(200);
    }

    @Test
    void shouldAnswerConfluentErrorCodesForUnknownThings() {
        String s = subject();
        error(given().get("/registry/subjects/{s}/versions", s).then(), 404, 40401);
        error(given().get("/registry/subjects/{s}/versions/1", s).then(), 404, 40401);
        error(given().contentType(CT).body(body(V1)).post("/registry/subjects/{s}", s).then(), 404, 40401);
        register(s, V1).statusCode(200);
        error(given().get("/registry/subjects/{s}/versions/9", s).then(), 404, 40402);
        error(given().contentType(CT).body(body(V2)).post("/registry/subjects/{s}", s).then(), 404, 40403);
        error(given().get("/registry/schemas/ids/999999").then(), 404, 40403);
        error(given().get("/registry/schemas/ids/abc").then(), 404, 40403);
        error(given().get("/registry/no/such/path").then(), 404, 404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-2", "abc", "1.5", "99999999999"})
    void shouldRefuseInvalidVersions(String version) {
        String s = subject();
        register(s, V1).statusCode(200);
        error(given().get("/registry/subjects/{s}/versions/{v}", s, version).then(), 422, 42202);
        error(given().delete("/registry/subjects/{s}/versions/{v}", s, version).then(), 422, 42202);
    }

    @Test
    void shouldRefuseInvalidSchemasAndBadRequests() {
        String s = subject();
        error(register(s, "{\"type\":\"recordd\"}"), 422, 42201);
        error(register(s, "not json at all"), 422, 42201);
        error(given().contentType(CT).body("{\"schema\": ").post("/registry/subjects/{s}/versions", s).then(), 400, 400);
        error(given().contentType(CT).body("[1,2]").post("/registry/subjects/{s}/versions", s).then(), 400, 400);
        error(given().contentType(CT).body("").post("/registry/subjects/{s}/versions", s).then(), 400, 400);
        error(given().contentType(CT).body("{\"schema\": 42}").post("/registry/subjects/{s}/versions", s).then(), 422, 42201);
        error(given().contentType(CT).body("{\"schema\": \"\\\"int\\\"\", \"colour\": 1}").post("/registry/subjects/{s}/versions", s).then(), 422, 422);
        error(given().contentType(CT).body("{\"schema\": \"{}\", \"schemaType\": \"PROTOBUF\"}").post("/registry/subjects/{s}/versions", s).then(), 422, 42201);
        error(register("x".repeat(300), V1), 422, 42208);
    }

    @Test
    void shouldRefuseHugePayloadsWithA4xx() {
        String huge = "{\"type\":\"record\",\"name\":\"Big\",\"doc\":\"" + "x".repeat(1_100_000) + "\",\"fields\":[]}";
        error(register(subject(), huge), 422, 42201);
        // Just under the server's body limit (quarkus.http.limits.max-body-size): still Confluent's shape.
        error(register(subject(), "\"" + "y".repeat(3_900_000) + "\""), 422, 42201);
    }

    @Test
    void shouldRefuseIncompatibleSchemasWith409AndAvrosReasons() {
        String s = subject();
        register(s, V1).statusCode(200);
        error(register(s, INCOMPATIBLE), 409, 409);
        register(s, INCOMPATIBLE).body("message", containsString("READER_FIELD_MISSING_DEFAULT_VALUE"));
    }

    @Test
    void shouldTestCompatibility() {
        String s = subject();
        register(s, V1).statusCode(200);
        given().contentType(CT).body(body(V2)).post("/registry/compatibility/subjects/{s}/versions/latest", s).then()
                .statusCode(200).body("is_compatible", equalTo(true));
        given().contentType(CT).body(body(INCOMPATIBLE)).post("/registry/compatibility/subjects/{s}/versions/1?verbose=true", s).then()
                .statusCode(200).body("is_compatible", equalTo(false)).body("messages[0]", containsString("READER_FIELD_MISSING_DEFAULT_VALUE"));
        given().contentType(CT).body(body(INCOMPATIBLE)).post("/registry/compatibility/subjects/{s}/versions", s).then()
                .statusCode(200).body("is_compatible", equalTo(false));
        error(given().contentType(CT).body(body(V2)).post("/registry/compatibility/subjects/{s}/versions/7", s).then(), 404, 40402);
        error(given().contentType(CT).body(body(V2)).post("/registry/compatibility/subjects/{s}/versions/0", s).then(), 422, 42202);
    }

    @Test
    void shouldReadAndWriteGlobalAndSubjectConfig() {
        String s = subject();
        given().get("/registry/config").then().statusCode(200).body("compatibilityLevel", equalTo("BACKWARD"));
        error(given().get("/registry/config/{s}", s).then(), 404, 40408);
        given().get("/registry/config/{s}?defaultToGlobal=true", s).then().statusCode(200).body("compatibilityLevel", equalTo("BACKWARD"));
        given().contentType(CT).body("{\"compatibility\":\"FULL_TRANSITIVE\"}").put("/registry/config/{s}", s).then()
                .statusCode(200).body("compatibility", equalTo("FULL_TRANSITIVE"));
        given().get("/registry/config/{s}", s).then().statusCode(200).body("compatibilityLevel", equalTo("FULL_TRANSITIVE"));
        error(given().contentType(CT).body("{\"compatibility\":\"SIDEWAYS\"}").put("/registry/config/{s}", s).then(), 422, 42203);
        error(given().contentType(CT).body("{}").put("/registry/config").then(), 422, 42203);
        given().delete("/registry/config/{s}", s).then().statusCode(200).body("compatibilityLevel", equalTo("FULL_TRANSITIVE"));
        error(given().delete("/registry/config/{s}", s).then(), 404, 40408);
        given().contentType(CT).body("{\"compatibility\":\"NONE\"}").put("/registry/config").then().statusCode(200);
        given().delete("/registry/config").then().statusCode(200).body("compatibilityLevel", equalTo("NONE"));
        given().get("/registry/config").then().statusCode(200).body("compatibilityLevel", equalTo("BACKWARD"));
    }

    @Test
    void shouldSoftAndHardDeleteVersionsAndSubjects() {
        String s = subject();
        register(s, V1).statusCode(200);
        register(s, V2).statusCode(200);
        error(given().delete("/registry/subjects/{s}/versions/1?permanent=true", s).then(), 404, 40407);
        given().delete("/registry/subjects/{s}/versions/1", s).then().statusCode(200).body(equalTo("1"));
        error(given().delete("/registry/subjects/{s}/versions/1", s).then(), 404, 40402);
        given().get("/registry/subjects/{s}/versions?deleted=true", s).then().statusCode(200).body("$", contains(1, 2));
        given().delete("/registry/subjects/{s}/versions/1?permanent=true", s).then().statusCode(200).body(equalTo("1"));
        error(given().delete("/registry/subjects/{s}?permanent=true", s).then(), 404, 40405);
        given().delete("/registry/subjects/{s}", s).then().statusCode(200).body("$", contains(2));
        error(given().delete("/registry/subjects/{s}", s).then(), 404, 40404);
        error(given().get("/registry/subjects/{s}/versions", s).then(), 404, 40401);
        given().delete("/registry/subjects/{s}?permanent=true", s).then().statusCode(200).body("$", contains(2));
        error(given().delete("/registry/subjects/{s}", s).then(), 404, 40401);
    }
}
