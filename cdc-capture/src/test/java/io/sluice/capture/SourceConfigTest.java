package io.sluice.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.sluice.config.ConfigProblem;
import io.sluice.config.InvalidConfigException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SourceConfigTest {

    private static Map<String, String> valid() {
        Map<String, String> p = new HashMap<>();
        p.put("name", "shop");
        p.put("type", "mariadb");
        p.put("host", "db.internal");
        p.put("user", "sluice");
        p.put("password", "s3cret-pw");
        p.put("server.id", "5001");
        p.put("data.dir", "/var/lib/sluice");
        return p;
    }

    @Test
    void shouldParseAValidConfigurationWithDefaults() {
        SourceConfig c = SourceConfig.parse(valid());
        assertThat(c.type()).isEqualTo(SourceType.MARIADB);
        assertThat(c.port()).isEqualTo(3306);
        assertThat(c.snapshotMode()).isEqualTo(SnapshotMode.INITIAL);
        assertThat(c.sourceDir().toString()).isEqualTo("/var/lib/sluice/sources/shop");
        assertThat(c.toString()).doesNotContain("s3cret-pw");
    }

    @Test
    void shouldReportEveryProblemAtOnceNamingKeyValueAndWhatIsAllowed() {
        Map<String, String> p = valid();
        p.put("name", "Bad Name!");
        p.put("type", "oracle");
        p.put("port", "70000");
        p.put("snapshot.mode", "sometimes");
        p.put("tables", "shop.(orders");
        p.put("colour", "blue");
        p.remove("server.id");

        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> SourceConfig.parse(p));

        assertThat(e.problems()).extracting(ConfigProblem::key)
                .containsExactlyInAnyOrder("name", "type", "port", "snapshot.mode", "tables", "server.id", "colour");
        ConfigProblem port = e.problems().stream().filter(x -> x.key().equals("port")).findFirst().orElseThrow();
        assertThat(port.value()).isEqualTo("70000");
        assertThat(port.expected()).contains("[1,...,65535]");
        ConfigProblem type = e.problems().stream().filter(x -> x.key().equals("type")).findFirst().orElseThrow();
        assertThat(type.expected()).contains("mysql").contains("mariadb");
        ConfigProblem missing = e.problems().stream().filter(x -> x.key().equals("server.id")).findFirst().orElseThrow();
        assertThat(missing.value()).isNull();
        assertThat(missing.toString()).contains("'server.id' is missing");
        assertThat(e.getMessage()).contains("7 problems").contains("unknown key");
    }

    @Test
    void shouldNeverShowThePasswordInProblems() {
        Map<String, String> p = valid();
        p.put("port", "x");
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> SourceConfig.parse(p));
        assertThat(e.getMessage()).doesNotContain("s3cret-pw");
    }

    @Test
    void shouldRefuseEngineOverridesOfTheSettingsSluiceDependsOn() {
        Map<String, String> p = valid();
        p.put("debezium.tombstones.on.delete", "true");
        p.put("debezium.offset.storage", "org.example.Other");
        p.put("debezium.max.batch.size", "1024");
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> SourceConfig.parse(p));
        assertThat(e.problems()).extracting(ConfigProblem::key)
                .containsExactlyInAnyOrder("debezium.tombstones.on.delete", "debezium.offset.storage");
    }

    @Test
    void shouldPassOtherEngineSettingsThrough() {
        Map<String, String> p = valid();
        p.put("debezium.max.batch.size", "1024");
        SourceConfig c = SourceConfig.parse(p);
        assertThat(CaptureWorker.debeziumProperties(c).getProperty("max.batch.size")).isEqualTo("1024");
    }
}
