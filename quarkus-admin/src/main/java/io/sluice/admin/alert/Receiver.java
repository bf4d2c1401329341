package io.sluice.admin.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * A webhook that alerts are sent to, in the body its format wants. Its address may hold a token (Slack's do), so
 * only {@link #describe()} is ever logged or shown.
 */
record Receiver(Format format, URI uri) {

    /** The body a receiver takes. */
    enum Format {
        /** Sluice's own JSON object, one per alert firing and per alert resolved. */
        JSON,
        /** Slack's incoming webhook: {@code {"text": ...}}. */
        SLACK
    }

    Receiver {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(uri, "uri");
    }

    /** What may be shown of it: the format, scheme and host, never the path or query that may hold a token. */
    String describe() {
        return format.name().toLowerCase(Locale.ROOT) + " " + uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    /** The body for {@code alert}: as firing while it is open, as resolved once it is not. */
    String body(Alert alert, ObjectMapper json) {
        ObjectNode body = json.createObjectNode();
        switch (format) {
            case JSON -> {
                body.put("status", alert.open() ? "firing" : "resolved");
                body.put("id", alert.id());
                body.put("kind", alert.kind().label());
                body.put("subject", alert.subject());
                body.put("summary", alert.summary());
                body.put("startedAt", alert.startedAt().toString());
                body.put("resolvedAt", alert.resolvedAt() == null ? null : alert.resolvedAt().toString());
            }
            case SLACK -> body.put("text", (alert.open() ? ":red_circle: *FIRING* " : ":white_check_mark: *RESOLVED* ") + alert.kind().label()
                    + " `" + alert.subject() + "`\n" + alert.summary() + (alert.open() ? "" : "\nResolved at " + alert.resolvedAt() + "."));
        }
        return body.toString();
    }
}
