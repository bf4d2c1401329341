package io.sluice.admin.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.sluice.admin.SluiceConfig;
import io.sluice.admin.contract.RuleHolds;
import io.sluice.admin.error.InvalidRequestException;
import io.sluice.admin.error.Problem;
import io.sluice.admin.job.Schedulers;
import io.sluice.admin.leadership.Leadership;
import io.sluice.admin.pipeline.PipelineSpec;
import io.sluice.admin.pipeline.PipelineStore;
import io.sluice.admin.recovery.Recovery;
import io.sluice.admin.recovery.RecoveryStore;
import io.sluice.admin.runtime.PipelineRuntime;
import io.sluice.admin.source.SourceMonitor;
import io.sluice.admin.source.SourceNotice;
import io.sluice.admin.source.SourceStatus;
import io.sluice.admin.verification.Audits;
import io.sluice.contract.ContractCheck;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The server's own alerts: every {@code sluice.alerts.check-interval} the {@link AlertRules} say which conditions
 * hold; a new one opens an alert, one that stopped holding resolves it. Each alert is sent to the receivers once as
 * firing (unless a silence holds it back) and, if it was, once as resolved. Alerts and silences live in the metadata
 * database, so a restarted server keeps its history and sends what it had not sent yet.
 *
 * <p>Thread-safe: checks run on one thread of their own; the API's methods may be called from any.
 */
@ApplicationScoped
public class Alerts {
    private static final Logger LOG = Logger.getLogger(Alerts.class);
    /** The longest silence. */
    static final Duration LONGEST_SILENCE = Duration.ofDays(30);

    @Inject
    SluiceConfig config;

    @Inject
    AlertStore store;

    @Inject
    SourceMonitor monitor;

    @Inject
    PipelineRuntime runtime;

    @Inject
    Audits audits;

    @Inject
    RuleHolds ruleHolds;

    @Inject
    PipelineStore pipelines;

    @Inject
    RecoveryStore recoveries;

    @Inject
    ObjectMapper json;

    @Inject
    Clock clock;

    @Inject
    Leadership leadership;

    /** Sinks whose target lost its data, with when; until the recoveries it started have succeeded. */
    private final Map<String, Instant> lostTargets = new ConcurrentHashMap<>();
    /** Deliveries under way, {@code <id>:firing} or {@code <id>:resolved}, so that a check does not send them twice. */
    private final Set<String> sending = ConcurrentHashMap.newKeySet();
    private AlertRules rules;
    private AlertDelivery delivery;
    private ScheduledExecutorService checks;
    private ScheduledExecutorService senders;

