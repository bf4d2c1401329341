package io.sluice.admin.alert;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What an alert is about; each kind names its subject one way ({@link #subject()}). A closed set. */
public enum AlertKind {
    /** A source stopped on an error that needs a person. */
    SOURCE_FAILED("source", "a source failed"),
    /** A source waits for a person's decision: a schema change under review, or a change a quality rule held. */
    SOURCE_HELD("source", "a source is held for a decision"),
    /** A sink has been failing (and holding its sources) for longer than {@code sluice.alerts.sink-failing-for}. */
    SINK_FAILING("sink", "a sink keeps failing"),
    /** A sink's freshness p99 stayed over {@code sluice.alerts.freshness-threshold} for {@code sluice.alerts.freshness-for}. */
    FRESHNESS("source/sink", "changes take too long to reach a target"),
    /** A sink has new dead letters. */
    DEAD_LETTERS("sink", "dead letters are growing"),
    /** A sink's target lost its data; resolved when the recoveries it started have succeeded. */
    TARGET_LOST("sink", "a target lost its data"),
    /** Changes fail a data-contract rule. */
    RULE_FAILURES("source.database.table/rule", "changes fail a quality rule"),
    /** A pipeline's last audit found documents that differ from the source. */
    AUDIT_DRIFT("pipeline", "an audit found drift");

    private final String subject;
    private final String description;

    AlertKind(String subject, String description) {
        this.subject = subject;
        this.description = description;
    }

    /** The lower-case name the API uses, {@code source-failed}. */
    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** What the subject of an alert of this kind names, for example {@code sink}. */
    public String subject() {
        return subject;
    }

    /** What it means, in a few words. */
    public String description() {
        return description;
    }

    /** The kind {@code label} names, if any ({@code source-failed} or {@code SOURCE_FAILED}). */
    public static Optional<AlertKind> find(String label) {
        return label == null ? Optional.empty() : Arrays.stream(values())
                .filter(k -> k.label().equals(label.trim().toLowerCase(Locale.ROOT).replace('_', '-'))).findFirst();
    }

    /** For JSON bodies: an unknown kind is null, which validation then names. */
    @JsonCreator
    static AlertKind fromJson(String label) {
        return find(label).orElse(null);
    }
}
