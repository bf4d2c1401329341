package io.sluice.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The statements chosen per server, from MySQL's and MariaDB's reference manuals (versions that added or removed them). */
class SourceServerTest {

    @Test
    void shouldReadEveryShapeOfVersionTheServersAnswer() {
        assertThat(SourceServer.of("8.4.3")).isEqualTo(new SourceServer(SourceType.MYSQL, 8, 4, 3));
        assertThat(SourceServer.of("8.0.36-log")).isEqualTo(new SourceServer(SourceType.MYSQL, 8, 0, 36));
        assertThat(SourceServer.of("11.4.5-MariaDB-log")).isEqualTo(new SourceServer(SourceType.MARIADB, 11, 4, 5));
        assertThat(SourceServer.of("5.5.5-10.6.12-MariaDB-1:10.6.12+maria~ubu2004")).isEqualTo(new SourceServer(SourceType.MARIADB, 10, 6, 12));
        assertThatThrownBy(() -> SourceServer.of("unknown")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldAskMySql84ForTheBinaryLogStatusAndReplicasItStillKnows() {
        SourceServer mysql84 = SourceServer.of("8.4.3");

        assertThat(mysql84.binlogStatus()).isEqualTo("SHOW BINARY LOG STATUS");
        assertThat(mysql84.replicas()).isEqualTo("SHOW REPLICAS");
    }

    @Test
    void shouldKeepTheOldStatementsWhereTheNewOnesDoNotExistYet() {
        assertThat(SourceServer.of("8.0.36").binlogStatus()).isEqualTo("SHOW MASTER STATUS");
        assertThat(SourceServer.of("8.0.21").replicas()).isEqualTo("SHOW SLAVE HOSTS");
        assertThat(SourceServer.of("8.0.22").replicas()).isEqualTo("SHOW REPLICAS");
        assertThat(SourceServer.of("8.2.0").binlogStatus()).isEqualTo("SHOW BINARY LOG STATUS");
        assertThat(SourceServer.of("10.4.30-MariaDB").binlogStatus()).isEqualTo("SHOW MASTER STATUS");
        assertThat(SourceServer.of("10.4.30-MariaDB").replicas()).isEqualTo("SHOW SLAVE HOSTS");
        assertThat(SourceServer.of("10.5.2-MariaDB").binlogStatus()).isEqualTo("SHOW BINLOG STATUS");
        assertThat(SourceServer.of("11.4.5-MariaDB").replicas()).isEqualTo("SHOW REPLICA HOSTS");
    }

    @Test
    void shouldCountThePrivilegesOfTheSessionsRoles() {
        assertThat(SourceServer.of("8.4.3").grants("`cdc_reader`@`%`,`cdc_binlog`@`%`"))
                .isEqualTo("SHOW GRANTS FOR CURRENT_USER() USING `cdc_reader`@`%`,`cdc_binlog`@`%`");
        assertThat(SourceServer.of("8.4.3").grants("NONE")).isEqualTo("SHOW GRANTS FOR CURRENT_USER()");
        assertThat(SourceServer.of("11.4.5-MariaDB").grants("cdc_reader")).isEqualTo("SHOW GRANTS");
        assertThat(SourceServer.of("11.4.5-MariaDB").grants(null)).isEqualTo("SHOW GRANTS FOR CURRENT_USER()");
    }
}
