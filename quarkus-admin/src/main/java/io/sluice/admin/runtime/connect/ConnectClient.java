package io.sluice.admin.runtime.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * The few calls of the Kafka Connect REST API that Sluice needs. Every failure is one of two exception types: the
 * cluster could not be reached or answered 5xx ({@link Unavailable}, worth retrying), or it refused the request
 * ({@link Refused}, with Connect's own message). Thread-safe.
 */
public final class ConnectClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Connect could not be reached, timed out or failed on its side. */
    public static final class Unavailable extends RuntimeException {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Connect refused a request (4xx); the message is Connect's. */
    public static final class Refused extends RuntimeException {
        private final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final String base;
    private final Duration timeout;
    private final HttpClient http;

    public ConnectClient(String url, Duration timeout) {
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    public String url() {
        return base;
    }

    /** Creates a connector or replaces its configuration ({@code PUT /connectors/{name}/config}). */
    public void put(String name, Map<String, String> config) {
        call("PUT", "/connectors/" + name + "/config", config);
    }

    /** {@code PUT /connectors/{name}/pause}. */
    public void pause(String name) {
        call("PUT", "/connectors/" + name + "/pause", null);
    }

    /** {@code PUT /connectors/{name}/resume}. */
    public void resume(String name) {
        call("PUT", "/connectors/" + name + "/resume", null);
    }

    /** Stops a connector and its tasks, keeping its configuration and offsets ({@code PUT /connectors/{name}/stop}). */
    public void stop(String name) {
        call("PUT", "/connectors/" + name + "/stop", null);
    }

    /**
     * Restarts the failed tasks of a connector. A connector the cluster does not know yet (just created) or a
     * rebalance in progress is not an error: there is nothing failed to restart then.
     */
    public void restartFailed(String name) {
        try {
            call("POST", "/connectors/" + name + "/restart?includeTasks=true&onlyFailed=true", null);
        } catch (Refused e) {
            if (e.status() != 404 && e.status() != 409) {
                throw e;
            }
        }
    }

    /** Deletes a connector; a connector that does not exist is not an error. */
    public void delete(String name) {
        try {
            call("DELETE", "/connectors/" + name, null);
        } catch (Refused e) {
            if (e.status() != 404) {
                throw e;
            }
        }
    }

    /** Every connector with its status ({@code GET /connectors?expand=status}): name to Connect's status object. */
    public JsonNode statuses() {
        return call("GET", "/connectors?expand=status", null);
    }

    private JsonNode call(String method, String path, Object body) {
        HttpResponse<String> r;
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout).header("Accept", "application/json")
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Unavailable("Kafka Connect at " + base + " is unreachable (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while calling Kafka Connect at " + base, e);
        }
        if (r.statusCode() >= 500) {
            throw new Unavailable("Kafka Connect at " + base + " failed " + method + " " + path + " with " + r.statusCode() + ": "
                    + message(r.body()), null);
        }
        if (r.statusCode() >= 400) {
            throw new Refused(r.statusCode(), message(r.body()));
        }
        try {
            return r.body().isBlank() ? null : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new Unavailable("Kafka Connect at " + base + " answered " + method + " " + path + " with something other than JSON", e);
        }
    }

    /** Connect's error bodies are {@code {"error_code": 409, "message": "..."}}. */
    private static String message(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            return n.hasNonNull("message") ? n.get("message").asText() : body;
        } catch (IOException e) {
            return body.length() > 300 ? body.substring(0, 300) + "..." : body;
        }
    }
}
