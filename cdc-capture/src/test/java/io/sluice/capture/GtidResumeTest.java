package io.sluice.capture;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GtidResumeTest {

    @Test
    void shouldKeepAStoredGtidThePromotedReplicaHolds() {
        GtidResume r = GtidResume.of("0-101-120", "0-101-140,0-102-145");

        assertThat(r.gtids()).isEqualTo("0-101-120");
        assertThat(r.behind()).isEmpty();
    }

    @Test
    void shouldResumeAfterTheLastTransactionAReplicaBehindReceived() {
        GtidResume r = GtidResume.of("0-101-120", "0-101-95,0-102-99");

        assertThat(r.gtids()).isEqualTo("0-101-95");
        assertThat(r.behind()).singleElement().asString().startsWith("0-101-120");
    }

    @Test
    void shouldKeepEachDomainApartAndAnOriginTheServerDoesNotKnow() {
        GtidResume r = GtidResume.of("0-101-120,1-7-30", "0-101-100,2-5-9");

        assertThat(r.gtids()).isEqualTo("0-101-100,1-7-30");
    }
}
