package io.sluice.sink.connect;

import io.sluice.sink.Sink;
import io.sluice.sink.opensearch.OpenSearchSink;
import io.sluice.sink.opensearch.OpenSearchSinkConfig;
import java.util.Map;

/** The task of {@link OpenSearchSinkConnector}. */
public final class OpenSearchSinkTask extends SluiceSinkTask {
    @Override
    protected Sink createSink(Map<String, String> props) {
        String name = props.getOrDefault("name", "opensearch");
        Map<String, String> own = new java.util.HashMap<>(props);
        own.remove("name");
        return new OpenSearchSink(name, OpenSearchSinkConfig.parse(name, own));
    }

    @Override
    protected boolean isSinkKey(String key) {
        return OpenSearchSinkConfig.DEFINITION.configKeys().containsKey(key) || key.equals("name");
    }
}
