package io.sluice.sink.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.sink.CaCertificates;
import io.sluice.sink.FatalSinkException;
import io.sluice.sink.RetriableSinkException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * An OpenSearch sink's HTTP client: its credentials (an API key, or a user and password), its TLS (the JVM's trust
 * store, or none under {@code opensearch.tls.insecure}), and fail-over across {@code opensearch.urls}: a request
 * goes to the node that answered last, and to the next ones while a node cannot be reached.
 *
 * <p>Requests may come from several threads at once (the bulk partitions).
 */
final class OpenSearchHttp {
    static final ObjectMapper JSON = new ObjectMapper();

    private final String sink;
    private final OpenSearchSinkConfig config;
    private final HttpClient http;
    private final String authorization;
    /** The node that answered last; a hint shared by the threads, so a stale read only costs a retry elsewhere. */
    private volatile int current;

    OpenSearchHttp(String sink, OpenSearchSinkConfig config) {
        this.sink = sink;
        this.config = config;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(config.timeoutMs()));
        if (config.tlsInsecure()) {
            b.sslContext(trustAll());
        } else if (config.tlsCaFile().isPresent()) {
            b.sslContext(CaCertificates.context(config.tlsCaFile().get(), OpenSearchSinkConfig.TLS_CA_FILE));
        } else if (!config.tlsCaFingerprint().isEmpty()) {
            b.sslContext(CaCertificates.fingerprint(config.tlsCaFingerprint()));
        }
        this.http = b.build();
        if (!config.apiKey().isEmpty()) {
            this.authorization = "ApiKey " + config.apiKey();
        } else if (!config.username().isEmpty()) {
            this.authorization = "Basic " + Base64.getEncoder().encodeToString((config.username() + ":" + config.password())
                    .getBytes(StandardCharsets.UTF_8));
        } else {
            this.authorization = null;
        }
    }

    /**
     * Sends a request to the first node that answers.
     *
     * @param path relative to a node's URL
     * @param body JSON (NDJSON for {@code _bulk}), or null
     * @throws RetriableSinkException if no node can be reached
     */
    HttpResponse<String> send(String method, String path, String body) {
        List<URI> urls = config.urls();
        IOException last = null;
        for (int attempt = 0; attempt < urls.size(); attempt++) {
            URI base = urls.get((current + attempt) % urls.size());
            HttpRequest.Builder req = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMillis(config.timeoutMs()))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                req.header("Content-Type", path.endsWith("_bulk") ? "application/x-ndjson" : "application/json");
            }
            if (authorization != null) {
                req.header("Authorization", authorization);
            }
            try {
                HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
                current = (current + attempt) % urls.size();
                return r;
            } catch (SSLHandshakeException e) {
                throw new FatalSinkException("OpenSearch sink '" + sink + "': " + base + " was refused over TLS (" + e.getMessage() + "): its"
                        + " certificate must be signed by a CA in " + OpenSearchSinkConfig.TLS_CA_FILE + ", carry the fingerprint in "
                        + OpenSearchSinkConfig.TLS_CA_FINGERPRINT + " or be trusted by the JVM's trust store, and name the host in "
                        + OpenSearchSinkConfig.URLS, e);
            } catch (IOException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RetriableSinkException("OpenSearch sink '" + sink + "' interrupted", e);
            }
        }
        throw new RetriableSinkException("OpenSearch sink '" + sink + "': no node of " + urls + " is reachable: " + last, last);
    }

    /** The failure of a request the cluster answered with an error: fatal for 400, 401 and 403, retriable otherwise. */
    RuntimeException failure(String what, HttpResponse<String> r) {
        String message = "OpenSearch sink '" + sink + "' could not " + what + ": HTTP " + r.statusCode() + " " + brief(r.body());
        if (r.statusCode() == 401 || r.statusCode() == 403 || r.statusCode() == 400) {
            return new FatalSinkException(message, null);
        }
        return new RetriableSinkException(message, null);
    }

    /** A response body short enough for a message. */
    static String brief(String body) {
        return body == null ? "" : body.length() > 500 ? body.substring(0, 500) + "..." : body;
    }

    /** @throws RetriableSinkException if the body is not JSON */
    static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new RetriableSinkException("OpenSearch answered something that is not JSON: " + brief(body), e);
        }
    }

    /** An index or document name as a path segment. */
    static String enc(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8);
    }

    private static SSLContext trustAll() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build an insecure TLS context", e);
        }
    }
}
