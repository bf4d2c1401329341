package io.sluice.admin.source;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sluice.admin.TestAuth;
import io.sluice.admin.auth.Role;
import io.sluice.embedded.MariaDbServer;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sources API against a real MariaDB: registration with preflight findings, validation, secrets kept secret. */
@QuarkusTest
class SourceApiIT {

    @BeforeEach
    void signIn() {
        TestAuth.signInAs(Role.ADMIN);
    }
    private static final String PASSWORD = "Very-Secret-Pw-9";
    static MariaDbServer db;

    @Inject
    DataSource dataSource;

    @BeforeAll
    static void server() {
        db = MariaDbServer.shared();
        db.createCaptureUser("api_capture", PASSWORD);
        db.createUser("api_weak", PASSWORD, "SELECT ON *.*");
    }

    private static Map<String, Object> source(String name, String user) {
        return db.sourceRequest(name, user, PASSWORD, null, 7001);
    }

    private static String name() {
        return "src-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void shouldRegisterASourceWithItsPreflightFindingsAndNeverReturnThePassword() throws Exception {
        String name = name();
        String body = given().contentType(ContentType.JSON).body(source(name, "api_capture")).post("/api/v1/sources").then()
                .statusCode(201).body("name", equalTo(name)).body("settings.host", equalTo(db.host()))
                .body("preflight.findings.check", hasItems("connection", "log_bin", "binlog_format", "grant.REPLICATION SLAVE"))
                .body("preflight.findings.severity", not(hasItem("ERROR")))
                .extract().asString();
        assertThat(body).doesNotContain(PASSWORD).doesNotContain("\"password\"");
        assertThat(given().get("/api/v1/sources").then().statusCode(200).body("name", hasItem(name)).extract().asString()).doesNotContain(PASSWORD);
        assertThat(given().get("/api/v1/sources/{n}", name).then().statusCode(200).extract().asString()).doesNotContain(PASSWORD);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT config, password_enc FROM source WHERE name = '" + name + "'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).doesNotContain(PASSWORD);
            assertThat(rs.getString(2)).doesNotContain(PASSWORD).isNotBlank();
        }
        given().delete("/api/v1/sources/{n}", name).then().statusCode(204);
        given().get("/api/v1/sources/{n}", name).then().statusCode(404).body("code", equalTo("not_found"));
    }

    @Test
    void shouldReportMissingGrantsWithTheirFix() {
        String name = name();
        given().contentType(ContentType.JSON).body(source(name, "api_weak")).post("/api/v1/sources").then().statusCode(201)
                .body("preflight.findings.find { it.check == 'grant.REPLICATION SLAVE' }.severity", equalTo("ERROR"))
                .body("preflight.findings.find { it.check == 'grant.REPLICATION SLAVE' }.fix", containsString("GRANT REPLICATION SLAVE ON *.*"));
        given().post("/api/v1/sources/{n}/preflight", name).then().statusCode(200).body("findings.check", hasItem("grant.BINLOG MONITOR"));
    }

    @Test
    void shouldReportEveryConfigurationProblemAtOnce() {
        Map<String, Object> bad = source("Bad Name", "api_capture");
        bad.put("port", 70000);
        bad.put("type", "oracle");
        bad.remove("server.id");
        bad.put("colour", "blue");
        given().contentType(ContentType.JSON).body(bad).post("/api/v1/sources").then().statusCode(422)
                .body("code", equalTo("validation_failed"))
                .body("details.field", hasItems("name", "port", "type", "server.id", "colour"))
                .body("details.find { it.field == 'port' }.message", containsString("70000"))
                .body(not(containsString(PASSWORD)));
        Map<String, Object> dataDir = source(name(), "api_capture");
        dataDir.put("data.dir", "/tmp/elsewhere");
        given().contentType(ContentType.JSON).body(dataDir).post("/api/v1/sources").then().statusCode(422).body("details[0].field", equalTo("data.dir"));
        given().contentType(ContentType.JSON).body("[1,2]").post("/api/v1/sources").then().statusCode(422);
        given().contentType(ContentType.JSON).body("{broken").post("/api/v1/sources").then().statusCode(400).body("code", equalTo("bad_request"));
    }

    @Test
    void shouldRefuseADuplicateName() {
        String name = name();
        given().contentType(ContentType.JSON).body(source(name, "api_capture")).post("/api/v1/sources").then().statusCode(201);
        given().contentType(ContentType.JSON).body(source(name, "api_capture")).post("/api/v1/sources").then().statusCode(409)
                .body("code", equalTo("conflict"));
        given().delete("/api/v1/sources/{n}", "no-such-source").then().statusCode(404);
    }
}
