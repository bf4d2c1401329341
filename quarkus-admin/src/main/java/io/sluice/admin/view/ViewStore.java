package io.sluice.admin.view;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.sluice.admin.error.ConflictException;
import io.sluice.admin.error.NotFoundException;
import io.sluice.metadata.MetadataDb;
import io.sluice.view.ViewDefinition;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** Views in the metadata database, each definition as the JSON a person gave (validated before it is stored). Thread-safe. */
@ApplicationScoped
public class ViewStore {
    static final ObjectMapper JSON = JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    @Inject
    MetadataDb db;

    @Inject
    Clock clock;

    /** @throws ConflictException if the name is taken */
    public void create(ViewDefinition view, String actor) {
        Timestamp now = Timestamp.from(clock.instant());
        db.inTransaction(c -> {
            if (MetadataDb.find(c, "SELECT 1 FROM view_def WHERE name = ?", rs -> true, view.name()).isPresent()) {
                throw new ConflictException("conflict", "A view named '" + view.name() + "' exists already; pick another name or update"
                        + " that view (PUT /api/v1/views/" + view.name() + ").");
            }
            return MetadataDb.update(c, "INSERT INTO view_def (name, pipeline, definition, created_by, created_at, updated_at) VALUES (?, ?,"
                    + " ?, ?, ?, ?)", view.name(), view.pipeline(), json(view), actor, now, now);
        });
    }

    /** @throws NotFoundException for an unknown view */
    public void update(ViewDefinition view) {
        if (db.update("UPDATE view_def SET pipeline = ?, definition = ?, updated_at = ? WHERE name = ?", view.pipeline(), json(view),
                Timestamp.from(clock.instant()), view.name()) == 0) {
            throw notFound(view.name());
        }
    }

    public List<ViewDefinition> list() {
        return db.list("SELECT definition FROM view_def ORDER BY name", ViewStore::definition);
    }

    /** The views of a pipeline, by name. */
    public List<ViewDefinition> ofPipeline(String pipeline) {
        return db.list("SELECT definition FROM view_def WHERE pipeline = ? ORDER BY name", ViewStore::definition, pipeline);
    }

    public Optional<ViewDefinition> find(String name) {
        return db.find("SELECT definition FROM view_def WHERE name = ?", ViewStore::definition, name);
    }

    /** @throws NotFoundException for an unknown view */
    public ViewDefinition get(String name) {
        return find(name).orElseThrow(() -> notFound(name));
    }

    /** @throws NotFoundException for an unknown view */
    public void delete(String name) {
        if (db.update("DELETE FROM view_def WHERE name = ?", name) == 0) {
            throw notFound(name);
        }
    }

    static NotFoundException notFound(String name) {
        return new NotFoundException("No view named '" + name + "'; GET /api/v1/views lists them.");
    }

    private static String json(ViewDefinition view) {
        try {
            return JSON.writeValueAsString(view);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a view definition is plain data", e);
        }
    }

    private static ViewDefinition definition(ResultSet rs) throws SQLException {
        try {
            return JSON.readValue(rs.getString(1), ViewDefinition.class);
        } catch (JsonProcessingException e) {
            throw new SQLException("a stored view definition is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
