-- Runs once, as root, when the mysql container starts on an empty volume; MYSQL_DATABASE (shop) and
-- MYSQL_USER (sluice, with every right on shop) exist by then.

-- What Debezium's MySQL connector needs besides its own database's rights.
GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, LOCK TABLES ON *.* TO 'sluice'@'%';

USE shop;

CREATE TABLE customers (
    id BIGINT AUTO_INCREMENT PRIMARY KEY,
    email VARCHAR(255) NOT NULL UNIQUE,
    name VARCHAR(255) NOT NULL,
    created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);

CREATE TABLE products (
    id BIGINT AUTO_INCREMENT PRIMARY KEY,
    sku VARCHAR(64) NOT NULL UNIQUE,
    name VARCHAR(255) NOT NULL,
    price DECIMAL(10, 2) NOT NULL,
    stock INT NOT NULL DEFAULT 0
);

CREATE TABLE orders (
    id BIGINT AUTO_INCREMENT PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    quantity INT NOT NULL,
    created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);

-- The signal table of mysql-source.json (signal.data.collection): incremental snapshots (backfills) are
-- started by inserting a row, and Debezium writes its chunk watermarks into it.
CREATE TABLE debezium_signal (
    id VARCHAR(42) PRIMARY KEY,
    type VARCHAR(32) NOT NULL,
    data TEXT NULL
);

INSERT INTO customers (email, name) VALUES ('ada@example.com', 'Ada'), ('grace@example.com', 'Grace');
INSERT INTO products (sku, name, price, stock) VALUES
    ('HOM-00001', 'Slate Picture Frame', 89.99, 235),
    ('HOM-00002', 'Brass Desk Lamp', 49.50, 80);
INSERT INTO orders (customer_id, product_id, quantity) VALUES (1, 2, 1);
