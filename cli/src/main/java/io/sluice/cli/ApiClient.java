package io.sluice.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * The Sluice server's REST API ({@code /api/v1}) over java.net.http, with an API token as
 * {@code Authorization: Bearer}. Every failure becomes a {@link CliException} with the documented exit code and a
 * message that names the server, where its address or token came from, and what to do.
 */
final class ApiClient {
    static final String ENV_SERVER = "SLUICE_SERVER";
    static final String ENV_TOKEN = "SLUICE_TOKEN";
    static final String ENV_CA_FILE = "SLUICE_CA_FILE";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(120);
    /** A request body above this size that ends in a closed connection was most likely refused for its size. */
    private static final long LARGE_BODY = 1024 * 1024;

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
        this(target, null);
    }

    /** @param trust what to trust for https:// (from {@link #trust}), or null for the JVM's trust store */
    ApiClient(Target target, SSLContext trust) {
        this.target = target;
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (trust != null) {
            b.sslContext(trust);
        }
        this.http = b.build();
    }

    /**
     * The TLS trust of {@code --ca-file}, else {@code SLUICE_CA_FILE}: exactly the certificates of that PEM file.
     *
     * @return null when neither is set (the JVM's trust store)
     * @throws CliException naming the file and where it came from, when it cannot be read as PEM certificates
     */
    static SSLContext trust(String caFlag, Map<String, String> env) {
        String file = !blank(caFlag) ? caFlag : env.get(ENV_CA_FILE);
        if (blank(file)) {
            return null;
        }
        String from = !blank(caFlag) ? "--ca-file" : ENV_CA_FILE;
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) {
                throw new CertificateException("no -----BEGIN CERTIFICATE----- block");
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new CliException(ExitCode.USAGE, "the CA file " + file + " (from " + from + ") cannot be read as PEM certificates ("
                    + e.getMessage() + "): pass the PEM file of the CA that signed the server's certificate");
        }
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
        if (token != null) {
            checkToken(token.strip(), tokenFrom);
            token = token.strip();
        }
        return new Target(base, serverFrom, token, tokenFrom);
    }

    /**
     * Refuses a token that no Sluice server issued before it goes into a header: one with spaces, line breaks, control
     * or non-ASCII characters (a paste with {@code Bearer } in front, or two lines) would otherwise break the request,
     * or inject a header. The message never shows the token, which may be a real one with a stray character.
     */
    static void checkToken(String token, String from) {
        if (token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            return;
        }
        throw new CliException(ExitCode.UNAUTHORIZED, "the token from " + from + " is not an API token: it holds spaces, line breaks, control or"
                + " non-ASCII characters, which no Sluice token has: copy it again (only the token, without 'Bearer ' or a line break) and pass it"
                + " with --token, " + ENV_TOKEN + " or `sluice context set NAME --server URL --token T`");
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
        if (uri.getRawUserInfo() != null) {
            // Not echoed: the user info may hold a password, which would then land in a terminal's scrollback or a CI log.
            throw new CliException(ExitCode.USAGE, "the server address from " + from + " holds a user name or password before its host: Sluice"
                    + " takes an API token instead; write the address as " + uri.getScheme() + "://" + uri.getHost()
                    + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + " and pass the token with --token or " + ENV_TOKEN);
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

    /**
     * A name or id as one path segment, percent-encoded. An empty name, {@code .} and {@code ..} are refused: no
     * encoding keeps them one segment (servers decode {@code %2E} and remove dot segments), so they would address
     * another resource, for example the list instead of one of its entries.
     */
    static String seg(String s) {
        if (s.isEmpty() || s.equals(".") || s.equals("..")) {
            throw new CliException(ExitCode.USAGE, "'" + s + "' cannot name anything on the server: pass a name or id as the list shows it"
                    + " (for example `sluice sources list`)");
        }
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
        long requestBytes = 0;
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            try {
                byte[] json = JSON.writeValueAsBytes(body);
                requestBytes = json.length;
                request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(json));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write the request body", e);
            }
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            if (requestBytes > LARGE_BODY && !(e instanceof HttpTimeoutException) && !(rootCause(e) instanceof ConnectException)
                    && !(rootCause(e) instanceof UnknownHostException)) {
                // A server may close the connection on a body over its limit before it answers 413.
                throw new CliException(ExitCode.INVALID, "the server closed the connection while receiving a request of " + length(requestBytes)
                        + ", probably too large for it: shorten the longest argument, for example a --where filter or a --reason");
            }
            throw unreachable(e);
        } catch (UnresolvedAddressException e) {
            throw unreachable(new UnknownHostException(target.base().getHost()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.FAILED, "interrupted while waiting for " + target.base());
        }
        return answer(method, uri, response.statusCode(), response.body(), notFoundHint, requestBytes);
    }

    private static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    /** Whether TLS failed on the server's certificate: a CertificateException among the causes (the root is the path's). */
    private static boolean untrustedCertificate(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CertificateException) {
                return true;
            }
        }
        return false;
    }

    private CliException unreachable(IOException e) {
        String why;
        Throwable root = rootCause(e);
        if (e instanceof HttpConnectTimeoutException) {
            why = "no connection within " + CONNECT_TIMEOUT.toSeconds() + " s";
        } else if (e instanceof HttpTimeoutException) {
            why = "no answer within " + REQUEST_TIMEOUT.toSeconds() + " s";
        } else if (root instanceof UnknownHostException || root instanceof UnresolvedAddressException) {
            // Before the refused connection: the JDK's client reports a name it cannot resolve as a ConnectException too.
            why = "unknown host " + target.base().getHost();
        } else if (e instanceof ConnectException || root instanceof ConnectException) {
            why = "connection refused";
        } else if (untrustedCertificate(e)) {
            return new CliException(ExitCode.UNREACHABLE, "the TLS connection to " + display(target.base()) + " (address from "
                    + target.serverFrom() + ") failed: " + root.getMessage() + ". A certificate signed by your own CA needs that CA's PEM file"
                    + " (--ca-file FILE or " + ENV_CA_FILE + "), and the certificate must name the host of the URL");
        } else if (root instanceof SSLException) {
            why = "TLS failed: " + root.getMessage();
        } else {
            why = root.getMessage() == null ? "the connection failed" : root.getMessage();
        }
        return new CliException(ExitCode.UNREACHABLE, "cannot reach the Sluice server at " + display(target.base()) + " (" + why
                + "; address from " + target.serverFrom() + "): check --server or `sluice context use`");
    }

    private JsonNode answer(String method, URI uri, int status, String body, String notFoundHint, long requestBytes) {
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
        String notSluice = "the server at " + display(target.base()) + " answered " + method + " " + shortPath(uri) + " with HTTP " + status
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
                if ("not_found".equals(json.path("code").asText()) && message.startsWith("No such resource")) {
                    // The server has no such path at all, rather than no such source or sink: the address has a path it should not.
                    throw new CliException(ExitCode.NOT_FOUND, "the server at " + display(target.base()) + " has no API at " + shortPath(uri)
                            + " (404): is the address (from " + target.serverFrom() + ") the Sluice server's root, for example http://host:8080?");
                }
                throw new CliException(ExitCode.NOT_FOUND, Text.clean(message) + (notFoundHint == null ? "" : " " + notFoundHint));
            }
            case 400, 409, 422 -> {
                String what = status == 409 ? "refused (409 conflict)" : "invalid request (" + status + ")";
                throw new CliException(ExitCode.INVALID, what + ": " + (sluiceError ? Text.clean(message) : notSluice), details);
            }
            // Limits of the server's HTTP layer, which answers before Sluice sees the request, so without a Sluice error.
            case 413 -> throw new CliException(ExitCode.INVALID, "the request is too large for the server (413, " + length(requestBytes)
                    + "): shorten the longest argument, for example a --where filter or a --reason");
            case 414 -> throw new CliException(ExitCode.INVALID, "the request's address is too long for the server (414, "
                    + uri.getRawPath().length() + " characters): shorten the name or id in it");
            case 431 -> throw new CliException(ExitCode.INVALID, "the request's headers are too large for the server (431): check the"
                    + " token" + (target.tokenFrom() == null ? "" : " from " + target.tokenFrom()) + "; an API token is a few dozen characters");
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

    /** A path for a message: a long one (a huge name) cut, so that the message stays readable. */
    private static String shortPath(URI uri) {
        String path = uri.getPath();
        return path.length() > 200 ? path.substring(0, 200) + "... (" + path.length() + " characters)" : path;
    }

    private static String length(long bytes) {
        return bytes >= 1024 * 1024 ? String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024)) : bytes + " bytes";
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
