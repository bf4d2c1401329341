package io.sluice.admin.runtime.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.capture.SourceConfig;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ConnectorPlanTest {
    private static final ConnectorPlan.Settings SETTINGS = new ConnectorPlan.Settings("kafka:9092", "http://sluice:8080/registry", "tok", null, (short) 3);
    private static final SourceConfig SHOP = SourceConfig.parse(Map.of("name", "shop", "type", "mariadb", "host", "db", "user", "cdc",
            "password", "secret", "server.id", "5401", "databases", "inventory", "data.dir", "/tmp/sluice-plan-test"));

    @Test
    void shouldKeepTheEmbeddedEngineSettingsButStoreHistoryAndOffsetsInKafka() {
        Map<String, String> c = ConnectorPlan.source(SHOP, SETTINGS);
        assertThat(c).containsEntry("connector.class", "io.debezium.connector.mariadb.MariaDbConnector")
                .containsEntry("topic.prefix", "shop").containsEntry("decimal.handling.mode", "precise")
                .containsEntry("schema.history.internal", "io.debezium.storage.kafka.history.KafkaSchemaHistory")
                .containsEntry("schema.history.internal.kafka.topic", "sluice.schema-history.shop")
                .containsEntry("schema.history.internal.kafka.bootstrap.servers", "kafka:9092").containsEntry("tombstones.on.delete", "true")
                .containsEntry("value.converter", "io.sluice.connect.SluiceAvroConverter")
                .containsEntry("value.converter.schema.registry.url", "http://sluice:8080/registry")
                .containsEntry("key.converter.bearer.auth.token", "tok");
        assertThat(c.keySet()).noneMatch(k -> k.startsWith("offset.") || k.equals("schema.history.internal.file.filename") || k.equals("name"));
    }

    @Test
    void shouldRouteOnlyThePipelinesTablesToASinkConnector() {
        Map<String, String> c = ConnectorPlan.sink(SHOP, "cache", "io.sluice.sink.connect.RedisSinkConnector", Map.of("redis.uri", "redis://r:6379"),
                List.of(List.of("inventory.cust*"), List.of("inventory.orders")), SETTINGS);
        Pattern topics = Pattern.compile(c.get("topics.regex"));
        assertThat(topics.matcher("shop.inventory.customers").matches()).isTrue();
        assertThat(topics.matcher("shop.inventory.orders").matches()).isTrue();
        assertThat(topics.matcher("shop.inventory.products").matches()).isFalse();
        assertThat(topics.matcher("shopx.inventory.orders").matches()).isFalse();
        assertThat(topics.matcher("shop.inventory.cust.x").matches()).isFalse();
        assertThat(c).containsEntry("sluice.source", "shop").containsEntry("redis.uri", "redis://r:6379")
                .containsEntry("errors.deadletterqueue.topic.name", "sluice.dlq.shop.cache").containsEntry("errors.tolerance", "all");
    }

    @Test
    void shouldTakeEveryTableWhenAnyPipelineTakesAll() {
        String regex = ConnectorPlan.topicsRegex("sluice_shop", List.of(List.of("inventory.orders"), List.of()));
        assertThat(Pattern.compile(regex).matcher("sluice_shop.anything.atall").matches()).isTrue();
        assertThat(Pattern.compile(regex).matcher("sluice_shop").matches()).isFalse();
    }

    @Test
    void shouldTellASourcesConnectorsFromThoseOfASourceWithALongerName() {
        assertThat(ConnectorPlan.belongsTo("sluice.shop", "shop")).isTrue();
        assertThat(ConnectorPlan.belongsTo("sluice.shop.cache", "shop")).isTrue();
        assertThat(ConnectorPlan.belongsTo("sluice.shop2", "shop")).isFalse();
        assertThat(ConnectorPlan.belongsTo("sluice.shop2.cache", "shop")).isFalse();
    }
}
