package io.sluice.admin.review;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.sluice.admin.TestAuth;
import io.sluice.admin.auth.Role;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Schema review API: proposals, decisions, comments, policies, audit, and every validation error. */
@QuarkusTest
class ProposalApiTest {

    @BeforeEach
    void signIn() {
        TestAuth.signInAs(Role.ADMIN);
    }
    private static final String V1 = "{\"type\":\"record\",\"name\":\"Row\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}";
    private static final String V2_REQUIRED = "{\"type\":\"record\",\"name\":\"Row\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},"
            + "{\"name\":\"b\",\"type\":\"int\"}]}";

    private static String subject() {
        return "src.db.p" + UUID.randomUUID().toString().substring(0, 8) + "-value";
    }

    private static int propose(String subject, String schema) {
        return given().contentType(ContentType.JSON).body(Map.of("subject", subject, "schema", schema, "ddl", "ALTER TABLE t ADD b INT"))
                .post("/api/v1/schemas/proposals").then().statusCode(201).body("status", equalTo("PENDING"))
                .body("origin", equalTo("PLANNED")).extract().path("id");
    }

    private static ValidatableResponse apiError(ValidatableResponse r, int status, String code) {
        return r.statusCode(status).contentType(ContentType.JSON).body("code", equalTo(code)).body("message", notNullValue())
                .body("details", notNullValue());
    }

    @Test
    void shouldFileListShowAndApproveAPlannedChangeWithAnOverride() {
        String s = subject();
        given().contentType("application/vnd.schemaregistry.v1+json").body(Map.of("schema", V1))
                .post("/registry/subjects/{s}/versions", s).then().statusCode(200);
        int id = propose(s, V2_REQUIRED);

        given().get("/api/v1/schemas/proposals?status=pending").then().statusCode(200).body("id", hasItem(id));
        given().get("/api/v1/schemas/proposals/{id}", id).then().statusCode(200)
                .body("proposal.subject", equalTo(s))
                .body("proposal.diff[0].kind", equalTo("ADDED")).body("proposal.diff[0].field", equalTo("b"))
                .body("proposal.verdicts.BACKWARD.compatible", equalTo(false))
                .body("proposal.verdicts.FORWARD.compatible", equalTo(true))
                .body("proposal.previousSchema", containsString("Row"));

        given().contentType(ContentType.JSON).body(Map.of("body", "consumers are ready"))
                .post("/api/v1/schemas/proposals/{id}/comments", id).then().statusCode(201).body("body", equalTo("consumers are ready"));
        apiError(given().contentType(ContentType.JSON).body(Map.of("reason", "ok"))
                .post("/api/v1/schemas/proposals/{id}/approve", id).then(), 409, "registry_incompatible_schema")
                .body("message", containsString("is incompatible with subject")).body("message", containsString("--level NONE"))
                .body("message", containsString("readers that still use the previous schema"));
        given().contentType(ContentType.JSON).body(Map.of("reason", "ok", "levelOverride", "FORWARD"))
                .post("/api/v1/schemas/proposals/{id}/approve", id).then().statusCode(200)
                .body("status", equalTo("APPROVED")).body("levelOverride", equalTo("FORWARD")).body("decidedBy", equalTo("test-admin"));
        given().get("/api/v1/schemas/proposals/{id}", id).then().body("comments[0].body", equalTo("consumers are ready"));
        given().get("/api/v1/schemas/audit?limit=20").then().statusCode(200)
                .body("action", hasItem("proposal.approve")).body("action", hasItem("proposal.comment"));
    }

    @Test
    void shouldRejectWithAReasonAndRefuseASecondDecision() {
        int id = propose(subject(), V1);
        apiError(given().contentType(ContentType.JSON).body(Map.of()).post("/api/v1/schemas/proposals/{id}/reject", id).then(),
                422, "validation_failed");
        given().contentType(ContentType.JSON).body(Map.of("reason", "not now")).post("/api/v1/schemas/proposals/{id}/reject", id)
                .then().statusCode(200).body("status", equalTo("REJECTED"));
        apiError(given().contentType(ContentType.JSON).body(Map.of("reason", "again")).post("/api/v1/schemas/proposals/{id}/approve", id)
                .then(), 409, "conflict");
    }

    @Test
    void shouldRefuseBadInputWithTheApiErrorShape() {
        apiError(given().get("/api/v1/schemas/proposals/987654").then(), 404, "not_found");
        apiError(given().get("/api/v1/schemas/proposals?status=maybe").then(), 422, "validation_failed");
        apiError(given().get("/api/v1/schemas/audit?limit=0").then(), 422, "validation_failed");
        apiError(given().contentType(ContentType.JSON).body(Map.of("subject", "s")).post("/api/v1/schemas/proposals").then(),
                422, "validation_failed");
        apiError(given().contentType(ContentType.JSON).body(Map.of("subject", "s", "ddl", "DROP TABLE t")).post("/api/v1/schemas/proposals").then(),
                422, "validation_failed");
        apiError(given().contentType(ContentType.JSON).body(Map.of("subject", "s", "schema", "{broken"))
                .post("/api/v1/schemas/proposals").then(), 422, "registry_invalid_schema");
        apiError(given().contentType(ContentType.JSON).body("{not json").post("/api/v1/schemas/proposals").then(), 400, "bad_request");
        apiError(given().contentType(ContentType.JSON).body("{\"subject\": [1]}").post("/api/v1/schemas/proposals").then(), 400, "bad_request");
        int id = propose(subject(), V1);
        apiError(given().contentType(ContentType.JSON).body(Map.of("reason", "x", "levelOverride", "SIDEWAYS"))
                .post("/api/v1/schemas/proposals/{id}/approve", id).then(), 422, "validation_failed");
        apiError(given().contentType(ContentType.JSON).body(Map.of("policy", "sometimes"))
                .put("/api/v1/schemas/policies/{s}", "x-value").then(), 422, "validation_failed");
        apiError(given().get("/api/v1/schemas/proposals/abc").then(), 404, "not_found");
    }

    @Test
    void shouldTranslateAPlannedAddColumnIntoAProposal() {
        String s = subject();
        given().contentType("application/vnd.schemaregistry.v1+json").body(Map.of("schema", V1))
                .post("/registry/subjects/{s}/versions", s).then().statusCode(200);
        given().contentType(ContentType.JSON).body(Map.of("subject", s, "ddl", "ALTER TABLE t ADD COLUMN note VARCHAR(20) NULL COMMENT 'free text'"))
                .post("/api/v1/schemas/proposals").then().statusCode(201)
                .body("diff[0].kind", equalTo("ADDED")).body("diff[0].field", equalTo("note"))
                .body("verdicts.BACKWARD.compatible", equalTo(true)).body("schema", containsString("free text"));
        apiError(given().contentType(ContentType.JSON).body(Map.of("subject", s, "ddl", "ALTER TABLE t ADD COLUMN g GEOMETRY"))
                .post("/api/v1/schemas/proposals").then(), 422, "validation_failed");
    }

    @Test
    void shouldSetAndReadPolicies() {
        String s = subject();
        given().get("/api/v1/schemas/policies/{s}", s).then().statusCode(200).body("policy", equalTo("auto"));
        given().contentType(ContentType.JSON).body(Map.of("policy", "review-all")).put("/api/v1/schemas/policies/{s}", s)
                .then().statusCode(200).body("policy", equalTo("review-all"));
        given().get("/api/v1/schemas/policies/{s}", s).then().statusCode(200).body("policy", equalTo("review-all"));
    }
}
