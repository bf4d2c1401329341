package io.sluice.cli;

import static io.sluice.cli.Text.field;
import static io.sluice.cli.Text.pair;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code sluice alerts}: the alerts the server raised ({@code /api/v1/alerts}), and silences that hold back their sending. */
@Command(name = "alerts", description = "Alerts the server raises and sends to webhooks: list, show, silence, silences, unsilence.",
        footerHeading = "%nExamples:%n",
        footer = {"  sluice alerts list", "  sluice alerts silence --kind source-failed --subject shop --minutes 60 --comment 'db upgrade'",
            "  sluice alerts silence --subject 'orders*' --minutes 30", "  sluice alerts unsilence 3"})
final class AlertsCommand {
    private static final String HINT = "`sluice alerts list` shows the alerts; `sluice alerts silences` the silences.";

    @ParentCommand
    SluiceCli root;

    @Command(name = "list", description = "Alerts firing now, then the newest resolved ones, and where alerts are sent.")
    int list(@Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "How many of the newest alerts, 1 to 1000.") int limit) {
        JsonNode overview = root.api().get("api/v1/alerts?limit=" + limit, null);
        root.print(overview, out -> {
            JsonNode receivers = overview.path("receivers");
            out.println(receivers.isEmpty() ? "no receiver configured (sluice.alerts.webhook-urls, sluice.alerts.slack-urls): alerts are only shown"
                    : "sent to " + String.join(", ", text(receivers)));
            if (overview.path("history").isEmpty()) {
                out.println("no alert yet");
                return;
            }
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode a : overview.path("history")) {
                rows.add(List.of(field(a, "id"), a.path("resolvedAt").isNull() ? "firing" : "resolved", field(a, "kind"), field(a, "subject"),
                        field(a, "startedAt"), a.path("silencedBy").isNull() ? "" : "silenced by " + field(a, "silencedBy")));
            }
            Text.table(out, List.of("ID", "STATE", "KIND", "SUBJECT", "SINCE", ""), rows);
        });
        return ExitCode.OK;
    }

    @Command(name = "show", description = "One alert: what was wrong, when, and whether it was sent.")
    int show(@Parameters(paramLabel = "ID") long id) {
        JsonNode a = root.api().get("api/v1/alerts/" + id, HINT);
        root.print(a, out -> Text.fields(out, List.of(pair("id", field(a, "id")), pair("kind", field(a, "kind")), pair("subject", field(a, "subject")),
                pair("state", a.path("resolvedAt").isNull() ? "firing" : "resolved"), pair("since", field(a, "startedAt")),
                pair("resolved", field(a, "resolvedAt")), pair("sent", a.path("firingSent").asBoolean() ? "firing" + (a.path("resolvedSent").asBoolean()
                        ? ", resolved" : "") : "not yet"), pair("delivery error", field(a, "deliveryError")), pair("silenced by", field(a, "silencedBy")),
                pair("what", field(a, "summary")))));
        return ExitCode.OK;
    }

    @Command(name = "silence", description = "Holds back the sending of matching alerts for a time; they are still raised and listed.")
    int silence(@Option(names = "--kind", paramLabel = "KIND", description = "The kind (source-failed, source-held, sink-failing, freshness,"
                    + " dead-letters, target-lost, rule-failures, audit-drift); every kind when absent.") String kind,
            @Option(names = "--subject", paramLabel = "SUBJECT", description = "A source, sink, pipeline or rule, exactly or with *; every subject"
                    + " when absent.") String subject,
            @Option(names = "--minutes", required = true, paramLabel = "N", description = "How long, 1 to 43200 (30 days).") int minutes,
            @Option(names = "--comment", paramLabel = "TEXT", description = "Why, for whoever looks at the alerts page.") String comment) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", kind);
        body.put("subject", subject);
        body.put("minutes", minutes);
        body.put("comment", comment);
        JsonNode s = root.api().post("api/v1/alerts/silences", body, null);
        root.print(s, out -> out.println("silence " + field(s, "id") + ": alerts of " + (kind == null ? "every kind" : "kind " + kind) + " about "
                + (subject == null ? "anything" : subject) + " are not sent until " + field(s, "endsAt") + " (`sluice alerts unsilence "
                + field(s, "id") + "` ends it)"));
        return ExitCode.OK;
    }

    @Command(name = "silences", description = "Silences that have not ended.")
    int silences() {
        JsonNode silences = root.api().get("api/v1/alerts/silences", null);
        root.print(silences, out -> {
            if (silences.isEmpty()) {
                out.println("no silence");
                return;
            }
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode s : silences) {
                rows.add(List.of(field(s, "id"), s.path("kind").isNull() ? "*" : field(s, "kind"), s.path("subject").isNull() ? "*" : field(s, "subject"),
                        field(s, "endsAt"), field(s, "createdBy"), s.path("comment").asText("")));
            }
            Text.table(out, List.of("ID", "KIND", "SUBJECT", "UNTIL", "BY", "WHY"), rows);
        });
        return ExitCode.OK;
    }

    @Command(name = "unsilence", description = "Ends a silence now; alerts it held back that still fire are sent.")
    int unsilence(@Parameters(paramLabel = "ID") long id) {
        root.api().send("DELETE", "api/v1/alerts/silences/" + id, null, HINT);
        if (!root.json()) {
            root.out().println("silence " + id + " ended");
        }
        return ExitCode.OK;
    }

    private static List<String> text(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
