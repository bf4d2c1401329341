package io.sluice.admin.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sluice.admin.TestAuth;
import io.sluice.admin.auth.Role;
import io.sluice.connect.SluiceAvroConverter;
import io.sluice.registry.RegistryError;
import io.sluice.registry.RegistryException;
import io.sluice.serde.HttpRegistryClient;
import io.sluice.serde.RegistryUnavailableException;
import java.net.URL;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

/** Sluice's HTTP registry client and Connect converter against the server's registry API over real HTTP. */
@QuarkusTest
class HttpRegistryClientTest {
    private static final Schema SCHEMA = new Schema.Parser().parse(
            "{\"type\":\"record\",\"name\":\"Http\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}");

    @TestHTTPResource("/registry")
    URL registryUrl;

    private HttpRegistryClient client() {
        return new HttpRegistryClient(new HttpRegistryClient.Settings(registryUrl.toString(), null,
                TestAuth.token(Role.OPERATOR), Duration.ofSeconds(5), 3));
    }

    @Test
    void shouldRegisterLookUpAndFetchOverHttp() {
        String subject = "http." + UUID.randomUUID() + "-value";
        long id = client().register(subject, SCHEMA);
        assertThat(client().register(subject, SCHEMA)).isEqualTo(id);
        assertThat(client().lookup(subject, SCHEMA)).isEqualTo(id);
        assertThat(client().schemaById(id)).isEqualTo(SCHEMA);
        assertThatThrownBy(() -> client().schemaById(987_654_321L)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.error()).isEqualTo(RegistryError.SCHEMA_NOT_FOUND));
    }

    @Test
    void shouldReportAnUnreachableRegistryAsRetriableAfterItsAttempts() {
        HttpRegistryClient down = new HttpRegistryClient(new HttpRegistryClient.Settings("http://127.0.0.1:9/registry", null, null,
                Duration.ofMillis(500), 2));
        assertThatThrownBy(() -> down.schemaById(1)).isInstanceOf(RegistryUnavailableException.class).hasMessageContaining("unreachable");
    }

    @Test
    void shouldConvertThroughTheServersRegistryLikeConfluentsAvroConverter() {
        SluiceAvroConverter converter = new SluiceAvroConverter();
        TestAuth.token(Role.OPERATOR); // creates the user; Confluent clients send Basic
        converter.configure(Map.of("schema.registry.url", registryUrl.toString(), "basic.auth.user.info",
                "test-operator:Test-Password-operator"), false);
        var schema = SchemaBuilder.struct().name("http.t.Value").field("id", org.apache.kafka.connect.data.Schema.INT64_SCHEMA).build();
        byte[] bytes = converter.fromConnectData("http.topic", schema, new Struct(schema).put("id", 42L));
        SchemaAndValue back = converter.toConnectData("http.topic", bytes);
        assertThat(((Struct) back.value()).get("id")).isEqualTo(42L);
    }
}
