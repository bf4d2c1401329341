package io.sluice.admin;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.List;
import java.util.Map;

/**
 * Registers sources, sinks and pipelines through the REST API, as the user {@link TestAuth#signInAs} signed in,
 * and checks that each was created. For tests whose subject is something else; the API itself is exercised in
 * {@code SourceApiIT} and {@code PipelineApiIT}.
 */
public final class TestApi {
    private TestApi() {
    }


    /** Creates a source; the response is there for further checks. */
    public static ValidatableResponse createSource(Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body).post("/api/v1/sources").then().statusCode(201);
    }

    /** Creates a sink whose connection test passes. */
    public static void createSink(String name, String type, Map<String, String> config) {
        given().contentType(ContentType.JSON).body(Map.of("name", name, "type", type, "config", config)).post("/api/v1/sinks").then()
                .statusCode(201).body("connection.ok", equalTo(true)).body("type", equalTo(type));
    }

    /** Creates a pipeline of a source's every table into the sinks. */
    public static void createPipeline(String name, String source, List<String> sinks) {
        given().contentType(ContentType.JSON).body(Map.of("name", name, "source", source, "sinks", sinks)).post("/api/v1/pipelines").then()
                .statusCode(201);
    }
}
