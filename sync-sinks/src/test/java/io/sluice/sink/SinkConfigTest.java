package io.sluice.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.sluice.config.ConfigProblem;
import io.sluice.config.InvalidConfigException;
import io.sluice.sink.lucene.LuceneSinkConfig;
import io.sluice.sink.opensearch.OpenSearchSinkConfig;
import io.sluice.sink.redis.RedisSinkConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SinkConfigTest {

    @Test
    void shouldReportEveryRedisProblemAtOnce() {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> RedisSinkConfig.parse("cache", Map.of(
                "redis.uri", "http://cache:6379", "redis.format", "xml", "target", "{source}:{colour}", "id", "{id",
                "fields.rename", "a-b", "redis.ttl.ms", "-5", "redis.passwrd", "secret-value")));
        assertThat(e.problems()).extracting(ConfigProblem::key).containsExactlyInAnyOrder("redis.uri", "redis.format", "target", "id",
                "fields.rename", "redis.ttl.ms", "redis.passwrd");
        assertThat(problem(e, "redis.uri").expected()).contains("redis://host:port");
        assertThat(problem(e, "target").expected()).contains("{colour}").contains("{source}, {database}, {table}");
        assertThat(problem(e, "redis.format").expected()).contains("json").contains("hash");
        assertThat(problem(e, "redis.passwrd").expected()).contains("unknown key").contains("redis.password");
        assertThat(e.getMessage()).contains("Redis sink 'cache'").contains("7 problems");
    }

    @Test
    void shouldReportWhatEachRedisTopologyNeeds() {
        InvalidConfigException cluster = catchThrowableOfType(InvalidConfigException.class, () -> RedisSinkConfig.parse("cache", Map.of(
                "redis.uri", "redis://a:7000/2,redis://b:7001", "redis.mode", "cluster", "redis.tls.ca.file", "/no/such/ca.pem")));
        assertThat(problem(cluster, "redis.uri").expected()).contains("only database 0");
        assertThat(problem(cluster, "redis.tls.ca.file").expected()).contains("readable PEM file");
        InvalidConfigException sentinel = catchThrowableOfType(InvalidConfigException.class, () -> RedisSinkConfig.parse("cache", Map.of(
                "redis.uri", "redis://s1:26379,redis://s2:26379", "redis.mode", "sentinel")));
        assertThat(sentinel.problems()).extracting(ConfigProblem::key).containsExactly("redis.sentinel.master");
        InvalidConfigException standalone = catchThrowableOfType(InvalidConfigException.class, () -> RedisSinkConfig.parse("cache", Map.of(
                "redis.uri", "redis://a:6379,redis://b:6379")));
        assertThat(problem(standalone, "redis.uri").expected()).contains("names 2 servers").contains("redis.mode=cluster or sentinel");
        InvalidConfigException mixed = catchThrowableOfType(InvalidConfigException.class, () -> RedisSinkConfig.parse("cache", Map.of(
                "redis.uri", "rediss://a:7000,redis://b:7001", "redis.mode", "cluster")));
        assertThat(problem(mixed, "redis.uri").expected()).contains("mixes redis:// and rediss://");
        InvalidConfigException mode = catchThrowableOfType(InvalidConfigException.class, () -> RedisSinkConfig.parse("cache", Map.of(
                "redis.uri", "redis://a:6379", "redis.mode", "ring")));
        assertThat(mode.problems()).extracting(ConfigProblem::key).containsExactly("redis.mode");
        assertThat(RedisSinkConfig.parse("cache", Map.of("redis.uri", "rediss://a:6380")).tls()).isTrue();
    }

    @Test
    void shouldReportEveryOpenSearchProblemAtOnceWithoutShowingSecrets() {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> OpenSearchSinkConfig.parse("search", Map.of(
                "opensearch.urls", "localhost:9200,https://ok:9200", "bulk.max.docs", "0", "opensearch.password", "hunter2",
                "index.replicas", "many")));
        assertThat(e.problems()).extracting(ConfigProblem::key).containsExactlyInAnyOrder("opensearch.urls", "bulk.max.docs", "index.replicas");
        assertThat(e.getMessage()).doesNotContain("hunter2");
    }

    @Test
    void shouldTakeOneTlsTrustForTheSearchSink() {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> OpenSearchSinkConfig.parse("search", Map.of(
                "opensearch.urls", "https://es:9200", "opensearch.tls.ca.fingerprint", "12:34", "opensearch.tls.insecure", "true")));
        assertThat(problem(e, "opensearch.tls.ca.fingerprint").expected()).contains("64 hex digits");
        assertThat(problem(e, "opensearch.tls.ca.file").expected()).contains("not several");
    }

    @Test
    void shouldRequireTheLuceneDirectory() {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> LuceneSinkConfig.parse("index", Map.of()));
        assertThat(problem(e, "lucene.dir").value()).isNull();
    }

    @Test
    void shouldRenderTemplatesFromTheEventAndItsKey() {
        var event = TestEvents.upsert(42, "Ada", 100);
        assertThat(Template.parse("{source}.{database}.{table}", false).render(event)).isEqualTo("shop.inventory.customers");
        assertThat(Template.parse("c-{id}", true).render(event)).isEqualTo("c-42");
        assertThat(Template.parse("{key}", true).render(event)).isEqualTo("42");
    }

    private static ConfigProblem problem(InvalidConfigException e, String key) {
        return e.problems().stream().filter(p -> p.key().equals(key)).findFirst().orElseThrow();
    }
}
