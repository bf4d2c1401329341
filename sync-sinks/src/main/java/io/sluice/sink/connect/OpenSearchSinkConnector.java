package io.sluice.sink.connect;

import io.sluice.sink.opensearch.OpenSearchSinkConfig;

/** Sluice's OpenSearch sink as a Kafka Connect sink connector; its keys are {@link OpenSearchSinkConfig}'s plus the connector keys. */
public final class OpenSearchSinkConnector extends SluiceSinkConnector {
    public OpenSearchSinkConnector() {
        super(OpenSearchSinkConfig.DEFINITION, OpenSearchSinkTask.class);
    }
}
