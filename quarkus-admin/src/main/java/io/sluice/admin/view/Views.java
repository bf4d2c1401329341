package io.sluice.admin.view;

import io.sluice.admin.activity.ActivityLog;
import io.sluice.admin.backfill.TableSchemas;
import io.sluice.admin.error.ConflictException;
import io.sluice.admin.error.InvalidRequestException;
import io.sluice.admin.error.NotFoundException;
import io.sluice.admin.error.Problem;
import io.sluice.admin.pipeline.PipelineSpec;
import io.sluice.admin.pipeline.PipelineStore;
import io.sluice.admin.runtime.PipelineRuntime;
import io.sluice.admin.source.SourceControl;
import io.sluice.admin.source.SourceDatabase;
import io.sluice.admin.source.SourceStore;
import io.sluice.backfill.BinlogPoint;
import io.sluice.backfill.ChunkReader;
import io.sluice.capture.SourceConfig;
import io.sluice.event.EventVersion;
import io.sluice.event.SourcePosition;
import io.sluice.sink.DocumentMapper;
import io.sluice.sink.TableMapping;
import io.sluice.view.Catalog;
import io.sluice.view.CompiledView;
import io.sluice.view.InvalidViewException;
import io.sluice.view.KeyValues;
import io.sluice.view.Relation;
import io.sluice.view.ViewDefinition;
import io.sluice.view.ViewNode;
import io.sluice.view.ViewReader;
import io.sluice.view.ViewStatus;
import io.sluice.view.ViewValidator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;

/**
 * Document views: validated as a whole against the pipeline's source before anything is stored, then run by the
 * runtime with the source's capture (a change of a view restarts that source's worker, which rebuilds every
 * document from the source as its snapshot or stream reaches the view's rows). Thread-safe: changes are serialized.
 */
@ApplicationScoped
public class Views {
    /** How many documents a preview shows at most. */
    static final int PREVIEW_MAX = 20;
    private static final TableMapping AS_IS = TableMapping.defaults("{table}");

    @Inject
    ViewStore store;

    @Inject
    PipelineStore pipelines;

    @Inject
    SourceStore sources;

    @Inject
    SourceControl control;

    @Inject
    PipelineRuntime runtime;

    @Inject
    TableSchemas schemas;

    @Inject
    ActivityLog activity;

    @Inject
    ViewRebuildStore rebuilds;

    @Inject
    Clock clock;

    /** A stored view compiled against its source's tables as they are now. */
    public record Compiled(ViewDefinition definition, CompiledView view) {
    }

    /** A view with what it did since its source's worker started, when the worker runs. */
    public record View(ViewDefinition definition, String source, Optional<ViewStatus> status) {
    }

    /**
     * Validates and stores a view, and restarts its source so that its worker builds the view's documents.
     *
     * @throws InvalidRequestException naming every problem of the definition at once
     * @throws ConflictException if the name is taken, or the runtime cannot run views
     */
    public synchronized View create(ViewDefinition view, String actor) {
        String source = validate(view).source();
        store.create(view, actor);
        activity.record("view:" + view.name(), actor, "created", "pipeline " + view.pipeline() + ", root " + view.root());
        control.reconfigure(Set.of(source), Set.of(), actor, "view created");
        rebuildEverything(source, view.name(), actor);
        return get(view.name());
    }

    /**
     * Replaces a view's definition; its documents are rebuilt.
     *
     * @throws NotFoundException for an unknown view
     * @throws InvalidRequestException naming every problem at once, or if the body renames the view
     */
    public synchronized View update(String name, ViewDefinition view, String actor) {
        ViewDefinition old = store.get(name);
        if (view.name() != null && !view.name().equals(name)) {
            throw InvalidRequestException.of("name", "must equal the name in the path ('" + name + "'); a view cannot be renamed");
        }
        ViewDefinition named = new ViewDefinition(name, view.pipeline(), view.root(), view.columns(), view.rename(), view.relations());
        String source = validate(named).source();
        store.update(named);
        activity.record("view:" + name, actor, "updated", "pipeline " + named.pipeline() + ", root " + named.root());
        Set<String> touched = new LinkedHashSet<>(List.of(source));
        pipelines.find(old.pipeline()).ifPresent(p -> touched.add(p.source()));
        control.reconfigure(touched, Set.of(), actor, "view updated");
        rebuildEverything(source, name, actor);
        return get(name);
    }

