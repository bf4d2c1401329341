package io.sluice.admin.runtime.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.admin.error.ConflictException;
import io.sluice.admin.runtime.PipelineRuntime.Ability;
import org.junit.jupiter.api.Test;

/** What the connect runtime cannot do is refused in one place, each refusal with its reason and the alternative. */
class ConnectRuntimeTest {
    private final ConnectRuntime runtime = new ConnectRuntime();

    @Test
    void shouldRefuseARecoveryNamingDebeziumsOwnMeans() {
        ConflictException e = runtime.refusal(Ability.RECOVERY, "shop");
        assertThat(e.code()).isEqualTo("not_in_connect_runtime");
        assertThat(e.getMessage()).contains("sluice.runtime=connect").contains("snapshot.mode=when_needed")
                .contains("DELETE /connectors/sluice.shop/offsets");
        assertThatThrownBy(() -> runtime.recovering("shop")).isInstanceOf(ConflictException.class).hasMessage(e.getMessage());
    }

    @Test
    void shouldRefuseVerifyAndOfferABackfillInstead() {
        assertThatThrownBy(() -> runtime.verifying("shop")).isInstanceOf(ConflictException.class)
                .hasMessageContaining("source 'shop'").hasMessageContaining("sluice.runtime=embedded")
                .hasMessageContaining("POST /api/v1/backfills");
    }

    @Test
    void shouldRefuseAnInProcessSinkAndABackfillIntoOneSink() {
        assertThat(runtime.refusal(Ability.IN_PROCESS_SINK, "index").getMessage()).contains("Sink 'index'").contains("lucene")
                .contains("use a redis or opensearch sink");
        assertThat(runtime.refusal(Ability.BACKFILL_ONE_SINK, "all").getMessage()).contains("leave out 'sink' and 'reindex'");
    }

    @Test
    void shouldHaveARefusalForEveryAbility() {
        for (Ability a : Ability.values()) {
            assertThat(runtime.refusal(a, "x").code()).as(a.name()).isEqualTo("not_in_connect_runtime");
        }
    }
}
