package io.sluice.admin.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server that takes webhooks, started before the server under test so that its addresses can be
 * configured: {@code /json} as a plain webhook and {@code /slack} as a Slack incoming webhook. The first request to
 * {@code /json} is answered 503, so that every test also sees a retry.
 */
public class WebhookReceiver implements QuarkusTestResourceLifecycleManager {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Delivery> TAKEN = new ArrayList<>();
    private static final AtomicInteger REFUSED = new AtomicInteger();
    private HttpServer server;

    /** A body the receiver took, with its path. */
    public record Delivery(String path, JsonNode body) {
    }

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            JsonNode body = JSON.readTree(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            int status;
            if (path.equals("/json") && REFUSED.getAndIncrement() == 0) {
                status = 503;
            } else {
                synchronized (TAKEN) {
                    TAKEN.add(new Delivery(path, body));
                }
                status = 200;
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        return Map.of("sluice.alerts.webhook-urls", base + "/json", "sluice.alerts.slack-urls", base + "/slack?token=never-shown");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** What the receiver took so far, in order. */
    static List<Delivery> taken() {
        synchronized (TAKEN) {
            return List.copyOf(TAKEN);
        }
    }

    /** Requests answered with an error and to be sent again. */
    static int refused() {
        return Math.min(1, REFUSED.get());
    }
}
