package io.sluice.sink.connect;

import io.sluice.sink.Sink;
import io.sluice.sink.redis.RedisSink;
import io.sluice.sink.redis.RedisSinkConfig;
import java.util.Map;

/** The task of {@link RedisSinkConnector}. */
public final class RedisSinkTask extends SluiceSinkTask {
    @Override
    protected Sink createSink(Map<String, String> props) {
        String name = props.getOrDefault("name", "redis");
        Map<String, String> own = new java.util.HashMap<>(props);
        own.remove("name");
        return new RedisSink(name, RedisSinkConfig.parse(name, own));
    }

    @Override
    protected boolean isSinkKey(String key) {
        return RedisSinkConfig.DEFINITION.configKeys().containsKey(key) || key.equals("name");
    }
}
