package io.sluice.admin.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Sends an alert, as firing or as resolved, to every receiver: each on its own, retried after a failure (a timeout,
 * HTTP 408, 429 or 5xx) with a backoff that doubles up to {@link #MAX_BACKOFF}, at most {@code attempts} times. A
 * receiver that refuses the body (any other 4xx) is not asked again. Receivers' addresses never appear in logs or
 * errors, only {@link Receiver#describe()}.
 *
 * <p>Thread-safe; sending runs on the given executor.
 */
final class AlertDelivery {
    private static final Logger LOG = Logger.getLogger(AlertDelivery.class);
    /** The longest wait between two attempts. */
    static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final List<Receiver> receivers;
    private final int attempts;
    private final Duration backoff;
    private final ScheduledExecutorService executor;
    private final ObjectMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();

    AlertDelivery(List<Receiver> receivers, int attempts, Duration backoff, ScheduledExecutorService executor, ObjectMapper json) {
        this.receivers = List.copyOf(receivers);
        this.attempts = attempts;
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.json = Objects.requireNonNull(json, "json");
    }

    List<Receiver> receivers() {
        return receivers;
    }

    /**
     * Sends {@code alert} to every receiver; once each has taken it or been given up on, {@code done} gets whether all
     * took it and, if not, the failures in words. With no receiver, {@code done} runs at once with success.
     */
    void send(Alert alert, BiConsumer<Boolean, String> done) {
        if (receivers.isEmpty()) {
            done.accept(true, null);
            return;
        }
        AtomicInteger left = new AtomicInteger(receivers.size());
        StringBuffer failures = new StringBuffer();
        for (Receiver receiver : receivers) {
            String body = receiver.body(alert, json);
            attempt(receiver, alert, body, 1, error -> {
                if (error != null) {
                    synchronized (failures) {
                        failures.append(failures.length() == 0 ? "" : "; ").append(error);
                    }
                }
                if (left.decrementAndGet() == 0) {
                    done.accept(failures.length() == 0, failures.length() == 0 ? null : failures.toString());
                }
            });
        }
    }

    /** The wait before attempt {@code n + 1}, after {@code n} failed. */
    static Duration backoff(Duration first, int n) {
        Duration wait = first.multipliedBy(1L << Math.min(n - 1, 20));
        return wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
    }

    private void attempt(Receiver receiver, Alert alert, String body, int n, Consumer<String> finished) {
        executor.execute(() -> {
            String failure;
            boolean retriable;
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(receiver.uri()).timeout(TIMEOUT)
                        .header("Content-Type", "application/json").header("User-Agent", "Sluice")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    LOG.debugf("alert %d (%s) sent to %s", alert.id(), alert.open() ? "firing" : "resolved", receiver.describe());
                    finished.accept(null);
                    return;
                }
                failure = receiver.describe() + " answered HTTP " + status;
                retriable = status == 408 || status == 429 || status >= 500;
            } catch (IOException e) {
                failure = receiver.describe() + " could not be reached (" + e.getClass().getSimpleName() + ")";
                retriable = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                finished.accept(receiver.describe() + ": the server stopped before the alert was sent");
                return;
            }
            if (retriable && n < attempts) {
                Duration wait = backoff(backoff, n);
                LOG.warnf("alert %d: %s; attempt %d of %d, trying again in %s", alert.id(), failure, n, attempts, wait);
                executor.schedule(() -> attempt(receiver, alert, body, n + 1, finished), wait.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                String error = failure + (retriable ? " after " + n + " attempts" : "; not sent again") + ".";
                LOG.errorf("alert %d (%s %s) was not delivered: %s", alert.id(), alert.kind().label(), alert.subject(), error);
                finished.accept(error);
            }
        });
    }
}