    /** Refuses a configuration with bad receivers or settings, every problem in one line; then starts the checks. */
    void boot(@Observes @Priority(40) StartupEvent event) {
        SluiceConfig.Alerts a = config.alerts();
        List<String> problems = new ArrayList<>();
        List<Receiver> receivers = new ArrayList<>();
        receivers(a.webhookUrls(), "sluice.alerts.webhook-urls", Receiver.Format.JSON, receivers, problems);
        receivers(a.slackUrls(), "sluice.alerts.slack-urls", Receiver.Format.SLACK, receivers, problems);
        positive(a.checkInterval(), "sluice.alerts.check-interval", problems);
        positive(a.retryBackoff(), "sluice.alerts.retry-backoff", problems);
        if (a.deliveryAttempts() < 1 || a.deliveryAttempts() > 100) {
            problems.add("sluice.alerts.delivery-attempts is " + a.deliveryAttempts() + "; expected 1 to 100");
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException("Sluice cannot start: " + String.join("; ", problems) + ".");
        }
        rules = new AlertRules(new AlertRules.Settings(a.sourceFailedFor(), a.freshnessThreshold(), a.freshnessFor(), a.sinkFailingFor(), a.quietFor()), clock);
        checks = Schedulers.daemon("sluice-alerts", 1);
        senders = Schedulers.daemon("sluice-alert-delivery", 2);
        delivery = new AlertDelivery(receivers, a.deliveryAttempts(), a.retryBackoff(), senders, json);
        LOG.infof("alerts: checked every %s, sent to %s", a.checkInterval(), receivers.isEmpty() ? "no receiver (see sluice.alerts.*)"
                : receivers.stream().map(Receiver::describe).collect(Collectors.joining(", ")));
        checks.scheduleWithFixedDelay(this::check, a.checkInterval().toMillis(), a.checkInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    void shutdown(@Observes @Priority(5) ShutdownEvent event) {
        if (checks != null) {
            checks.shutdownNow();
            senders.shutdownNow();
        }
    }

    /** Keeps the loss until the recoveries it starts have succeeded; called on the thread that found it, so quick. */
    void targetLost(@Observes SourceNotice.TargetLost notice) {
        lostTargets.putIfAbsent(notice.loss().sink(), clock.instant());
    }

    /** The receivers, as they may be shown: format and host only. */
    public List<String> receivers() {
        return delivery == null ? List.of() : delivery.receivers().stream().map(Receiver::describe).toList();
    }

    /** The newest alerts first, open and resolved, each with the silence holding it back now, if any. */
    public List<Alert> history(int limit) {
        List<Silence> silences = store.silences(clock.instant());
        return store.history(limit).stream().map(alert -> withSilence(alert, silences)).toList();
    }

    /** @throws io.sluice.admin.error.NotFoundException naming the id */
    public Alert get(long id) {
        return withSilence(store.get(id), store.silences(clock.instant()));
    }

    /** Silences that have not ended, newest first. */
    public List<Silence> silences() {
        return store.silences(clock.instant());
    }

    /**
     * Holds back the alerts of {@code kind} (any when null) about {@code subject} (any when null; {@code *} matches any
     * characters) for {@code minutes}.
     *
     * @throws InvalidRequestException naming every problem at once
     */
    public Silence silence(String kind, String subject, Integer minutes, String comment, String actor) {
        List<Problem> problems = new ArrayList<>();
        AlertKind k = null;
        if (kind != null && !kind.isBlank()) {
            k = AlertKind.find(kind).orElse(null);
            if (k == null) {
                problems.add(new Problem("kind", "'" + kind + "' is not an alert kind; expected one of " + Arrays.stream(AlertKind.values())
                        .map(AlertKind::label).collect(Collectors.joining(", ")) + ", or none for every kind"));
            }
        }
        String s = subject == null || subject.isBlank() ? null : subject.trim();
        if (s != null && s.length() > 255) {
            problems.add(new Problem("subject", "is " + s.length() + " characters; at most 255"));
        }
        if (minutes == null || minutes < 1 || minutes > LONGEST_SILENCE.toMinutes()) {
            problems.add(new Problem("minutes", (minutes == null ? "is missing" : "is " + minutes) + "; expected 1 to " + LONGEST_SILENCE.toMinutes()
                    + " (30 days)"));
        }
        if (comment != null && comment.length() > 500) {
            problems.add(new Problem("comment", "is " + comment.length() + " characters; at most 500"));
        }
        if (!problems.isEmpty()) {
            throw InvalidRequestException.of("The silence", problems);
        }
        Instant now = clock.instant();
        Silence silence = store.addSilence(k, s, now.plus(Duration.ofMinutes(minutes)), comment == null || comment.isBlank() ? null : comment.trim(),
                actor, now);
        LOG.infof("alerts of kind %s about %s silenced until %s by %s", k == null ? "any" : k.label(), s == null ? "anything" : s,
                silence.endsAt(), actor);
        return silence;
    }

    /** Ends a silence now; alerts it held back that are still open are sent at the next check. */
    public void endSilence(long id, String actor) {
        store.endSilence(id, clock.instant());
        LOG.infof("silence %d ended by %s", id, actor);
    }

    private void check() {
        if (!leadership.leads()) {
            return; // the leader raises them
        }
        try {
            Instant now = clock.instant();
            Map<String, ContractCheck.Counts> ruleTotals = new HashMap<>();
            // One look of the monitor for both: statuses and rule totals of the same sources.
            Map<String, SourceStatus> statuses = Map.copyOf(monitor.snapshot());
            for (String source : statuses.keySet()) {
                ruleTotals.putAll(runtime.ruleCounts(source));
            }
            List<AlertCondition> holding = new ArrayList<>(rules.check(statuses.values(), ruleHolds.all().keySet(), ruleTotals,
                    audits.list()));
            holding.addAll(lostTargets());
            Map<String, AlertCondition> byKey = holding.stream().collect(Collectors.toMap(AlertCondition::key, Function.identity(), (x, y) -> x));
            for (Alert open : store.open()) {
                AlertCondition still = byKey.remove(new AlertCondition(open.kind(), open.subject(), open.summary()).key());
                if (still == null) {
                    store.resolve(open.id(), now);
                    LOG.infof("alert %d resolved: %s %s", open.id(), open.kind().label(), open.subject());
                } else if (!still.summary().equals(open.summary())) {
                    store.summary(open.id(), still.summary());
                }
            }
            for (AlertCondition fresh : byKey.values()) {
                Alert alert = store.open(fresh, now);
                LOG.warnf("alert %d fired: %s %s: %s", alert.id(), alert.kind().label(), alert.subject(), alert.summary());
            }
            List<Silence> silences = store.silences(now);
            for (Alert alert : store.open()) {
                if (!alert.firingSent() && withSilence(alert, silences).silencedBy() == null) {
                    send(alert);
                }
            }
            store.resolvedUnsent().forEach(this::send);
        } catch (RuntimeException e) {
            LOG.warnf("alert check failed: %s", e.toString());
        }
    }

    private void send(Alert alert) {
        boolean resolved = !alert.open();
        String key = alert.id() + (resolved ? ":resolved" : ":firing");
        if (!sending.add(key)) {
            return;
        }
        delivery.send(alert, (ok, error) -> {
            try {
                store.sent(alert.id(), resolved);
                if (!ok) {
                    store.deliveryFailed(alert.id(), error);
                }
            } finally {
                sending.remove(key);
            }
        });
    }

    /** Target losses whose recoveries have not all succeeded yet; those that have are forgotten. */
    private List<AlertCondition> lostTargets() {
        List<AlertCondition> holding = new ArrayList<>();
        lostTargets.forEach((sink, at) -> {
            Set<String> sources = new TreeSet<>(pipelines.writingTo(sink).stream().map(PipelineSpec::source).toList());
            Set<String> waiting = new TreeSet<>();
            for (String source : sources) {
                Optional<RecoveryStore.Stored> latest = recoveries.latest(source);
                boolean recovered = latest.isPresent() && !latest.get().createdAt().isBefore(at.minusSeconds(5))
                        && latest.get().state() == Recovery.State.SUCCEEDED;
                if (!recovered) {
                    waiting.add(source);
                }
            }
            if (waiting.isEmpty()) {
                lostTargets.remove(sink);
            } else {
                holding.add(new AlertCondition(AlertKind.TARGET_LOST, sink, "The target of sink '" + sink + "' lost its data at " + at
                        + "; documents written before may be missing. Sources " + waiting + " are verified and repaired against it; this"
                        + " alert resolves when their recoveries have succeeded (a failed one: see the source's page)."));
            }
        });
        return holding;
    }

    private Alert withSilence(Alert alert, List<Silence> silences) {
        Instant now = clock.instant();
        return alert.silenced(silences.stream().filter(s -> s.matches(alert.kind(), alert.subject(), now)).map(Silence::id).findFirst().orElse(null));
    }

    private static void receivers(Optional<List<String>> urls, String key, Receiver.Format format, List<Receiver> into, List<String> problems) {
        List<String> given = urls.orElse(List.of());
        for (int i = 0; i < given.size(); i++) {
            String url = given.get(i).trim();
            try {
                URI uri = new URI(url);
                if (uri.getScheme() == null || !uri.getScheme().matches("(?i)https?") || uri.getHost() == null) {
                    problems.add(key + "[" + i + "] is not an http or https URL with a host; expected for example https://hooks.example.com/sluice");
                } else {
                    into.add(new Receiver(format, uri));
                }
            } catch (URISyntaxException e) {
                problems.add(key + "[" + i + "] is not a URL (" + e.getReason() + " at character " + e.getIndex() + ")");
            }
        }
    }

    private static void positive(Duration d, String key, List<String> problems) {
        if (d.isNegative() || d.isZero()) {
            problems.add(key + " is " + d + "; expected a positive duration such as 5s");
        }
    }
}
