package io.sluice.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.embedded.MariaDbServer;
import java.sql.Connection;
import org.junit.jupiter.api.Test;

/** Reading the binlog's end from a real MariaDB with the statement it understands. */
class BinlogPointIT {

    @Test
    void shouldAskMariaDbWithItsOwnStatementAndSeeTheBinlogGrow() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        db.recreateDatabase("binlog_point");
        db.execute("CREATE TABLE binlog_point.t (id INT PRIMARY KEY)");
        try (Connection c = db.connect("binlog_point")) {
            assertThat(BinlogPoint.statement(c)).isEqualTo("SHOW BINLOG STATUS");
            BinlogPoint before = BinlogPoint.current(c);
            db.execute("INSERT INTO binlog_point.t VALUES (1)");
            BinlogPoint after = BinlogPoint.current(c);
            assertThat(before.file()).startsWith(after.file().substring(0, after.file().lastIndexOf('.')));
            assertThat(after).isGreaterThan(before);
        }
    }
}
