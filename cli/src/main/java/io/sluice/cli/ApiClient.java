package io.sluice.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLException;

/**
 * The Sluice server's REST API ({@code /api/v1}) over java.net.http, with an API token as
 * {@code Authorization: Bearer}. Every failure becomes a {@link CliException} with the documented exit code and a
 * message that names the server, where its address or token came from, and what to do.
 */
final class ApiClient {
    static final String ENV_SERVER = "SLUICE_SERVER";
    static final String ENV_TOKEN = "SLUICE_TOKEN";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(120);

    /**
     * Where to send requests.
     *
     * @param serverFrom where the address came from, for messages ({@code --server}, {@code SLUICE_SERVER}, a context)
     * @param token the API token, or null
     * @param tokenFrom where the token came from, or null
     */
    record Target(URI base, String serverFrom, String token, String tokenFrom) {
    }

    private final Target target;
    private final HttpClient http;

    ApiClient(Target target) {
        this.target = target;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    Target target() {
        return target;
    }

    /**
     * The server and token: {@code --server}/{@code --token}, then {@code SLUICE_SERVER}/{@code SLUICE_TOKEN}, then the
     * context ({@code --context}, else the current one). A context's token goes only to that context's server, never to
     * a server named elsewhere.
     */
    static Target resolve(String serverFlag, String tokenFlag, String contextFlag, Map<String, String> env, Contexts contexts) {
        Contexts.Context context;
        if (contextFlag != null) {
            context = contexts.get(contextFlag).orElseThrow(() -> new CliException(ExitCode.NOT_FOUND, "no context '" + contextFlag
                    + "' in " + contexts.file() + ": `sluice context list` shows them, `sluice context set " + contextFlag
                    + " --server URL` creates it"));
        } else {
            context = contexts.current().orElse(null);
        }
        String server;
        String serverFrom;
        if (!blank(serverFlag)) {
            server = serverFlag;
            serverFrom = "--server";
        } else if (!blank(env.get(ENV_SERVER))) {
            server = env.get(ENV_SERVER);
            serverFrom = ENV_SERVER;
        } else if (context != null && !blank(context.server())) {
            server = context.server();
            serverFrom = "context '" + context.name() + "'";
        } else {
            throw new CliException(ExitCode.USAGE, "no Sluice server given: pass --server URL, set " + ENV_SERVER + ", or store one with"
                    + " `sluice context set NAME --server URL` (config file " + contexts.file() + ")");
        }
        URI base = parseServer(server, serverFrom);
        String token = null;
        String tokenFrom = null;
        if (!blank(tokenFlag)) {
            token = tokenFlag;
            tokenFrom = "--token";
        } else if (!blank(env.get(ENV_TOKEN))) {
            token = env.get(ENV_TOKEN);
            tokenFrom = ENV_TOKEN;
        } else if (context != null && !blank(context.token()) && sameServer(context.server(), base)) {
            token = context.token();
            tokenFrom = "context '" + context.name() + "'";
        }
        return new Target(base, serverFrom, token, tokenFrom);
    }

    /** An http(s) URL with a host; a trailing slash or path is kept as the API's base. */
    static URI parseServer(String server, String from) {
        String s = server.trim();
        URI uri;
        try {
            uri = new URI(s.endsWith("/") ? s : s + "/");
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null || uri.getScheme() == null || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))
                || uri.getHost() == null || uri.getPort() > 65535) {
            throw new CliException(ExitCode.USAGE, "the server address '" + server + "' (from " + from + ") is not an http(s) URL:"
                    + " write it as http://host:8080 or https://host");
        }
        return uri;
    }

    private static boolean sameServer(String contextServer, URI base) {
        try {
            return parseServer(contextServer, "context").equals(base);
        } catch (CliException e) {
            return false;
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** A path segment, percent-encoded. */
    static String seg(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    JsonNode get(String path, String notFoundHint) {
        return send("GET", path, null, notFoundHint);
    }

    JsonNode post(String path, Object body, String notFoundHint) {
        return send("POST", path, body, notFoundHint);
    }

    /**
     * Sends a request and returns the answer's JSON ({@code null} node for an empty body).
     *
     * @param path relative to the server's base, without a leading slash, for example {@code api/v1/sources}
     * @param body serialized as JSON, or null for none
     * @param notFoundHint appended to a 404's message: where to look for what exists
     */
    JsonNode send(String method, String path, Object body, String notFoundHint) {
        URI uri = target.base().resolve(path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).header("Accept", "application/json")
                .header("User-Agent", "sluice-cli/" + SluiceCli.version());
        if (target.token() != null) {
            request.header("Authorization", "Bearer " + target.token());
        }
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            try {
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write the request body", e);
            }
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw unreachable(e);
        } catch (UnresolvedAddressException e) {
            throw unreachable(new UnknownHostException(target.base().getHost()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.FAILED, "interrupted while waiting for " + target.base());
        }
        return answer(method, uri, response.statusCode(), response.body(), notFoundHint);
    }

    private CliException unreachable(IOException e) {
        String why;
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (e instanceof HttpConnectTimeoutException) {
            why = "no connection within " + CONNECT_TIMEOUT.toSeconds() + " s";
        } else if (e instanceof HttpTimeoutException) {
            why = "no answer within " + REQUEST_TIMEOUT.toSeconds() + " s";
        } else if (e instanceof ConnectException || root instanceof ConnectException) {
            why = "connection refused";
        } else if (root instanceof UnknownHostException || root instanceof UnresolvedAddressException) {
            why = "unknown host " + target.base().getHost();
        } else if (root instanceof SSLException) {
            why = "TLS failed: " + root.getMessage();
        } else {
            why = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        }
        return new CliException(ExitCode.UNREACHABLE, "cannot reach the Sluice server at " + display(target.base()) + " (" + why
                + "; address from " + target.serverFrom() + "): check --server or `sluice context use`");
    }

    private JsonNode answer(String method, URI uri, int status, String body, String notFoundHint) {
        JsonNode json = null;
        if (body != null && !body.isBlank()) {
            try {
                json = JSON.readTree(body);
            } catch (JsonProcessingException e) {
                json = null;
            }
        }
        if (status / 100 == 2) {
            if (body == null || body.isBlank()) {
                return JSON.nullNode();
            }
            if (json == null) {
                throw new CliException(ExitCode.FAILED, method + " " + uri + " answered " + status + " with something that is not JSON:"
                        + " is " + display(target.base()) + " (from " + target.serverFrom() + ") a Sluice server?");
            }
            return json;
        }
        boolean sluiceError = json != null && json.isObject() && json.hasNonNull("message");
        String message = sluiceError ? json.get("message").asText() : null;
        List<String> details = new ArrayList<>();
        if (sluiceError) {
            for (JsonNode d : json.path("details")) {
                details.add(Text.clean(d.path("field").asText("?")) + ": " + Text.clean(d.path("message").asText("")));
            }
        }
        String notSluice = "the server at " + display(target.base()) + " answered " + method + " " + uri.getPath() + " with HTTP " + status
                + " and no Sluice error: is the address (from " + target.serverFrom() + ") a Sluice server?";
        switch (status) {
            case 401 -> {
                String fix = "create one in the UI under Users or with POST /api/v1/me/tokens, then pass it with --token, " + ENV_TOKEN
                        + " or `sluice context set NAME --server URL --token T`";
                throw new CliException(ExitCode.UNAUTHORIZED, target.token() == null
                        ? "the server requires a token (401) and none was given: " + fix
                        : "the server refused the token (401) from " + target.tokenFrom() + ": " + fix);
            }
            case 403 -> throw new CliException(ExitCode.UNAUTHORIZED, "forbidden (403): " + (sluiceError ? Text.clean(message)
                    : "your role does not allow this; ask an admin for a role that does"));
            case 404 -> {
                if (!sluiceError) {
                    throw new CliException(ExitCode.NOT_FOUND, notSluice);
                }
                throw new CliException(ExitCode.NOT_FOUND, Text.clean(message) + (notFoundHint == null ? "" : " " + notFoundHint));
            }
            case 400, 409, 422 -> {
                String what = status == 409 ? "refused (409 conflict)" : "invalid request (" + status + ")";
                throw new CliException(ExitCode.INVALID, what + ": " + (sluiceError ? Text.clean(message) : notSluice), details);
            }
            case 501 -> throw new CliException(ExitCode.NOT_AVAILABLE, "not available on this server (501): "
                    + (sluiceError ? Text.clean(message) : "the server does not offer " + uri.getPath() + " yet"));
            default -> {
                if (!sluiceError) {
                    throw new CliException(ExitCode.FAILED, notSluice);
                }
                String what = status >= 500 ? "the server failed (" + status + ")" : "the request failed (" + status + ")";
                throw new CliException(ExitCode.FAILED, what + ": " + Text.clean(message), details);
            }
        }
    }

    /** The address without a trailing slash, as a person typed it. */
    static String display(URI base) {
        String s = base.toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** A query parameter, encoded. */
    static String query(String name, String value) {
        return name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
