package io.sluice.sink.connect;

import io.sluice.sink.opensearch.OpenSearchSink;
import io.sluice.sink.opensearch.OpenSearchSinkConfig;

/** The task of {@link OpenSearchSinkConnector}. */
public final class OpenSearchSinkTask extends SluiceSinkTask {
    public OpenSearchSinkTask() {
        super(OpenSearchSinkConfig.DEFINITION, (name, keys) -> new OpenSearchSink(name, OpenSearchSinkConfig.parse(name, keys)), "opensearch");
    }
}
