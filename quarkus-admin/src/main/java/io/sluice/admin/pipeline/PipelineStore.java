package io.sluice.admin.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.admin.error.ConflictException;
import io.sluice.admin.error.InvalidRequestException;
import io.sluice.admin.error.NotFoundException;
import io.sluice.admin.error.Problem;
import io.sluice.metadata.MetadataDb;
import io.sluice.admin.sink.SinkStore;
import io.sluice.admin.source.SourceStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/** Pipelines in the metadata database. Thread-safe. */
@ApplicationScoped
public class PipelineStore {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    MetadataDb db;

    @Inject
    SourceStore sources;

    @Inject
    SinkStore sinks;

    @Inject
    Clock clock;

    /**
     * Validates and stores a new pipeline.
     *
     * @throws InvalidRequestException naming each bad field (all at once), ConflictException if the name is taken
     */
    public PipelineSpec create(PipelineSpec spec) {
        validate(spec, true);
        return db.inTransaction(c -> {
            if (find(spec.name()).isPresent()) {
                throw new ConflictException("conflict", "A pipeline named '" + spec.name() + "' exists already; pick another"
                        + " name or update that pipeline.");
            }
            Timestamp now = Timestamp.from(clock.instant());
            MetadataDb.update(c, "INSERT INTO pipeline (name, source, tables, sinks, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                    spec.name(), spec.source(), json(spec.tables()), json(spec.sinks()), now, now);
            return spec;
        });
    }

    /** @throws NotFoundException, InvalidRequestException */
    public PipelineSpec update(PipelineSpec spec) {
        validate(spec, false);
        get(spec.name());
        db.update("UPDATE pipeline SET source = ?, tables = ?, sinks = ?, updated_at = ? WHERE name = ?",
                spec.source(), json(spec.tables()), json(spec.sinks()), Timestamp.from(clock.instant()), spec.name());
        return spec;
    }

    private void validate(PipelineSpec spec, boolean creating) {
        List<Problem> problems = new ArrayList<>(spec.problems());
        if (spec.source() != null && sources.find(spec.source()).isEmpty()) {
            problems.add(new Problem("source", "names no registered source ('" + spec.source() + "'); GET /api/v1/sources lists them"));
        }
        if (spec.sinks() != null) {
            for (String sink : spec.sinks()) {
                if (sinks.find(sink).isEmpty()) {
                    problems.add(new Problem("sinks", "names no registered sink ('" + sink + "'); GET /api/v1/sinks lists them"));
                }
            }
            if (new LinkedHashSet<>(spec.sinks()).size() != spec.sinks().size()) {
                problems.add(new Problem("sinks", "lists a sink twice"));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException("The pipeline has " + problems.size() + " problem"
                    + (problems.size() == 1 ? "" : "s") + "; each detail names the field and what is allowed.", problems);
        }
    }

    public List<PipelineSpec> list() {
        return db.list("SELECT name, source, tables, sinks FROM pipeline ORDER BY name", PipelineStore::spec);
    }

    public List<PipelineSpec> ofSource(String source) {
        return db.list("SELECT name, source, tables, sinks FROM pipeline WHERE source = ? ORDER BY name", PipelineStore::spec, source);
    }

    /** Names of the pipelines writing to a sink. */
    public List<String> usingSink(String sink) {
        return writingTo(sink).stream().map(PipelineSpec::name).toList();
    }

    /** The pipelines writing to a sink, by name. */
    public List<PipelineSpec> writingTo(String sink) {
        return list().stream().filter(p -> p.sinks().contains(sink)).toList();
    }

    public Optional<PipelineSpec> find(String name) {
        return db.find("SELECT name, source, tables, sinks FROM pipeline WHERE name = ?", PipelineStore::spec, name);
    }

    /** @throws NotFoundException */
    public PipelineSpec get(String name) {
        return find(name).orElseThrow(() -> new NotFoundException("No pipeline named '" + name
                + "'; GET /api/v1/pipelines lists them."));
    }

    /** @throws NotFoundException */
    public PipelineSpec delete(String name) {
        PipelineSpec spec = get(name);
        db.update("DELETE FROM pipeline WHERE name = ?", name);
        return spec;
    }

    private static PipelineSpec spec(ResultSet rs) throws SQLException {
        return new PipelineSpec(rs.getString(1), rs.getString(2), list(rs.getString(3)), list(rs.getString(4)));
    }

    private static String json(List<String> values) {
        try {
            return JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> list(String json) {
        try {
            return JSON.readValue(json, new TypeReference<List<String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored pipeline list is not JSON", e);
        }
    }
}
