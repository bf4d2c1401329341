package io.sluice.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Collectors;

/** A small client of the server's REST API (java.net.http and Jackson), signed in by Basic credentials or an API token. */
public final class SluiceApi {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private volatile String authorization;

    public SluiceApi(URI base, String user, String password) {
        this.base = base;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Issues an API token for the signed-in user and uses it from now on (a token is cheaper to check than a password). */
    public void useToken(String label) {
        JsonNode issued = post("/api/v1/me/tokens", Map.of("label", label, "ttlDays", 1));
        authorization = "Bearer " + issued.path("token").asText();
    }

    public JsonNode get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET(), path);
    }

    public JsonNode post(String path, Object body) {
        try {
            return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))), path);
        } catch (IOException e) {
            throw new DemoException("could not write the request to " + path + ": " + e.getMessage(), e);
        }
    }

    public JsonNode delete(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).DELETE(), path);
    }

    /** A path with query parameters, encoded. */
    public static String query(String path, Map<String, String> params) {
        return path + "?" + params.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    private JsonNode send(HttpRequest.Builder request, String path) {
        HttpResponse<String> r;
        try {
            r = http.send(request.header("Authorization", authorization).header("Accept", "application/json").timeout(Duration.ofSeconds(60))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new DemoException("the server did not answer " + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DemoException("interrupted while calling " + path, e);
        }
        if (r.statusCode() / 100 != 2) {
            throw new DemoException(request.build().method() + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        try {
            return r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new DemoException(path + " answered something that is not JSON: " + r.body(), e);
        }
    }
}
