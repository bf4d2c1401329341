package io.sluice.admin.view;

import io.sluice.admin.pipeline.PipelineSpec;
import io.sluice.admin.pipeline.PipelineStore;
import io.sluice.review.FieldChange;
import io.sluice.review.SchemaUse;
import io.sluice.review.SchemaUses;
import io.sluice.view.Relation;
import io.sluice.view.ViewDefinition;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The columns the views read, for schema review: a change of a table that removes, renames or retypes a column a view
 * uses is held for review whatever the compatibility level says, naming the views, and a proposal shows which views
 * and fields it reaches. Read from the views' definitions as they are stored; thread-safe.
 */
@ApplicationScoped
public class ViewSchemaUses implements SchemaUses {
    /** Changes that take a field away from a view. */
    private static final Set<FieldChange.Kind> BREAKING = EnumSet.of(FieldChange.Kind.REMOVED, FieldChange.Kind.RENAMED,
            FieldChange.Kind.TYPE_CHANGED);
    /** Stands for every column, where a level holds them all. */
    private static final String EVERY = "*";

    @Inject
    ViewStore views;

    @Inject
    PipelineStore pipelines;

    /**
     * A view's use of one table.
     *
     * @param view the view's name
     * @param path where the table sits in the view: empty for the root, else its fields' path
     * @param columns the columns it reads; {@code *} for all of them
     */
    public record Use(String view, String path, Set<String> columns) {
    }

    @Override
    public List<SchemaUse> of(String subject, List<FieldChange> changes) {
        List<SchemaUse> out = new ArrayList<>();
        String[] stem = subject.replaceAll("-value$", "").split("\\.");
        if (!subject.endsWith("-value") || stem.length != 3) {
            return out;
        }
        for (Use use : uses(stem[0], stem[1] + "." + stem[2])) {
            for (FieldChange change : changes) {
                String column = change.field().contains(".") ? change.field().substring(0, change.field().indexOf('.')) : change.field();
                if (use.columns().contains(column) || use.columns().contains(EVERY) && change.kind() != FieldChange.Kind.ADDED) {
                    out.add(new SchemaUse("view " + use.view() + (use.path().isEmpty() ? "" : " at " + use.path()), column, change.kind(),
                            BREAKING.contains(change.kind())));
                }
            }
        }
        return out;
    }

    /** Every use of a table by the views of a source's pipelines. @param table {@code database.table} */
    public List<Use> uses(String source, String table) {
        List<Use> out = new ArrayList<>();
        for (PipelineSpec p : pipelines.ofSource(source)) {
            for (ViewDefinition v : views.ofPipeline(p.name())) {
                if (table.equals(v.root())) {
                    out.add(new Use(v.name(), "", columns(v.columns(), v.rename(), List.of(), v.relationsOrEmpty())));
                }
                collect(v.name(), "", v.relationsOrEmpty(), table, out);
            }
        }
        return out;
    }

    private static void collect(String view, String prefix, List<Relation> relations, String table, List<Use> out) {
        for (Relation r : relations) {
            if (r == null) {
                continue;
            }
            String path = prefix.isEmpty() ? r.name() : prefix + "." + r.name();
            if (table.equals(r.table())) {
                List<String> own = new ArrayList<>(r.on() == null ? List.of() : r.on().values());
                if (r.orderBy() != null) {
                    own.addAll(r.orderBy());
                }
                out.add(new Use(view, path, columns(r.columns(), r.rename(), own, r.relationsOrEmpty())));
            }
            collect(view, path, r.relationsOrEmpty(), table, out);
        }
    }

    /** The columns a level reads: those it holds (all when none are named), its own join and order columns, its children's joins. */
    private static Set<String> columns(List<String> held, Map<String, String> rename, List<String> own, List<Relation> children) {
        Set<String> out = new LinkedHashSet<>();
        if (held == null || held.isEmpty()) {
            out.add(EVERY);
        } else {
            out.addAll(held);
        }
        if (rename != null) {
            out.addAll(rename.keySet());
        }
        out.addAll(own);
        for (Relation child : children) {
            if (child != null && child.on() != null) {
                out.addAll(child.on().keySet());
            }
        }
        return out;
    }
}
