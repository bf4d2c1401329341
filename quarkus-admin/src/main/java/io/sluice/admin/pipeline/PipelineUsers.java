package io.sluice.admin.pipeline;

import java.util.List;

/**
 * What relies on a pipeline staying as it is (a document view reads its source and writes to its sinks), asked
 * before a pipeline is changed or deleted. Implementations are CDI beans; every one is asked, from the request's
 * thread.
 */
public interface PipelineUsers {

    /**
     * What would break if the pipeline became {@code updated}, or were deleted.
     *
     * @param pipeline the pipeline's name
     * @param updated the pipeline as it would be, or null when it would be deleted
     * @return one sentence per user that would break, naming it and the fix; empty when nothing would
     */
    List<String> conflicts(String pipeline, PipelineSpec updated);
}
