package io.sluice.demo;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps the shop busy at a steady rate: orders of one to three items placed, paid, shipped, delivered, cancelled
 * and archived (deleted, items first); products repriced, restocked, added and discontinued (deleted); customers
 * signing up, moving, changing their email and leaving (deleted). One change per tick on one thread.
 *
 * <p>Thread safety: {@link #start()} and {@link #close()} from one thread; the counters and {@link #last} from any.
 */
final class ChangeGenerator implements AutoCloseable {
    /** What happened to a row. */
    enum Kind { INSERT, UPDATE, DELETE }

    /**
     * A change the generator committed.
     *
     * @param table the table, without the database
     * @param kind insert, update or delete
     * @param id the row's primary key
     */
    record Change(String table, Kind kind, long id) {
    }

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final double rate;
    private final PrintStream err;
    private final Random random = new Random();
    private final AtomicInteger numbers = new AtomicInteger(100_000);
    private final AtomicLong changes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final Map<String, Change> last = new ConcurrentHashMap<>();
    private ScheduledExecutorService executor;
    private Connection connection;
    private volatile long lastErrorPrinted;

    /**
     * @param rate changes per second; 0 makes none
     * @param err where the occasional error goes
     */
    ChangeGenerator(String jdbcUrl, String user, String password, double rate, PrintStream err) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.rate = rate;
        this.err = err;
    }

    void start() {
        if (rate <= 0) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "shop-changes");
            t.setDaemon(true);
            return t;
        });
        long periodMicros = Math.max(1, Math.round(1_000_000 / rate));
        executor.scheduleAtFixedRate(this::tick, periodMicros, periodMicros, TimeUnit.MICROSECONDS);
    }

    /** Changes committed so far. */
    long changes() {
        return changes.get();
    }

    /** The last change of this kind to this table, if any. */
    Optional<Change> last(String table, Kind kind) {
        return Optional.ofNullable(last.get(table + "/" + kind));
    }

    private void tick() {
        try {
            Connection c = connection();
            int dice = random.nextInt(100);
            boolean done;
            if (dice < 28) {
                done = placeOrder(c);
            } else if (dice < 53) {
                done = advanceOrder(c);
            } else if (dice < 58) {
                done = cancelOrder(c);
            } else if (dice < 63) {
                done = archiveOrder(c);
            } else if (dice < 78) {
                done = updateProduct(c);
            } else if (dice < 86) {
                done = newCustomer(c);
            } else if (dice < 93) {
                done = updateCustomer(c);
            } else if (dice < 96) {
                done = deleteCustomer(c);
            } else if (dice < 98) {
                done = newProduct(c);
            } else {
                done = deleteProduct(c);
            }
            if (!done) {
                done = updateProduct(c);
            }
            if (done) {
                changes.incrementAndGet();
            }
        } catch (SQLException | RuntimeException e) {
            failures.incrementAndGet();
            closeConnection();
            long now = System.currentTimeMillis();
            if (now - lastErrorPrinted > 30_000) {
                lastErrorPrinted = now;
                err.println("sluice demo: the change generator failed (" + e.getMessage() + "); it keeps trying");
            }
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = DriverManager.getConnection(jdbcUrl, user, password);
            connection.setAutoCommit(true);
        }
        return connection;
    }

    private void record(String table, Kind kind, long id) {
        last.put(table + "/" + kind, new Change(table, kind, id));
    }

    /** A customer orders one to three products in stock; their stock goes down. */
    private boolean placeOrder(Connection c) throws SQLException {
        Long customer = oneId(c, "SELECT id FROM shop.customers ORDER BY RAND() LIMIT 1");
        if (customer == null) {
            return false;
        }
        c.setAutoCommit(false);
        try {
            int lines = 1 + (random.nextInt(10) < 6 ? 0 : random.nextInt(3));
            List<Object[]> items = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, price FROM shop.products WHERE stock >= 4 ORDER BY RAND() LIMIT ?"
                    + " FOR UPDATE")) {
                ps.setInt(1, lines);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        items.add(new Object[] {rs.getLong(1), rs.getBigDecimal(2), 1 + (random.nextInt(10) < 8 ? 0 : random.nextInt(3))});
                    }
                }
            }
            if (items.isEmpty()) {
                c.rollback();
                return false;
            }
            BigDecimal total = BigDecimal.ZERO;
            for (Object[] item : items) {
                total = total.add(((BigDecimal) item[1]).multiply(BigDecimal.valueOf((Integer) item[2])));
            }
            long id;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO shop.orders (customer_id, total, status) VALUES (?, ?, 'pending')",
                    PreparedStatement.RETURN_GENERATED_KEYS)) {
                ps.setLong(1, customer);
                ps.setBigDecimal(2, total);
                ps.executeUpdate();
                id = generatedId(ps);
            }
            for (int line = 1; line <= items.size(); line++) {
                Object[] item = items.get(line - 1);
                update(c, "INSERT INTO shop.order_items (order_id, line, product_id, quantity, unit_price) VALUES (?, ?, ?, ?, ?)", id, line,
                        item[0], item[2], item[1]);
                update(c, "UPDATE shop.products SET stock = stock - ? WHERE id = ?", item[2], item[0]);
            }
            c.commit();
            record("orders", Kind.INSERT, id);
            record("products", Kind.UPDATE, (Long) items.get(0)[0]);
            return true;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private boolean advanceOrder(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id, status FROM shop.orders WHERE status IN ('pending', 'paid', 'shipped')"
                + " ORDER BY RAND() LIMIT 1"); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return false;
            }
            long id = rs.getLong(1);
            String next = switch (rs.getString(2)) {
                case "pending" -> "paid";
                case "paid" -> "shipped";
                default -> "delivered";
            };
            update(c, "UPDATE shop.orders SET status = ? WHERE id = ?", next, id);
            record("orders", Kind.UPDATE, id);
            return true;
        }
    }

    /** A pending order is cancelled and its items go back to stock. */
    private boolean cancelOrder(Connection c) throws SQLException {
        Long id = oneId(c, "SELECT id FROM shop.orders WHERE status = 'pending' ORDER BY RAND() LIMIT 1");
        if (id == null) {
            return false;
        }
        inTransaction(c, () -> {
            if (update(c, "UPDATE shop.orders SET status = 'cancelled' WHERE id = ? AND status = 'pending'", id) == 1) {
                update(c, "UPDATE shop.products p JOIN shop.order_items i ON i.product_id = p.id SET p.stock = p.stock + i.quantity"
                        + " WHERE i.order_id = ?", id);
            }
        });
        record("orders", Kind.UPDATE, id);
        return true;
    }

    /** A cancelled or delivered order leaves the live tables, its items first. */
    private boolean archiveOrder(Connection c) throws SQLException {
        Long id = oneId(c, "SELECT id FROM shop.orders WHERE status IN ('cancelled', 'delivered') ORDER BY RAND() LIMIT 1");
        if (id == null) {
            return false;
        }
        inTransaction(c, () -> {
            update(c, "DELETE FROM shop.order_items WHERE order_id = ?", id);
            update(c, "DELETE FROM shop.orders WHERE id = ?", id);
        });
        record("orders", Kind.DELETE, id);
        return true;
    }

    /** Statements that commit together. */
    private interface Statements {
        void run() throws SQLException;
    }

    private static void inTransaction(Connection c, Statements statements) throws SQLException {
        c.setAutoCommit(false);
        try {
            statements.run();
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** A price change of up to 10% either way, or a restock. */
    private boolean updateProduct(Connection c) throws SQLException {
        Long id = oneId(c, "SELECT id FROM shop.products ORDER BY RAND() LIMIT 1");
        if (id == null) {
            return false;
        }
        if (random.nextBoolean()) {
            BigDecimal factor = BigDecimal.valueOf(0.9 + random.nextDouble() * 0.2);
            try (PreparedStatement ps = c.prepareStatement("UPDATE shop.products SET price = GREATEST(4.99, ROUND(price * ?, 0) - 0.01) WHERE id = ?")) {
                ps.setBigDecimal(1, factor.setScale(4, RoundingMode.HALF_UP));
                ps.setLong(2, id);
                ps.executeUpdate();
            }
        } else {
            update(c, "UPDATE shop.products SET stock = stock + ? WHERE id = ?", 20 + random.nextInt(100), id);
        }
        record("products", Kind.UPDATE, id);
        return true;
    }

    private boolean newCustomer(Connection c) throws SQLException {
        Shop.Customer cu = Shop.customer(random, numbers.incrementAndGet());
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO shop.customers (first_name, last_name, email, city, country) VALUES (?, ?, ?, ?, ?)",
                PreparedStatement.RETURN_GENERATED_KEYS)) {
            Shop.bindCustomer(ps, cu);
            ps.executeUpdate();
            record("customers", Kind.INSERT, generatedId(ps));
        }
        return true;
    }

    /** A customer moves or changes their email address. */
    private boolean updateCustomer(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id, first_name, last_name FROM shop.customers ORDER BY RAND() LIMIT 1");
                ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return false;
            }
            long id = rs.getLong(1);
            if (random.nextBoolean()) {
                String[] city = Shop.city(random);
                update(c, "UPDATE shop.customers SET city = ?, country = ? WHERE id = ?", city[0], city[1], id);
            } else {
                update(c, "UPDATE shop.customers SET email = ? WHERE id = ?",
                        Shop.email(rs.getString(2), rs.getString(3), numbers.incrementAndGet(), random), id);
            }
            record("customers", Kind.UPDATE, id);
            return true;
        }
    }

    /** A customer without orders closes their account. */
    private boolean deleteCustomer(Connection c) throws SQLException {
        Long id = oneId(c, "SELECT c.id FROM shop.customers c LEFT JOIN shop.orders o ON o.customer_id = c.id WHERE o.id IS NULL"
                + " ORDER BY RAND() LIMIT 1");
        if (id == null) {
            return false;
        }
        update(c, "DELETE FROM shop.customers WHERE id = ?", id);
        record("customers", Kind.DELETE, id);
        return true;
    }

    private boolean newProduct(Connection c) throws SQLException {
        Shop.Product p = Shop.newProduct(random, numbers.incrementAndGet());
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO shop.products (sku, name, description, category, price, stock) VALUES (?, ?, ?, ?, ?, ?)",
                PreparedStatement.RETURN_GENERATED_KEYS)) {
            Shop.bindProduct(ps, p);
            ps.executeUpdate();
            record("products", Kind.INSERT, generatedId(ps));
        }
        return true;
    }

    /** A product the generator added and no order holds is discontinued; the seeded catalogue stays. */
    private boolean deleteProduct(Connection c) throws SQLException {
        Long id = oneId(c, "SELECT p.id FROM shop.products p LEFT JOIN shop.order_items i ON i.product_id = p.id WHERE p.id > "
                + Shop.SEED_PRODUCTS + " AND i.order_id IS NULL ORDER BY RAND() LIMIT 1");
        if (id == null) {
            return false;
        }
        update(c, "DELETE FROM shop.products WHERE id = ?", id);
        record("products", Kind.DELETE, id);
        return true;
    }

    private static Long oneId(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : null;
        }
    }

    private static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        }
    }

    private static long generatedId(PreparedStatement ps) throws SQLException {
        try (ResultSet keys = ps.getGeneratedKeys()) {
            if (!keys.next()) {
                throw new SQLException("the insert returned no generated id");
            }
            return keys.getLong(1);
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // gone anyway
            }
            connection = null;
        }
    }

    /** Stops making changes and waits for the change in progress. */
    @Override
    public void close() {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor = null;
        closeConnection();
    }
}