    /**
     * Rebuilds every document of a view in the background, from the source as it is now: how a view's new or emptied
     * target is filled.
     *
     * @return the rebuild's id
     * @throws NotFoundException for an unknown view
     * @throws ConflictException if the source cannot be read
     */
    public long rebuild(String name, String actor) {
        View view = get(name);
        if (view.source() == null) {
            throw new ConflictException("no_pipeline", "The pipeline of view '" + name + "' does not exist any more; update the view.");
        }
        return rebuildEverything(view.source(), name, actor);
    }

    /** Deletes a view; its documents stay in the sinks. @throws NotFoundException for an unknown view */
    public synchronized void delete(String name, String actor) {
        ViewDefinition old = store.get(name);
        store.delete(name);
        activity.record("view:" + name, actor, "deleted", null);
        pipelines.find(old.pipeline()).ifPresent(p -> control.reconfigure(Set.of(p.source()), Set.of(), actor, "view deleted"));
    }

    public List<View> list() {
        return store.list().stream().map(this::view).toList();
    }

    /** @throws NotFoundException for an unknown view */
    public View get(String name) {
        return view(store.get(name));
    }

    /**
     * A stored view compiled against its source's tables and their registered schemas as they are now.
     *
     * @throws NotFoundException for an unknown view
     * @throws InvalidRequestException if the view does not fit the tables any more
     * @throws ConflictException if a table of the view has no registered schema yet
     */
    public Compiled compiled(String name) {
        ViewDefinition definition = store.get(name);
        return new Compiled(definition, compile(definition, validate(definition)));
    }

    private CompiledView compile(ViewDefinition view, Validated v) {
        Optional<CompiledView> compiled;
        try {
            compiled = CompiledView.compile(view, v.root(), schemas::value);
        } catch (InvalidViewException e) {
            throw new InvalidRequestException(e.getMessage(), e.problems().stream().map(p -> new Problem(p.path(), p.message())).toList());
        }
        return compiled.orElseThrow(() -> new ConflictException("no_schema",
                "Tables " + CompiledView.missingSchemas(v.root(), schemas::value) + " of view '" + view.name() + "' have no registered"
                        + " schema yet: capture registers a table's schema with its first change. Change a row of each, or let the"
                        + " source's snapshot reach them, then try again."));
    }

    /**
     * Documents the view would build now, from the source's current rows, without storing anything.
     *
     * @param keys root keys to build, each its values in primary-key order; empty for the first rows of the root table
     * @throws InvalidRequestException naming every problem of the definition at once
     * @throws ConflictException if a table of the view has no registered schema yet
     */
    public List<Map<String, Object>> preview(ViewDefinition view, List<List<Object>> keys, int limit) {
        Validated v = validate(view);
        CompiledView compiled = compile(view, v);
        List<String> keyColumns = v.root().keyColumns();
        for (int i = 0; i < keys.size(); i++) {
            if (keys.get(i) == null || keys.get(i).size() != keyColumns.size() || keys.get(i).contains(null)) {
                throw InvalidRequestException.of("keys[" + i + "]", "is " + keys.get(i) + "; each key of " + view.root() + " is "
                        + keyColumns.size() + " value(s), none null, in the order " + keyColumns);
            }
        }
        SourceConfig config = sources.runtimeConfig(v.source());
        try (Connection c = SourceDatabase.connect(config)) {
            List<List<Object>> wanted = keys.isEmpty() ? firstKeys(c, v.root(), Math.min(limit, PREVIEW_MAX)) : keys;
            Map<List<String>, List<Object>> byText = new LinkedHashMap<>();
            wanted.forEach(k -> byText.put(KeyValues.text(k), k));
            Map<List<String>, Optional<GenericRecord>> docs = ViewReader.read(compiled, c, byText.values());
            List<Map<String, Object>> out = new ArrayList<>();
            docs.values().forEach(d -> d.ifPresent(r -> out.add(DocumentMapper.document(r, AS_IS))));
            return out;
        } catch (SQLException e) {
            throw new ConflictException("source_unreachable", "Cannot read source '" + config.name() + "': " + e.getMessage() + ". Check"
                    + " that it is up and its user can SELECT the view's tables.");
        }
    }

    /**
     * The relations the source's foreign keys suggest for a table of a pipeline's source.
     *
     * @throws NotFoundException for an unknown pipeline
     */
    public List<Relation> suggestions(String pipeline, String table) {
        PipelineSpec p = pipelines.get(pipeline);
        SourceConfig config = sources.runtimeConfig(p.source());
        try (Connection c = SourceDatabase.connect(config)) {
            return ViewValidator.suggestions(Catalog.read(c, List.of(database(table))), table);
        } catch (SQLException e) {
            throw new ConflictException("source_unreachable", "Cannot read source '" + config.name() + "': " + e.getMessage() + ".");
        }
    }

