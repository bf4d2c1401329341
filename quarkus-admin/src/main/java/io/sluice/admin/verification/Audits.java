package io.sluice.admin.verification;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.sluice.admin.activity.ActivityLog;
import io.sluice.admin.backfill.TableSchemas;
import io.sluice.admin.error.InvalidRequestException;
import io.sluice.admin.error.NotFoundException;
import io.sluice.admin.error.Problem;
import io.sluice.admin.error.RequestRefusedException;
import io.sluice.admin.job.Schedulers;
import io.sluice.admin.leadership.Leadership;
import io.sluice.admin.pipeline.PipelineSpec;
import io.sluice.admin.pipeline.PipelineStore;
import io.sluice.admin.runtime.PipelineRuntime;
import io.sluice.admin.source.SourceDatabase;
import io.sluice.admin.source.SourceStore;
import io.sluice.backfill.BackfillException;
import io.sluice.backfill.Verifier;
import io.sluice.capture.SourceConfig;
import io.sluice.event.TableId;
import io.sluice.metadata.MetadataDb;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Continuous audits: per pipeline, a sampled verification every few minutes of each of its tables against each of its
 * sinks, a rolling range of the key space at a time, under the tables' data contracts; drift goes to the source's
 * timeline and to the {@code sluice_audit_drift} gauge, and is repaired when the audit says so. Audits run one at a
 * time on a thread of their own; {@link #runNow} runs one on the caller's.
 */
@ApplicationScoped
public class Audits {
    private static final Logger LOG = Logger.getLogger(Audits.class);
    /** How often due audits are looked for. */
    private static final Duration TICK = Duration.ofSeconds(15);
    private static final TypeReference<Map<String, List<Object>>> POSITIONS = new TypeReference<>() {
    };
    private static final TypeReference<List<Audit.Result>> RESULTS = new TypeReference<>() {
    };

    @Inject
    MetadataDb db;

    @Inject
    PipelineStore pipelines;

    @Inject
    SourceStore sources;

    @Inject
    PipelineRuntime runtime;

    @Inject
    TableSchemas schemas;

    @Inject
    Verifications verifications;

    @Inject
    ActivityLog activity;

    @Inject
    MeterRegistry meters;

    @Inject
    ObjectMapper json;

    @Inject
    Clock clock;

    @Inject
    Leadership leadership;

    private final Set<String> gauges = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> drift = new ConcurrentHashMap<>();
    private ScheduledExecutorService scheduler;

    void start(@Observes StartupEvent event) {
        scheduler = Schedulers.daemon("sluice-audits", 1);
        scheduler.scheduleWithFixedDelay(this::runDue, TICK.toSeconds(), TICK.toSeconds(), TimeUnit.SECONDS);
    }

    @PreDestroy
    void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    /**
     * Sets a pipeline's audit (replacing its settings; its rolling positions stay); it first runs one interval from now,
     * or at once with {@link #runNow}.
     *
     * @throws InvalidRequestException naming every setting out of range
     * @throws NotFoundException for an unknown pipeline
     */
    public Audit set(String pipeline, Integer intervalMinutes, Integer sampleRows, Boolean repair, String actor) {
        pipelines.get(pipeline);
        List<Problem> problems = new ArrayList<>();
        if (intervalMinutes == null || intervalMinutes < 1 || intervalMinutes > 1440) {
            problems.add(new Problem("intervalMinutes", (intervalMinutes == null ? "is missing" : "is " + intervalMinutes)
                    + "; an audit runs every 1 to 1440 minutes"));
        }
        if (sampleRows == null || sampleRows < 1 || sampleRows > 1_000_000) {
            problems.add(new Problem("sampleRows", (sampleRows == null ? "is missing" : "is " + sampleRows)
                    + "; an audit checks 1 to 1,000,000 rows of each table a run"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException("The audit's settings are invalid.", problems);
        }
        boolean fix = Boolean.TRUE.equals(repair);
        Timestamp now = Timestamp.from(clock.instant().plus(Duration.ofMinutes(intervalMinutes)));
        db.inTransaction(c -> {
            if (MetadataDb.update(c, "UPDATE audit SET interval_minutes = ?, sample_rows = ?, repair = ?, next_run_at = ? WHERE pipeline = ?",
                    intervalMinutes, sampleRows, fix, now, pipeline) == 0) {
                MetadataDb.update(c, "INSERT INTO audit (pipeline, interval_minutes, sample_rows, repair, created_by, next_run_at) VALUES"
                        + " (?, ?, ?, ?, ?, ?)", pipeline, intervalMinutes, sampleRows, fix, actor, now);
            }
            return null;
        });
        activity.record("pipeline:" + pipeline, actor, "audit set", "every " + intervalMinutes + " min, " + sampleRows + " rows per table"
                + (fix ? ", repairing" : ""));
        return get(pipeline);
    }

    /** @throws NotFoundException if the pipeline has no audit */
    public Audit get(String pipeline) {
        return db.find("SELECT * FROM audit WHERE pipeline = ?", this::row, pipeline)
                .orElseThrow(() -> new NotFoundException("Pipeline '" + pipeline + "' has no audit; set one with PUT /api/v1/audits/" + pipeline
                        + " or `sluice audits set " + pipeline + "`."));
    }

    public List<Audit> list() {
        return db.list("SELECT * FROM audit ORDER BY pipeline", this::row);
    }

    /** @throws NotFoundException if the pipeline has no audit */
    public void delete(String pipeline, String actor) {
        get(pipeline);
        db.update("DELETE FROM audit WHERE pipeline = ?", pipeline);
        activity.record("pipeline:" + pipeline, actor, "audit deleted", null);
    }

    /** Runs a pipeline's audit now, on the caller's thread, and returns it with the run's results. */
    public Audit runNow(String pipeline) {
        Audit audit = get(pipeline);
        synchronized (this) {
            run(audit, positions(pipeline));
        }
        return get(pipeline);
    }

    private void runDue() {
        if (!leadership.leads()) {
            return;
        }
        try {
            for (Audit audit : list()) {
                if (!audit.nextRunAt().isAfter(clock.instant())) {
                    synchronized (this) {
                        run(audit, positions(audit.pipeline()));
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.errorf("audits: %s", e.getMessage());
        }
    }

    private void run(Audit audit, Map<String, List<Object>> positions) {
        PipelineSpec spec;
        try {
            spec = pipelines.get(audit.pipeline());
        } catch (NotFoundException gone) {
            db.update("DELETE FROM audit WHERE pipeline = ?", audit.pipeline());
            return;
        }
        List<Audit.Result> results = new ArrayList<>();
        Map<String, List<Object>> next = new HashMap<>(positions);
        SourceConfig config = sources.runtimeConfig(spec.source());
        try (Connection c = SourceDatabase.connect(config)) {
            for (String qualified : SourceDatabase.tables(c, config, spec.tableFilter())) {
                TableId table = SourceDatabase.tableId(spec.source(), qualified);
                if (!schemas.registered(table)) {
                    continue;
                }
                for (String sink : spec.sinks()) {
                    results.add(compare(c, audit, config, table, sink, positions.get(qualified), next));
                }
            }
        } catch (SQLException e) {
            results.add(new Audit.Result(null, null, 0, 0, 0, 0, false, 0, "source '" + spec.source() + "' could not be read: "
                    + e.getMessage()));
        }
        Instant now = clock.instant();
        db.update("UPDATE audit SET positions = ?, last_run_at = ?, last_results = ?, next_run_at = ? WHERE pipeline = ?", write(next),
                Timestamp.from(now), write(results), Timestamp.from(now.plus(Duration.ofMinutes(audit.intervalMinutes()))), audit.pipeline());
        report(spec, audit, results);
    }

    private Audit.Result compare(Connection c, Audit audit, SourceConfig config, TableId table, String sink, List<Object> after,
            Map<String, List<Object>> next) {
        String qualified = table.database() + "." + table.table();
        try {
            PipelineRuntime.Verifying stream = runtime.verifying(config.name());
            boolean repair = audit.repair() && stream.streams();
            Verifier verifier = verifications.verifier(config, table, null, sink, stream, stream.readable(sink), repair);
            Verifier.Range range = verifier.run(c, schemas.of(table), after, audit.sampleRows());
            next.put(qualified, range.lastKey());
            Verifier.Report r = range.report();
            return new Audit.Result(qualified, sink, r.rowsChecked(), r.missing(), r.stale(), r.extra(), r.extraChecked(), r.repaired(),
                    audit.repair() && !repair ? "not repaired: the source is not running, and a repair needs its stream" : null);
        } catch (RequestRefusedException | BackfillException e) {
            return new Audit.Result(qualified, sink, 0, 0, 0, 0, false, 0, e.getMessage());
        } catch (SQLException e) {
            return new Audit.Result(qualified, sink, 0, 0, 0, 0, false, 0, "the table could not be read: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Audit.Result(qualified, sink, 0, 0, 0, 0, false, 0, "interrupted: the server is stopping");
        }
    }

    /** The run's drift on the source's timeline and in the gauges. */
    private void report(PipelineSpec spec, Audit audit, List<Audit.Result> results) {
        Map<String, Long> bySink = new HashMap<>();
        List<String> found = new ArrayList<>();
        for (Audit.Result r : results) {
            if (r.sink() != null) {
                bySink.merge(r.sink(), r.drift(), Long::sum);
            }
            if (r.drift() > 0) {
                found.add(r.table() + " in " + r.sink() + ": " + r.missing() + " missing, " + r.stale() + " stale, " + r.extra() + " extra"
                        + (r.repaired() > 0 ? ", " + r.repaired() + " repaired" : ""));
            } else if (r.error() != null) {
                found.add((r.table() == null ? "" : r.table() + " in " + r.sink() + ": ") + r.error());
            }
        }
        if (!found.isEmpty()) {
            activity.record("source:" + spec.source(), ActivityLog.SYSTEM, "audit found drift", "pipeline " + spec.name() + ": " + String.join("; ",
                    found));
        }
        bySink.forEach((sink, n) -> {
            String key = spec.name() + "\u0000" + sink;
            drift.put(key, n);
            if (gauges.add(key)) {
                Gauge.builder("sluice.audit.drift", drift, d -> d.getOrDefault(key, 0L)).tags("pipeline", spec.name(), "sink", sink)
                        .description("Documents the pipeline's last audit found different from the tables (missing, stale, extra)")
                        .register(meters);
            }
        });
    }

    private Map<String, List<Object>> positions(String pipeline) {
        return db.find("SELECT COALESCE(positions, '{}') FROM audit WHERE pipeline = ?", rs -> rs.getString(1), pipeline).map(text -> {
            try {
                return json.readValue(text, POSITIONS);
            } catch (JsonProcessingException e) {
                return Map.<String, List<Object>>of(); // unreadable positions: start over
            }
        }).orElse(Map.of());
    }

    private Audit row(ResultSet rs) throws SQLException {
        Timestamp last = rs.getTimestamp("last_run_at");
        String results = rs.getString("last_results");
        List<Audit.Result> parsed;
        try {
            parsed = results == null ? List.of() : json.readValue(results, RESULTS);
        } catch (JsonProcessingException e) {
            parsed = List.of();
        }
        return new Audit(rs.getString("pipeline"), rs.getInt("interval_minutes"), rs.getInt("sample_rows"), rs.getBoolean("repair"),
                rs.getString("created_by"), rs.getTimestamp("next_run_at").toInstant(), last == null ? null : last.toInstant(), parsed);
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
