package io.sluice.admin;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import java.time.Duration;
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

    /**
     * A fresh database with the tables and rows given, captured by a new source into a new Redis sink through a new
     * pipeline, and waits until the source streams (its snapshot delivered).
     *
     * @param statements the database's {@code CREATE TABLE} and {@code INSERT} statements, tables named {@code database.table}
     */
    public static void streamIntoRedis(String source, String sink, String pipeline, String database, String captureUser, String password,
            String... statements) {
        MariaDbServer db = MariaDbServer.shared();
        RedisServer redis = RedisServer.shared();
        db.createCaptureUser(captureUser, password);
        db.recreateDatabase(database);
        db.execute(statements);
        createSource(db.sourceRequest(source, captureUser, password, database, 7100 + (int) (Math.random() * 800)));
        createSink(sink, "redis", Map.of("redis.uri", "redis://" + redis.host() + ":" + redis.port()));
        createPipeline(pipeline, source, List.of(sink));
        await().atMost(Duration.ofSeconds(60)).until(() -> "streaming".equals(given().get("/api/v1/sources/{s}/status", source).then()
                .extract().path("state")));
    }
}
