package io.sluice.sink.connect;

import io.sluice.sink.redis.RedisSink;
import io.sluice.sink.redis.RedisSinkConfig;

/** The task of {@link RedisSinkConnector}. */
public final class RedisSinkTask extends SluiceSinkTask {
    public RedisSinkTask() {
        super(RedisSinkConfig.DEFINITION, (name, keys) -> new RedisSink(name, RedisSinkConfig.parse(name, keys)), "redis");
    }
}
