package io.sluice.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.sluice.config.ConfigProblem;
import io.sluice.config.InvalidConfigException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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

    /** A source with every optional setting that adds an engine key (the include lists). */
    private static Map<String, String> withEveryEngineKey() {
        Map<String, String> p = valid();
        p.put("databases", "shop");
        p.put("tables", "shop.orders");
        return p;
    }

    @Test
    void shouldRefuseAnOverrideOfEveryEngineSettingSluiceWritesNamingTheSluiceKeyOrWhyItIsFixed() {
        Set<String> written = new TreeSet<>(CaptureWorker.debeziumProperties(SourceConfig.parse(withEveryEngineKey())).stringPropertyNames());
        written.removeAll(EngineSettings.TUNING.keySet());
        assertThat(written).contains("heartbeat.interval.ms", "offset.flush.interval.ms", "errors.max.retries", "connect.timeout.ms",
                "snapshot.locking.mode", "database.include.list", "table.include.list");

        Map<String, String> p = valid();
        written.forEach(key -> p.put("debezium." + key, "x"));
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> SourceConfig.parse(p));

        assertThat(e.problems()).extracting(ConfigProblem::key)
                .containsExactlyInAnyOrderElementsOf(written.stream().map(k -> "debezium." + k).toList());
        for (ConfigProblem problem : e.problems()) {
            String engineKey = problem.key().substring("debezium.".length());
            assertThat(problem.value()).as(problem.key()).isIn("x", "****");
            assertThat(problem.expected()).as(problem.key()).startsWith("Sluice sets '" + engineKey + "' ");
            boolean namesSluiceKey = SourceConfig.DEFINITION.names().stream()
                    .anyMatch(k -> problem.expected().endsWith("; remove this key and set '" + k + "' instead"));
            boolean saysWhyFixed = problem.expected().matches(".* itself and it cannot be overridden: \\w.+; remove this key");
            assertThat(namesSluiceKey || saysWhyFixed).as(problem.key() + ": " + problem.expected()).isTrue();
        }
    }

    @Test
    void shouldNameTheSluiceKeyToSetInsteadOfAnEngineOverride() {
        Map<String, String> expected = Map.of("heartbeat.interval.ms", "heartbeat.interval.ms", "connect.keep.alive.interval.ms",
                "heartbeat.interval.ms", "offset.flush.interval.ms", "offset.flush.interval.ms", "errors.max.retries", "errors.max.retries",
                "connect.timeout.ms", "connect.timeout.ms", "snapshot.locking.mode", "snapshot.locking", "database.include.list", "databases",
                "table.include.list", "tables", "database.hostname", "host", "offset.storage.file.filename", "data.dir");
        Map<String, String> p = valid();
        expected.keySet().forEach(key -> p.put("debezium." + key, "x"));
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> SourceConfig.parse(p));

        assertThat(e.problems()).hasSize(expected.size());
        expected.forEach((engineKey, sluiceKey) -> assertThat(e.problems()).filteredOn(x -> x.key().equals("debezium." + engineKey))
                .singleElement().satisfies(x -> {
                    assertThat(x.value()).isEqualTo("x");
                    assertThat(x.expected()).isEqualTo("Sluice sets '" + engineKey + "' from its own key '" + sluiceKey
                            + "'; remove this key and set '" + sluiceKey + "' instead");
                }));
    }

    @Test
    void shouldSayWhyAFixedEngineSettingCannotBeOverridden() {
        Map<String, String> p = valid();
        p.put("debezium.tombstones.on.delete", "true");
        p.put("debezium.schema.history.internal.kafka.topic", "other");
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> SourceConfig.parse(p));

        assertThat(e.problems()).extracting(ConfigProblem::expected).containsExactlyInAnyOrder(
                "Sluice sets 'tombstones.on.delete' itself and it cannot be overridden: a delete is applied from its delete event,"
                        + " which carries the version; a tombstone carries none; remove this key",
                "Sluice sets 'schema.history.internal' itself and configures that store, so 'schema.history.internal.kafka.topic'"
                        + " cannot be overridden: Sluice keeps offsets and schema history in files under data.dir, which it checks"
                        + " before each start and sets aside for a recovery; remove this key");
    }

    @Test
    void shouldNeverShowAPasswordGivenAsAnEngineOverride() {
        Map<String, String> p = valid();
        p.put("debezium.database.password", "other-s3cret");
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> SourceConfig.parse(p));
        assertThat(e.problems()).singleElement().satisfies(x -> assertThat(x.value()).isEqualTo("****"));
        assertThat(e.getMessage()).doesNotContain("other-s3cret").contains("set 'password' instead");
    }

    @Test
    void shouldLetTuningDefaultsAndKeysSluiceDoesNotWriteBeOverridden() {
        Map<String, String> p = withEveryEngineKey();
        List.of("max.batch.size", "max.queue.size", "poll.interval.ms").forEach(k -> p.put("debezium." + k, "7"));
        p.put("debezium.signal.data.collection", "shop.debezium_signal");
        p.put("debezium.snapshot.fetch.size", "5000");
        SourceConfig c = SourceConfig.parse(p);

        assertThat(EngineSettings.TUNING).containsOnlyKeys("max.batch.size", "max.queue.size", "poll.interval.ms");
        assertThat(CaptureWorker.debeziumProperties(c)).containsEntry("max.batch.size", "7").containsEntry("max.queue.size", "7")
                .containsEntry("poll.interval.ms", "7").containsEntry("signal.data.collection", "shop.debezium_signal")
                .containsEntry("snapshot.fetch.size", "5000");
        assertThat(c.engineOverrides()).containsEntry("signal.data.collection", "shop.debezium_signal");
    }
}
