package io.sluice.registry;

import io.sluice.testkit.MetadataDatabase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import org.junit.jupiter.api.Test;

class SchemaRegistryTest {
    private static final String V1 = "{\"type\":\"record\",\"name\":\"Row\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}";
    private static final String V2 = "{\"type\":\"record\",\"name\":\"Row\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},"
            + "{\"name\":\"b\",\"type\":\"string\",\"default\":\"\"}]}";
    private static final String V3_INCOMPATIBLE = "{\"type\":\"record\",\"name\":\"Row\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},"
            + "{\"name\":\"c\",\"type\":\"int\"}]}";

    private final SchemaRegistry registry = new SchemaRegistry(MetadataDatabase.inMemory(), Clock.systemUTC());

    @Test
    void shouldNumberVersionsAndShareIdsOfIdenticalSchemasAcrossSubjects() {
        SubjectVersion a1 = registry.register("s.db.t-value", V1);
        SubjectVersion a2 = registry.register("s.db.t-value", V2);
        SubjectVersion b1 = registry.register("s.db.u-value", "  " + V1.replace(",", " , ") + " ");

        assertThat(a1.version()).isEqualTo(1);
        assertThat(a2.version()).isEqualTo(2);
        assertThat(a2.id()).isNotEqualTo(a1.id());
        assertThat(b1.id()).isEqualTo(a1.id());
        assertThat(b1.version()).isEqualTo(1);
        // Registering the same schema again returns the existing registration.
        assertThat(registry.register("s.db.t-value", V1)).isEqualTo(a1);
        assertThat(registry.subjects(false)).containsExactly("s.db.t-value", "s.db.u-value");
        assertThat(registry.versionsOf(a1.id(), false)).extracting(SubjectVersion::subject).containsExactly("s.db.t-value", "s.db.u-value");
    }

    @Test
    void shouldRefuseSubjectsThatCouldAddressAnotherResource() {
        for (String subject : new String[] {"../../config", "a/b-value", "a\\b", "a b", "x\ny"}) {
            assertThatThrownBy(() -> registry.register(subject, V1)).as(subject).isInstanceOfSatisfying(RegistryException.class,
                    e -> assertThat(e.error()).isEqualTo(RegistryError.INVALID_SUBJECT));
        }
        assertThat(registry.subjects(false)).isEmpty();
        assertThat(registry.register("shop.inventory.customers-value", V1).version()).isEqualTo(1);
    }

    @Test
    void shouldNotDedupeSchemasThatDifferOnlyInDefaults() {
        SubjectVersion withDefault = registry.register("x-value", V2);
        SubjectVersion otherDefault = registry.register("y-value", V2.replace("\"default\":\"\"", "\"default\":\"n/a\""));
        assertThat(otherDefault.id()).isNotEqualTo(withDefault.id());
    }

