package io.sluice.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.event.EventVersion;
import io.sluice.event.VersionOverflowException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PositionGuardTest {

    @TempDir
    Path dir;

    @Test
    void shouldMoveToTheNextEpochWhenTheServerChangesAndRememberIt() {
        Path file = dir.resolve("version-guard.properties");
        PositionGuard guard = new PositionGuard(file);
        assertThat(guard.serverIs(SourceType.MARIADB, "1")).isEmpty();
        guard.acknowledged(EventVersion.of(0, 3, 500, 0, true));
        assertThat(guard.serverIs(SourceType.MARIADB, "1")).isEmpty();

        assertThat(guard.serverIs(SourceType.MARIADB, "2")).contains(new ServerChange("server_id 1", "server_id 2", 1));

        PositionGuard again = new PositionGuard(file);
        assertThat(again.epoch()).isEqualTo(1);
        assertThat(again.server()).isEqualTo("2");
        assertThat(again.check("s", EventVersion.of(1, 1, 4, 0, true), "mysql-bin.000001")).as("the new server's first file").isNull();
        assertThat(again.serverIs(SourceType.MARIADB, "2")).isEmpty();
    }

    @Test
    void shouldStillStopABinlogThatWentBackwardsOnTheSameServer() {
        PositionGuard guard = new PositionGuard(dir.resolve("version-guard.properties"));
        guard.serverIs(SourceType.MYSQL, "3E11FA47-71CA-11E1-9E33-C80AA9429562");
        guard.acknowledged(EventVersion.of(0, 5, 100, 0, true));

        assertThat(guard.check("s", EventVersion.of(0, 4, 100, 0, true), "mysql-bin.000004").kind())
                .isEqualTo(CaptureFailure.Kind.POSITION_REGRESSED);
    }

    @Test
    void shouldRefuseAChangeOfServerUnderTheLastEpoch() {
        PositionGuard guard = new PositionGuard(dir.resolve("version-guard.properties"));
        guard.checkEpoch("s", EventVersion.MAX_EPOCH);
        guard.serverIs(SourceType.MARIADB, "1");

        assertThatThrownBy(() -> guard.serverIs(SourceType.MARIADB, "2")).isInstanceOf(VersionOverflowException.class)
                .hasMessageContaining("server_id 1").hasMessageContaining("server_id 2");
    }
}
