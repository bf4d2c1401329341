package io.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class TestServersIT {

    @Test
    void shouldStartMariaDbWithRowBinlogAndGrantTables() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        try (Connection c = db.connect(""); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT @@log_bin, @@binlog_format, @@binlog_row_image, @@server_id, @@skip_grant_tables")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(1);
            assertThat(rs.getString(2)).isEqualTo("ROW");
            assertThat(rs.getString(3)).isEqualTo("FULL");
            assertThat(rs.getInt(4)).isEqualTo(1);
            assertThat(rs.getInt(5)).isZero();
        }
        db.createUser("kit_reader", "secret-1", "SELECT ON *.*");
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(""), "kit_reader", "secret-1");
                Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW GRANTS")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).contains("GRANT SELECT ON *.*");
        }
    }

    @Test
    void shouldStopAndRestartMariaDbOnTheSamePortWithItsData() throws Exception {
        try (MariaDbServer db = MariaDbServer.start(MariaDbServer.Options.defaults())) {
            db.execute("CREATE DATABASE kept", "CREATE TABLE kept.t (id INT PRIMARY KEY)", "INSERT INTO kept.t VALUES (1)");
            Connection open = db.connect("");
            db.stop();
            assertThat(open.isValid(2)).isFalse();
            Assertions.assertThatThrownBy(() -> db.connect("")).isInstanceOf(SQLException.class);
            db.start();
            try (Connection c = db.connect("kept"); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*), (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'UPTIME') FROM t")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(1);
                assertThat(rs.getLong(2)).isLessThan(30);
            }
        }
    }

    @Test
    void shouldStartRedisOnAFreePort() throws Exception {
        RedisServer redis = RedisServer.shared();
        try (Socket socket = new Socket(redis.host(), redis.port())) {
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[7];
            int n = in.readNBytes(buf, 0, 7);
            assertThat(new String(buf, 0, n, StandardCharsets.US_ASCII)).isEqualTo("+PONG\r\n");
        }
    }
}