    /**
     * Stores a rebuild of every document of a view. Its documents carry the version of the binlog's end noted before
     * the first read: each holds at least every change committed before that point, and any change after it has a
     * higher version, so the stream's own rebuilds of the same documents win over it.
     */
    private long rebuildEverything(String source, String view, String actor) {
        SourceConfig config = sources.runtimeConfig(source);
        try (Connection c = SourceDatabase.connect(config)) {
            BinlogPoint low = BinlogPoint.current(c);
            long version = EventVersion.of(config.versionEpoch(), EventVersion.fileNumber(low.file()), low.position(), 0, false);
            long id = rebuilds.createEverything(source, view, version, new SourcePosition(low.file(), low.position(), 0, null, 0, true),
                    clock.instant());
            activity.record("view:" + view, actor, "rebuild started", "rebuild " + id + ": every document, from the source as of "
                    + low.file() + ":" + low.position());
            return id;
        } catch (SQLException e) {
            throw new ConflictException("source_unreachable", "Cannot read source '" + source + "' to rebuild view '" + view + "': "
                    + e.getMessage() + ". Check that it is up; then rebuild it with POST /api/v1/views/" + view + "/rebuild.");
        }
    }

    private View view(ViewDefinition d) {
        Optional<PipelineSpec> p = pipelines.find(d.pipeline());
        String source = p.map(PipelineSpec::source).orElse(null);
        Optional<ViewStatus> status = Optional.empty();
        if (source != null) {
            try {
                status = runtime.views(source).stream().filter(s -> s.view().equals(d.name())).findFirst();
            } catch (ConflictException e) {
                status = Optional.empty(); // a runtime without views: the definition alone
            }
        }
        return new View(d, source, status);
    }

    /** A valid view's tree and the source it reads. */
    private record Validated(ViewNode root, String source) {
    }

    /**
     * Checks a definition as a whole: its pipeline, then its tables and columns against the source.
     *
     * @throws InvalidRequestException naming every problem at once
     * @throws ConflictException if the runtime cannot run views, or the source cannot be read
     */
    private Validated validate(ViewDefinition view) {
        Optional<PipelineSpec> pipeline = view.pipeline() == null ? Optional.empty() : pipelines.find(view.pipeline());
        if (pipeline.isEmpty()) {
            throw new InvalidRequestException("The view has a problem; the detail names the field and what is allowed.", List.of(
                    new Problem("pipeline", view.pipeline() == null ? "is missing: name the pipeline whose source and sinks the view"
                            + " uses" : "'" + view.pipeline() + "' is no pipeline (GET /api/v1/pipelines lists them)")));
        }
        String source = pipeline.get().source();
        runtime.views(source);
        SourceConfig config = sources.runtimeConfig(source);
        try (Connection c = SourceDatabase.connect(config)) {
            Catalog catalog = Catalog.read(c, view.databases());
            ViewNode root = ViewValidator.validate(view, source, catalog, t -> pipeline.get().tableFilter()
                    .test(SourceDatabase.tableId(source, t)));
            return new Validated(root, source);
        } catch (InvalidViewException e) {
            throw new InvalidRequestException(e.getMessage(), e.problems().stream().map(p -> new Problem(p.path(), p.message())).toList());
        } catch (SQLException e) {
            throw new ConflictException("source_unreachable", "Cannot read the tables of source '" + source + "': " + e.getMessage()
                    + ". Check that it is up and its user can read information_schema.");
        }
    }

    private static String database(String qualified) {
        return qualified.substring(0, Math.max(0, qualified.indexOf('.')));
    }

    private static List<List<Object>> firstKeys(Connection c, ViewNode root, int limit) throws SQLException {
        String key = String.join(", ", root.keyColumns().stream().map(ChunkReader::quote).toList());
        String sql = "SELECT " + key + " FROM " + ChunkReader.quote(root.table().database()) + "." + ChunkReader.quote(root.table().table())
                + " ORDER BY " + key + " LIMIT " + limit;
        List<List<Object>> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            for (Map<String, Object> row : ChunkReader.rows(rs)) {
                out.add(new ArrayList<>(row.values()));
            }
        }
        return out;
    }
}
