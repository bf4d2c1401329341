package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.contract.Metadata;
import io.sluice.contract.Rule;
import io.sluice.contract.RuleSet;
import io.sluice.testkit.MetadataDatabase;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RegistryRuleSetTest {
    private static final String V1 = "{\"type\":\"record\",\"name\":\"Row\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},"
            + "{\"name\":\"email\",\"type\":[\"null\",\"string\"],\"default\":null}]}";
    private static final String V2 = "{\"type\":\"record\",\"name\":\"Row\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},"
            + "{\"name\":\"email\",\"type\":[\"null\",\"string\"],\"default\":null},{\"name\":\"b\",\"type\":[\"null\",\"int\"],\"default\":null}]}";
    private static final RuleSet POSITIVE = RuleSet.of(Rule.of("positiveA", "CONDITION", "CEL", "message.a > 0", "DLQ"));
    private static final Metadata PII = new Metadata(Map.of("Row.email", List.of("PII")), Map.of("owner", "team-a"), Set.of());

    private final SchemaRegistry registry = new SchemaRegistry(MetadataDatabase.inMemory(), Clock.systemUTC());

    @Test
    void shouldStoreARuleSetAndMetadataWithTheVersionAndReturnThem() {
        SubjectVersion v = registry.register("s.db.t-value", V1, null, POSITIVE, PII);

        SubjectVersion read = registry.version("s.db.t-value", v.version(), false);

        assertThat(read.ruleSet()).isEqualTo(POSITIVE);
        assertThat(read.metadata()).isEqualTo(PII);
    }

    @Test
    void shouldCarryTheRulesOverToANewSchemaRegisteredWithoutThem() {
        registry.register("s.db.t-value", V1, null, POSITIVE, PII);

        SubjectVersion v2 = registry.register("s.db.t-value", V2);

        assertThat(v2.version()).isEqualTo(2);
        assertThat(v2.ruleSet()).isEqualTo(POSITIVE);
        assertThat(registry.version("s.db.t-value", 2, false).metadata()).isEqualTo(PII);
    }

    @Test
    void shouldMakeANewVersionOfTheSameSchemaWhenOnlyTheRulesChange() {
        SubjectVersion v1 = registry.register("s.db.t-value", V1);

        SubjectVersion v2 = registry.register("s.db.t-value", V1, null, POSITIVE, null);

        assertThat(v2.version()).isEqualTo(2);
        assertThat(v2.id()).isEqualTo(v1.id());
        assertThat(registry.register("s.db.t-value", V1, null, POSITIVE, null).version()).as("the same again is the same version").isEqualTo(2);
    }

    @Test
    void shouldRefuseARuleSetThatDoesNotCheckAgainstTheSchemaAndStoreNothing() {
        RuleSet bad = RuleSet.of(Rule.of("unknown", "CONDITION", "CEL", "message.zzz > 0", "DLQ"), Rule.of("action", "CONDITION", "CEL", "true", "PAGE"));

        assertThatThrownBy(() -> registry.register("s.db.t-value", V1, null, bad, null)).isInstanceOfSatisfying(RegistryException.class, e -> {
            assertThat(e.error()).isEqualTo(RegistryError.INVALID_RULE_SET);
            assertThat(e.getMessage()).contains("domainRules[0] (unknown).expr", "zzz", "domainRules[1] (action).onFailure", "PAGE");
        });
        assertThat(registry.subjects(false)).isEmpty();
    }
}
