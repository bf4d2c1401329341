package io.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class PostgresTestServerTest {

    @Test
    void shouldCreateADatabaseAndReadBackWhatWasWritten() throws Exception {
        PostgresTestServer pg = PostgresTestServer.shared();
        String url = pg.createDatabase("kit_roundtrip");
        assertThat(url).isEqualTo("jdbc:postgresql://127.0.0.1:" + pg.port() + "/kit_roundtrip");

        try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password())) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE item (id INT PRIMARY KEY, name TEXT NOT NULL)");
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO item (id, name) VALUES (?, ?)")) {
                insert.setInt(1, 1);
                insert.setString(2, "first");
                insert.executeUpdate();
            }
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT id, name, current_database(), current_setting('wal_level') FROM item")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(1);
                assertThat(rs.getString(2)).isEqualTo("first");
                assertThat(rs.getString(3)).isEqualTo("kit_roundtrip");
                assertThat(rs.getString(4)).isEqualTo("logical");
                assertThat(rs.next()).isFalse();
            }
        }
    }

    @Test
    void shouldGiveAFreshDatabaseEachTime() throws Exception {
        PostgresTestServer pg = PostgresTestServer.shared();
        String url = pg.createDatabase("kit_fresh");
        try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE leftover (id INT)");
        }
        // An open connection does not stop the database from being recreated.
        try (Connection open = DriverManager.getConnection(url, pg.user(), pg.password())) {
            pg.createDatabase("kit_fresh");
            assertThat(open.isValid(2)).isFalse();
        }
        try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password()); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_tables WHERE tablename = 'leftover'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isZero();
        }
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
            assertThat(c.isValid(2)).isTrue();
        }
    }

    @Test
    void shouldRejectAWrongPasswordAndABadDatabaseName() {
        PostgresTestServer pg = PostgresTestServer.shared();
        assertThatThrownBy(() -> DriverManager.getConnection(pg.jdbcUrl(), pg.user(), "wrong"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("password authentication failed");
        assertThatThrownBy(() -> pg.createDatabase("bad\"; DROP"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldStopAndDeleteAServerOfItsOwn() throws Exception {
        PostgresTestServer own = PostgresTestServer.startNew();
        assertThat(own.port()).isNotEqualTo(PostgresTestServer.shared().port());
        try (Connection c = DriverManager.getConnection(own.jdbcUrl(), own.user(), own.password())) {
            assertThat(c.isValid(2)).isTrue();
        }
        own.close();
        assertThat(own.directory()).doesNotExist();
        assertThatThrownBy(() -> DriverManager.getConnection(own.jdbcUrl(), own.user(), own.password()))
                .isInstanceOf(SQLException.class);
        own.close();
    }
}
