package io.sluice.connect.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The archive {@code package} built, as a Connect worker and Confluent Hub read it: one folder, a manifest that
 * names it, and a {@code lib/} with Sluice's jars and their libraries but none of the worker's own (Kafka, SLF4J,
 * logging) and nothing of Quarkus.
 */
class PluginArchiveIT {

    @Test
    void shouldHoldTheConnectorsAndConverterWithoutTheWorkersOwnJars() throws IOException {
        String version = System.getProperty("sluice.version");
        String folder = "sluice-connect-plugin-" + version + "/";
        List<String> entries = new ArrayList<>();
        JsonNode manifest;
        try (ZipFile zip = new ZipFile(Path.of("target", "sluice-connect-plugin-" + version + ".zip").toFile())) {
            zip.stream().map(ZipEntry::getName).forEach(entries::add);
            manifest = new ObjectMapper().readTree(zip.getInputStream(zip.getEntry(folder + "manifest.json")));
        }
        assertThat(entries).allMatch(e -> e.startsWith(folder), "every entry under " + folder);
        List<String> jars = entries.stream().filter(e -> e.startsWith(folder + "lib/") && e.endsWith(".jar"))
                .map(e -> e.substring((folder + "lib/").length())).toList();
        assertThat(jars).anyMatch(j -> j.startsWith("sluice-sync-sinks-")).anyMatch(j -> j.startsWith("sluice-schema-governance-"))
                .anyMatch(j -> j.startsWith("avro-")).anyMatch(j -> j.startsWith("jedis-"));
        assertThat(jars).noneMatch(j -> j.startsWith("kafka") || j.startsWith("connect-") || j.startsWith("slf4j") || j.startsWith("log4j")
                || j.startsWith("reload4j") || j.contains("quarkus") || j.startsWith("zstd-jni") || j.startsWith("snappy") || j.startsWith("lz4"));
        assertThat(manifest.path("name").asText()).isEqualTo("sluice-connect-plugin");
        assertThat(manifest.path("version").asText()).isEqualTo(version);
        assertThat(manifest.path("component_types")).extracting(JsonNode::asText).containsExactlyInAnyOrder("sink", "converter");
        assertThat(entries).contains(folder + "doc/README.md");
    }
}
