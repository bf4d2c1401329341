package io.sluice.view;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.embedded.MariaDbServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The catalog reads what views need of a real MariaDB with a capture user's grants: columns, keys, foreign keys. */
class CatalogIT {

    @Test
    void shouldReadColumnsKeysAndForeignKeys() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        db.recreateDatabase("catalog_it");
        db.execute("CREATE TABLE catalog_it.customers (id INT PRIMARY KEY, email VARCHAR(80) NOT NULL UNIQUE, name VARCHAR(50) NULL)",
                "CREATE TABLE catalog_it.lines (order_id BIGINT NOT NULL, line INT NOT NULL, customer_id INT NULL, PRIMARY KEY (order_id, line),"
                        + " FOREIGN KEY (customer_id) REFERENCES catalog_it.customers (id))");
        db.createCaptureUser("catalog_it", "Catalog-It-Pw-1");
        try (Connection c = DriverManager.getConnection(db.jdbcUrl("catalog_it"), "catalog_it", "Catalog-It-Pw-1")) {
            Catalog catalog = Catalog.read(c, List.of("catalog_it"));
            Catalog.Table customers = catalog.table("catalog_it.customers").orElseThrow();
            assertThat(customers.primaryKey()).containsExactly("id");
            assertThat(customers.isKey(List.of("email"))).isTrue();
            assertThat(customers.column("name").orElseThrow()).isEqualTo(new Catalog.Column("name", "varchar", true));
            Catalog.Table lines = catalog.table("catalog_it.lines").orElseThrow();
            assertThat(lines.primaryKey()).containsExactly("order_id", "line");
            assertThat(lines.foreignKeys()).containsExactly(new Catalog.ForeignKey(List.of("customer_id"), "catalog_it.customers",
                    List.of("id")));
        }
    }
}
