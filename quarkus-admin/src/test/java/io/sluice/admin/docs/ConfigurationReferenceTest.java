package io.sluice.admin.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.admin.SluiceConfig;
import io.sluice.admin.sink.SinkType;
import io.sluice.capture.SourceConfig;
import io.sluice.connect.SluiceAvroConverter;
import io.sluice.sink.connect.SluiceSinkConnectors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/configuration.md} is generated from the declarations of every key; this test regenerates it in memory
 * and fails when the file differs. With {@code -Dsluice.docs.write=true} it writes the file instead (the command is
 * {@link ConfigurationReference#REGENERATE}). A plain unit test: nothing is started.
 */
class ConfigurationReferenceTest {

    @Test
    void shouldMatchTheDeclarations() throws IOException {
        String generated = ConfigurationReference.markdown(ConfigurationReference.SERVER_SOURCE);
        if (Boolean.getBoolean(ConfigurationReference.WRITE_PROPERTY)) {
            Files.writeString(ConfigurationReference.FILE, generated, StandardCharsets.UTF_8);
            return;
        }
        if (!Files.exists(ConfigurationReference.FILE)) {
            fail(ConfigurationReference.FILE + " is missing; generate it from the repository root with\n  " + ConfigurationReference.REGENERATE);
        }
        String current = Files.readString(ConfigurationReference.FILE, StandardCharsets.UTF_8);
        if (!current.equals(generated)) {
            fail("docs/configuration.md differs from the declarations (" + firstDifference(current, generated)
                    + "); regenerate it from the repository root with\n  " + ConfigurationReference.REGENERATE);
        }
    }

    @Test
    void shouldListEveryKeyOfEveryDeclaration() {
        String generated = ConfigurationReference.markdown(ConfigurationReference.SERVER_SOURCE);
        List<ConfigDef> definitions = new ArrayList<>(List.of(SourceConfig.DEFINITION, SluiceAvroConverter.CONFIG,
                SluiceSinkConnectors.withConnectorKeys(new ConfigDef())));
        Stream.of(SinkType.values()).map(SinkType::definition).forEach(definitions::add);

        for (ConfigDef definition : definitions) {
            for (ConfigDef.ConfigKey key : definition.configKeys().values()) {
                assertThat(generated).as(key.name).contains("| `" + key.name + "` | " + key.type.name().toLowerCase(Locale.ROOT));
            }
        }
    }

    @Test
    void shouldNameServerKeysAndTheirEnvironmentVariablesAsSmallRyeDoes() {
        ServerKeys keys = ServerKeys.read(SluiceConfig.class, ConfigurationReference.SERVER_SOURCE);

        List<ServerKeys.Key> all = keys.groups().stream().flatMap(g -> g.keys().stream()).toList();
        assertThat(all).extracting(ServerKeys.Key::name).startsWith("sluice.data-dir")
                .contains("sluice.metadata.jdbc-url", "sluice.admin.initial-password", "sluice.connect.request-timeout");
        assertThat(all).filteredOn(k -> k.name().equals("sluice.metadata.jdbc-url")).singleElement()
                .satisfies(k -> {
                    assertThat(k.environment()).isEqualTo("SLUICE_METADATA_JDBC_URL");
                    assertThat(k.optional()).isTrue();
                    assertThat(k.defaultValue()).isNull();
                });
        assertThat(all).filteredOn(k -> k.name().equals("sluice.runtime")).singleElement()
                .satisfies(k -> assertThat(k.allowed()).containsExactly("embedded", "connect"));
        assertThat(keys.groups()).extracting(ServerKeys.Group::prefix)
                .startsWith("sluice").contains("sluice.metadata", "sluice.connect");
    }

    private static String firstDifference(String current, String generated) {
        String[] a = current.split("\n", -1);
        String[] b = generated.split("\n", -1);
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            if (!a[i].equals(b[i])) {
                return "line " + (i + 1) + " is\n  " + a[i] + "\nbut the declarations give\n  " + b[i] + "\n";
            }
        }
        return "the file has " + a.length + " lines, the declarations give " + b.length;
    }
}
