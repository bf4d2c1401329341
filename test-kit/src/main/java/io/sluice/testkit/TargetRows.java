package io.sluice.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;

/**
 * What a target holds of the tests' {@code items} tables, read straight from Redis or OpenSearch (not through
 * Sluice): each document's id to {@code name|qty}, as {@code MariaDbServer.rows(db, "SELECT id, name, qty ...")}
 * gives the table, so that a test compares them with {@code isEqualTo}.
 */
public final class TargetRows {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private TargetRows() {
    }

    /** Every row under a Redis key prefix ending in {@code :{}, read with SCAN and MGET. */
    public static Map<String, String> redis(RedisServer redis, String prefix) throws IOException {
        Map<String, String> out = new HashMap<>();
        for (Map.Entry<String, String> e : redis.strings(prefix, "}").entrySet()) {
            String key = e.getKey();
            out.put(key.substring(prefix.length(), key.length() - 1), row(JSON.readTree(e.getValue())));
        }
        return out;
    }

    /** Every document of an index (or alias), read with a scroll after a refresh. */
    public static Map<String, String> openSearch(OpenSearchTestNode search, String index) throws IOException, InterruptedException {
        send("POST", search.url() + "/" + index + "/_refresh", "");
        Map<String, String> out = new HashMap<>();
        JsonNode page = JSON.readTree(send("POST", search.url() + "/" + index + "/_search?scroll=1m", "{\"size\": 10000, \"sort\": [\"_doc\"]}")
                .body());
        while (page.path("hits").path("hits").size() > 0) {
            for (JsonNode hit : page.path("hits").path("hits")) {
                out.put(hit.path("_id").asText(), row(hit.path("_source")));
            }
            page = JSON.readTree(send("POST", search.url() + "/_search/scroll", "{\"scroll\": \"1m\", \"scroll_id\": \""
                    + page.path("_scroll_id").asText() + "\"}").body());
        }
        return out;
    }

    /** How many documents an index holds after a refresh; 0 while it does not exist. */
    public static long count(OpenSearchTestNode search, String index) throws IOException, InterruptedException {
        send("POST", search.url() + "/" + index + "/_refresh", "");
        HttpResponse<String> r = send("GET", search.url() + "/" + index + "/_count", null);
        return r.statusCode() != 200 ? 0 : JSON.readTree(r.body()).path("count").asLong();
    }

    /** A JSON request to a test server. */
    public static HttpResponse<String> send(String method, String url, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String row(JsonNode doc) {
        return doc.path("name").asText() + "|" + doc.path("qty").asInt();
    }
}
