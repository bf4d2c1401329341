package io.sluice.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EventVersionTest {

    @Test
    void shouldRoundTripEveryPartAtItsBoundaries() {
        long v = EventVersion.of(EventVersion.MAX_EPOCH, EventVersion.MAX_FILE_NUMBER, EventVersion.MAX_OFFSET - 7, 7, true);
        assertThat(v).isPositive();
        assertThat(EventVersion.decode(v)).isEqualTo(new EventVersion.Parts(15, EventVersion.MAX_FILE_NUMBER, EventVersion.MAX_OFFSET, true));
        assertThat(EventVersion.decode(EventVersion.of(0, 0, 0, 0, false))).isEqualTo(new EventVersion.Parts(0, 0, 0, false));
        assertThat(v).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void shouldOrderRowsOfOneEventAndTheNextEvent() {
        long row0 = EventVersion.of(0, 3, 1_000, 0, true);
        long row1 = EventVersion.of(0, 3, 1_000, 1, true);
        // The next event starts at least 19 header bytes plus one byte per row after this one.
        long next = EventVersion.of(0, 3, 1_000 + 19 + 2, 0, true);
        assertThat(row0).isLessThan(row1).isLessThan(next);
    }

    @Test
    void shouldLetTheFirstEventOfANewFileBeatTheLastOfTheOld() {
        long lastOfOld = EventVersion.of(0, 41, EventVersion.MAX_OFFSET - 100, 99, true);
        long firstOfNew = EventVersion.of(0, 42, 4, 0, true);
        assertThat(firstOfNew).isGreaterThan(lastOfOld);
    }

    @Test
    void shouldLetALiveChangeBeatASnapshotReadAtTheSamePosition() {
        long snapshot = EventVersion.of(0, 7, 5_000, 0, false);
        long live = EventVersion.of(0, 7, 5_000, 0, true);
        assertThat(live).isGreaterThan(snapshot);
    }

    @Test
    void shouldEncodePositionsAboveFourGibibytes() {
        long below = EventVersion.of(0, 1, (1L << 32) - 1, 0, true);
        long above = EventVersion.of(0, 1, 1L << 32, 0, true);
        assertThat(above).isGreaterThan(below);
        assertThat(EventVersion.decode(above).offset()).isEqualTo(1L << 32);
    }

    @Test
    void shouldLetAHigherEpochBeatEverythingBefore() {
        long old = EventVersion.of(2, EventVersion.MAX_FILE_NUMBER, EventVersion.MAX_OFFSET, 0, true);
        assertThat(EventVersion.firstOfEpoch(3)).isGreaterThan(old);
    }

    @Test
    void shouldRefuseValuesThatDoNotFitInsteadOfWrapping() {
        assertThatThrownBy(() -> EventVersion.of(16, 1, 4, 0, true)).isInstanceOf(VersionOverflowException.class)
                .hasMessageContaining("epoch 16");
        assertThatThrownBy(() -> EventVersion.of(0, EventVersion.MAX_FILE_NUMBER + 1, 4, 0, true))
                .isInstanceOf(VersionOverflowException.class).hasMessageContaining("file number");
        assertThatThrownBy(() -> EventVersion.of(0, 1, EventVersion.MAX_OFFSET, 1, true))
                .isInstanceOf(VersionOverflowException.class).hasMessageContaining("exceeds");
        assertThatThrownBy(() -> EventVersion.of(0, 1, -1, 0, true)).isInstanceOf(VersionOverflowException.class);
    }

    @Test
    void shouldReadTheFileNumberFromABinlogFileName() {
        assertThat(EventVersion.fileNumber("mysql-bin.000042")).isEqualTo(42);
        assertThat(EventVersion.fileNumber("host-1.relay.1234567")).isEqualTo(1234567);
        assertThatThrownBy(() -> EventVersion.fileNumber("mysql-bin")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventVersion.fileNumber("mysql-bin.abc")).isInstanceOf(IllegalArgumentException.class);
    }
}
