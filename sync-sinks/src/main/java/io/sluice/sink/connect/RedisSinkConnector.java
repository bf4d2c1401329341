package io.sluice.sink.connect;

import io.sluice.sink.redis.RedisSinkConfig;

/** Sluice's Redis sink as a Kafka Connect sink connector; its keys are {@link RedisSinkConfig}'s plus the connector keys. */
public final class RedisSinkConnector extends SluiceSinkConnector {
    public RedisSinkConnector() {
        super(RedisSinkConfig.DEFINITION, RedisSinkTask.class);
    }
}
