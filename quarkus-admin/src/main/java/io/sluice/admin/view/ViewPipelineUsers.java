package io.sluice.admin.view;

import io.sluice.admin.pipeline.PipelineSpec;
import io.sluice.admin.pipeline.PipelineStore;
import io.sluice.admin.pipeline.PipelineUsers;
import io.sluice.admin.source.SourceDatabase;
import io.sluice.view.ViewDefinition;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;

/**
 * The views of a pipeline: a pipeline they use may not be deleted, move to another source, or stop capturing a
 * table they read (their documents would silently stop following it).
 */
@ApplicationScoped
public class ViewPipelineUsers implements PipelineUsers {

    @Inject
    ViewStore views;

    @Inject
    PipelineStore pipelines;

    @Override
    public List<String> conflicts(String pipeline, PipelineSpec updated) {
        List<String> out = new ArrayList<>();
        for (ViewDefinition v : views.ofPipeline(pipeline)) {
            if (updated == null) {
                out.add("view '" + v.name() + "' uses it: delete the view first (DELETE /api/v1/views/" + v.name() + ")");
                continue;
            }
            String source = pipelines.get(pipeline).source();
            if (!source.equals(updated.source())) {
                out.add("view '" + v.name() + "' reads source '" + source + "': keep the pipeline's source, or delete the view first");
                continue;
            }
            List<String> lost = new ArrayList<>();
            for (String table : v.tables()) {
                if (!updated.tableFilter().test(SourceDatabase.tableId(updated.source(), table))) {
                    lost.add(table);
                }
            }
            if (!lost.isEmpty()) {
                out.add("view '" + v.name() + "' reads " + lost + ", which the pipeline would no longer capture: keep them in its tables,"
                        + " or change or delete the view first");
            }
        }
        return out;
    }
}
