package io.sluice.sink.connect;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/** What Sluice's sink connectors have in common: every task gets the connector's configuration. */
abstract class SluiceSinkConnector extends SinkConnector {
    private final ConfigDef config;
    private final Class<? extends Task> taskClass;
    private Map<String, String> props;

    SluiceSinkConnector(ConfigDef sinkDefinition, Class<? extends Task> taskClass) {
        this.config = SluiceSinkConnectors.withConnectorKeys(sinkDefinition);
        this.taskClass = taskClass;
    }

    @Override
    public void start(Map<String, String> props) {
        this.props = props;
    }

    @Override
    public Class<? extends Task> taskClass() {
        return taskClass;
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
        return config;
    }

    @Override
    public String version() {
        return SluiceSinkConnectors.VERSION;
    }
}