    @Test
    void shouldRefuseAnIncompatibleSchemaWithAvrosReasons() {
        registry.register("t-value", V1);
        assertThatThrownBy(() -> registry.register("t-value", V3_INCOMPATIBLE))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.error()).isEqualTo(RegistryError.INCOMPATIBLE_SCHEMA);
                    assertThat(e.getMessage()).contains("READER_FIELD_MISSING_DEFAULT_VALUE").contains("BACKWARD");
                });
        registry.setLevel("t-value", CompatibilityLevel.NONE);
        assertThat(registry.register("t-value", V3_INCOMPATIBLE).version()).isEqualTo(2);
    }

    @Test
    void shouldRegisterWithAOneOffLevelOverride() {
        registry.register("o-value", V1);
        assertThat(registry.register("o-value", V3_INCOMPATIBLE, CompatibilityLevel.NONE).version()).isEqualTo(2);
        assertThat(registry.effectiveLevel("o-value")).isEqualTo(CompatibilityLevel.BACKWARD);
    }

    @Test
    void shouldKeepIdsAndVersionNumbersThroughSoftAndHardDeletes() {
        SubjectVersion v1 = registry.register("d-value", V1);
        registry.register("d-value", V2);
        assertThatThrownBy(() -> registry.deleteVersion("d-value", 1, true)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.error()).isEqualTo(RegistryError.VERSION_NOT_SOFT_DELETED));
        assertThat(registry.deleteVersion("d-value", 1, false)).isEqualTo(1);
        assertThat(registry.versionNumbers("d-value", false)).containsExactly(2);
        assertThat(registry.versionNumbers("d-value", true)).containsExactly(1, 2);
        assertThat(registry.deleteVersion("d-value", 1, true)).isEqualTo(1);
        assertThat(registry.versionNumbers("d-value", true)).containsExactly(2);
        // The id stays valid and is never handed to another schema.
        assertThat(registry.schema(v1.id())).isEqualTo(SchemaRegistry.parse(V1).toString());
        SubjectVersion v3 = registry.register("d-value", V2.replace("\"b\"", "\"bb\""));
        assertThat(v3.version()).isEqualTo(3);
        assertThat(v3.id()).isGreaterThan(v1.id());
    }

    @Test
    void shouldSoftThenHardDeleteASubject() {
        registry.register("gone-value", V1);
        assertThatThrownBy(() -> registry.deleteSubject("gone-value", true)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.error()).isEqualTo(RegistryError.SUBJECT_NOT_SOFT_DELETED));
        assertThat(registry.deleteSubject("gone-value", false)).containsExactly(1);
        assertThatThrownBy(() -> registry.versionNumbers("gone-value", false)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.error()).isEqualTo(RegistryError.SUBJECT_NOT_FOUND));
        assertThat(registry.subjects(true)).contains("gone-value");
        assertThat(registry.deleteSubject("gone-value", true)).containsExactly(1);
        assertThat(registry.subjects(true)).doesNotContain("gone-value");
    }

    @Test
    void shouldParseVersionsAsConfluentDoes() {
        assertThat(SchemaRegistry.parseVersion("latest")).isEqualTo(-1);
        assertThat(SchemaRegistry.parseVersion("-1")).isEqualTo(-1);
        assertThat(SchemaRegistry.parseVersion("7")).isEqualTo(7);
        for (String bad : new String[] {"0", "-2", "abc", "99999999999", ""}) {
            assertThatThrownBy(() -> SchemaRegistry.parseVersion(bad)).isInstanceOfSatisfying(RegistryException.class,
                    e -> assertThat(e.error()).isEqualTo(RegistryError.INVALID_VERSION));
        }
    }

    @Test
    void shouldKeepGlobalAndSubjectLevels() {
        assertThat(registry.globalLevel()).isEqualTo(CompatibilityLevel.BACKWARD);
        registry.setLevel(null, CompatibilityLevel.FULL);
        registry.setLevel("c-value", CompatibilityLevel.NONE);
        assertThat(registry.effectiveLevel("c-value")).isEqualTo(CompatibilityLevel.NONE);
        assertThat(registry.effectiveLevel("other")).isEqualTo(CompatibilityLevel.FULL);
        assertThat(registry.deleteLevel("c-value")).isEqualTo(CompatibilityLevel.NONE);
        assertThatThrownBy(() -> registry.deleteLevel("c-value")).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.error()).isEqualTo(RegistryError.SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED));
        assertThat(registry.deleteLevel(null)).isEqualTo(CompatibilityLevel.FULL);
        assertThat(registry.globalLevel()).isEqualTo(CompatibilityLevel.BACKWARD);
    }

    @Test
    void shouldRefuseInvalidSchemasAndSubjects() {
        assertThatThrownBy(() -> registry.register("t", "{not json")).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.error()).isEqualTo(RegistryError.INVALID_SCHEMA));
        assertThatThrownBy(() -> registry.register("t", "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\",\"default\":\"x\"}]}"))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.error()).isEqualTo(RegistryError.INVALID_SCHEMA));
        assertThatThrownBy(() -> registry.register("x".repeat(300), V1)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.error()).isEqualTo(RegistryError.INVALID_SUBJECT));
    }

    @Test
    void shouldTestCompatibilityWithoutRegistering() {
        registry.register("ct-value", V1);
        assertThat(registry.testCompatibility("ct-value", null, V2).compatible()).isTrue();
        assertThat(registry.testCompatibility("ct-value", 1, V3_INCOMPATIBLE).compatible()).isFalse();
        assertThat(registry.versionNumbers("ct-value", false)).containsExactly(1);
    }
}
