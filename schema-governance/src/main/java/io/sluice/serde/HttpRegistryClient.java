package io.sluice.serde;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.contract.ContractCheck;
import io.sluice.contract.Metadata;
import io.sluice.contract.RuleSet;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.registry.RegistryError;
import io.sluice.registry.RegistryException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.avro.Schema;

/**
 * A {@link RegistryClient} for any Confluent-compatible registry over HTTP (Sluice's own under
 * {@code <server>/registry}). Retries connection failures and 5xx answers with exponential backoff and jitter;
 * 4xx answers are final and become {@link RegistryException}s with Confluent's error code.
 *
 * <p>Thread-safe. Put a {@link CachingRegistryClient} in front of it.
 */
public final class HttpRegistryClient implements RegistryClient {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String authorization;
    private final Duration timeout;
    private final int maxAttempts;
    private final HttpClient http;

    /**
     * Connection settings.
     *
     * @param url the registry's base URL, for example {@code http://sluice:8080/registry}
     * @param basicAuthUserInfo {@code user:password} for basic authentication, or null
     * @param bearerToken a token sent as {@code Authorization: Bearer}, or null
     * @param timeout the timeout of each request
     * @param maxAttempts how often a retriable failure is tried, at least 1
     */
    public record Settings(String url, String basicAuthUserInfo, String bearerToken, Duration timeout, int maxAttempts) {
        public Settings {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(timeout, "timeout");
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1");
            }
        }
    }

    public HttpRegistryClient(Settings settings) {
        String url = settings.url().endsWith("/") ? settings.url().substring(0, settings.url().length() - 1) : settings.url();
        this.base = URI.create(url + "/");
        if (settings.bearerToken() != null && !settings.bearerToken().isBlank()) {
            this.authorization = "Bearer " + settings.bearerToken();
        } else if (settings.basicAuthUserInfo() != null && !settings.basicAuthUserInfo().isBlank()) {
            this.authorization = "Basic " + Base64.getEncoder().encodeToString(settings.basicAuthUserInfo().getBytes(StandardCharsets.UTF_8));
        } else {
            this.authorization = null;
        }
        this.timeout = settings.timeout();
        this.maxAttempts = settings.maxAttempts();
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
    }

    @Override
    public long register(String subject, Schema schema) {
        return send("POST", "subjects/" + encode(subject) + "/versions", body(schema)).get("id").asLong();
    }

    @Override
    public long lookup(String subject, Schema schema) {
        return send("POST", "subjects/" + encode(subject), body(schema)).get("id").asLong();
    }

    @Override
    public Schema schemaById(long id) {
        return new Schema.Parser().parse(send("GET", "schemas/ids/" + id, null).get("schema").asText());
    }

    /**
     * The data contract of a subject's latest version: its rules and metadata (Confluent's registry answers them too).
     *
     * @return empty when the subject has no version yet
     * @throws RegistryException when the answer is refused for another reason (credentials, for example)
     * @throws RegistryUnavailableException when the registry cannot be reached (retriable)
     */
    public Optional<ContractCheck.Declared> latestContract(String subject) {
        JsonNode latest;
        try {
            latest = send("GET", "subjects/" + encode(subject) + "/versions/latest", null);
        } catch (RegistryException e) {
            if (e.error() == RegistryError.SUBJECT_NOT_FOUND || e.error() == RegistryError.VERSION_NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
        try {
            RuleSet rules = latest.hasNonNull("ruleSet") ? JSON.treeToValue(latest.get("ruleSet"), RuleSet.class) : RuleSet.EMPTY;
            Metadata metadata = latest.hasNonNull("metadata") ? JSON.treeToValue(latest.get("metadata"), Metadata.class) : Metadata.EMPTY;
            return Optional.of(new ContractCheck.Declared(latest.path("version").asInt(), rules, metadata));
        } catch (JsonProcessingException e) {
            throw new RegistryException(RegistryError.INVALID_RULE_SET, "Registry " + base + " answered subject '" + subject
                    + "' with a rule set or metadata Sluice cannot read: " + e.getOriginalMessage());
        }
    }

    private static String body(Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString()).toString();
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode send(String method, String path, String body) {
        URI uri = base.resolve(path);
        RuntimeException last = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", CONTENT_TYPE)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                request.header("Content-Type", CONTENT_TYPE);
            }
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            try {
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    return JSON.readTree(response.body());
                }
                RuntimeException failure = failure(method, uri, status, response.body());
                if (status < 500) {
                    throw failure;
                }
                last = failure;
            } catch (IOException e) {
                last = new RegistryUnavailableException("Registry " + base + " unreachable (" + method + " " + uri.getPath() + "): "
                        + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryUnavailableException("Interrupted while calling registry " + base, e);
            }
            if (attempt < maxAttempts) {
                backoff(attempt);
            }
        }
        throw last;
    }

    private static RuntimeException failure(String method, URI uri, int status, String body) {
        int code = status;
        String message = body;
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null && node.has("error_code")) {
                code = node.get("error_code").asInt();
                message = node.path("message").asText();
            }
        } catch (IOException e) {
            // not JSON: keep the raw body
        }
        if (status >= 500) {
            return new RegistryUnavailableException("Registry failed on " + method + " " + uri.getPath() + ": HTTP " + status + " " + message, null);
        }
        if (status == 401 || status == 403) {
            return new RegistryException(RegistryError.BAD_REQUEST, "Registry refused the credentials (HTTP " + status
                    + "): check schema.registry.url's user info or token");
        }
        for (RegistryError e : RegistryError.values()) {
            if (e.errorCode() == code) {
                return new RegistryException(e, message);
            }
        }
        return new RegistryException(RegistryError.BAD_REQUEST, "Registry answered HTTP " + status + ": " + message);
    }

    private static void backoff(int attempt) {
        long base = Math.min(5_000, 100L << Math.min(attempt, 6));
        long sleep = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        try {
            Thread.sleep(sleep);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
