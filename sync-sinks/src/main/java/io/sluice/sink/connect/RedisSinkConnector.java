package io.sluice.sink.connect;

import io.sluice.sink.redis.RedisSinkConfig;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/** Sluice's Redis sink as a Kafka Connect sink connector; its keys are {@link RedisSinkConfig}'s plus the connector keys. */
public final class RedisSinkConnector extends SinkConnector {
    static final ConfigDef CONFIG = SluiceSinkConnectors.withConnectorKeys(RedisSinkConfig.DEFINITION);
    private Map<String, String> props;

    @Override
    public void start(Map<String, String> props) {
        this.props = props;
    }

    @Override
    public Class<? extends Task> taskClass() {
        return RedisSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return SluiceSinkConnectors.copies(props, maxTasks);
    }

    @Override
    public void stop() {
        // nothing held
    }

    @Override
    public ConfigDef config() {
        return CONFIG;
    }

    @Override
    public String version() {
        return SluiceSinkConnectors.VERSION;
    }
}
