package io.sluice.demo;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The sample shop: database {@code shop} with customers, products, orders and their items, its schema, made-up but plausible
 * rows, and the seed. Product ids 1 to {@value #SEED_PRODUCTS} are seeded and never deleted by the generator, so
 * {@code demo:shop:products:{1}} always exists in Redis.
 */
final class Shop {
    static final String DATABASE = "shop";
    static final int SEED_CUSTOMERS = 200;
    static final int SEED_PRODUCTS = 120;
    static final int SEED_ORDERS = 480;

    static final List<String> STATUSES = List.of("pending", "paid", "shipped", "delivered", "cancelled");

    private static final String[] FIRST = {"Ada", "Alan", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "Edsger",
        "Radia", "Tim", "Hedy", "John", "Katherine", "Donald", "Sophie", "Niklaus", "Joan", "Bjarne", "Lena", "Mateo", "Aiko", "Priya",
        "Omar", "Ingrid", "Tomasz", "Chiara", "Kofi", "Mei", "Lucas", "Amara", "Henrik", "Yara", "Diego", "Noor", "Felix", "Zofia"};
    private static final String[] LAST = {"Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie", "Allen",
        "Dijkstra", "Perlman", "Lee", "Lamarr", "Backus", "Johnson", "Knuth", "Wilson", "Wirth", "Clarke", "Stroustrup", "Berg", "Silva",
        "Tanaka", "Iyer", "Haddad", "Nilsen", "Nowak", "Ricci", "Mensah", "Chen", "Moreau", "Okafor", "Larsen", "Costa", "Ruiz", "Khan"};
    private static final String[][] CITIES = {{"Lisbon", "PT"}, {"Porto", "PT"}, {"Berlin", "DE"}, {"Hamburg", "DE"}, {"Lyon", "FR"},
        {"Toronto", "CA"}, {"Austin", "US"}, {"Seattle", "US"}, {"Osaka", "JP"}, {"Melbourne", "AU"}, {"Dublin", "IE"}, {"Oslo", "NO"},
        {"Valencia", "ES"}, {"Krakow", "PL"}, {"Utrecht", "NL"}, {"Bristol", "GB"}, {"Turin", "IT"}, {"Accra", "GH"}, {"Pune", "IN"}};
    private static final String[] DOMAINS = {"example.com", "example.org", "example.net"};

    private static final String[] MATERIALS = {"Oak", "Walnut", "Brass", "Linen", "Ceramic", "Copper", "Bamboo", "Marble", "Wool",
        "Glass", "Leather", "Steel", "Cotton", "Cork", "Slate", "Rattan", "Stoneware", "Birch"};
    /** Category, then product kinds and a base price. */
    private static final Object[][] KINDS = {
        {"lighting", new String[] {"Desk Lamp", "Floor Lamp", "Pendant Light", "Reading Lamp", "Wall Sconce"}, 89},
        {"kitchen", new String[] {"Coffee Grinder", "Teapot", "Cutting Board", "Mixing Bowl", "Espresso Cup Set", "Salad Servers"}, 39},
        {"home", new String[] {"Throw Blanket", "Cushion Cover", "Vase", "Picture Frame", "Wall Clock", "Storage Basket"}, 49},
        {"office", new String[] {"Notebook", "Pen Holder", "Desk Organizer", "Monitor Stand", "Bookend Pair", "Letter Tray"}, 29},
        {"outdoor", new String[] {"Planter", "Garden Stool", "Lantern", "Watering Can", "Bird Feeder"}, 59},
    };
    private static final String[] QUALITIES = {"made by hand in small batches", "designed to last for decades",
        "with a soft matte finish", "finished with natural oils", "that ages beautifully", "built around a simple, honest shape",
        "from responsibly sourced materials", "with clean lines and no fuss"};
    private static final String[] USES = {"Perfect for a calm workspace.", "A quiet favourite for small apartments.",
        "Makes a thoughtful housewarming gift.", "Looks at home in a kitchen or a studio.", "Pairs well with the rest of the range.",
        "Easy to care for: wipe with a damp cloth.", "Ships in plastic-free packaging."};

    private Shop() {
    }

    /** A product's made-up fields. */
    record Product(String sku, String name, String description, String category, BigDecimal price, int stock) {
    }

    /** A customer's made-up fields. */
    record Customer(String firstName, String lastName, String email, String city, String country) {
    }

    static void createSchema(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE);
            s.execute("CREATE DATABASE " + DATABASE + " CHARACTER SET utf8mb4");
            s.execute("""
                    CREATE TABLE shop.customers (
                      id INT AUTO_INCREMENT PRIMARY KEY,
                      first_name VARCHAR(60) NOT NULL,
                      last_name VARCHAR(60) NOT NULL,
                      email VARCHAR(160) NOT NULL,
                      city VARCHAR(80),
                      country CHAR(2),
                      created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                      updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                      UNIQUE KEY customers_email (email)
                    )""");
            s.execute("""
                    CREATE TABLE shop.products (
                      id INT AUTO_INCREMENT PRIMARY KEY,
                      sku VARCHAR(32) NOT NULL,
                      name VARCHAR(120) NOT NULL,
                      description TEXT,
                      category VARCHAR(40) NOT NULL,
                      price DECIMAL(10,2) NOT NULL,
                      stock INT NOT NULL,
                      created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                      updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                      UNIQUE KEY products_sku (sku)
                    )""");
            s.execute("""
                    CREATE TABLE shop.orders (
                      id BIGINT AUTO_INCREMENT PRIMARY KEY,
                      customer_id INT NOT NULL,
                      total DECIMAL(12,2) NOT NULL,
                      status VARCHAR(16) NOT NULL,
                      created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                      updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                      KEY orders_status (status),
                      CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES shop.customers (id)
                    )""");
            // No ON DELETE CASCADE: InnoDB's cascades never reach the binlog, so the generator deletes items itself.
            s.execute("""
                    CREATE TABLE shop.order_items (
                      order_id BIGINT NOT NULL,
                      line INT NOT NULL,
                      product_id INT NOT NULL,
                      quantity INT NOT NULL,
                      unit_price DECIMAL(10,2) NOT NULL,
                      PRIMARY KEY (order_id, line),
                      CONSTRAINT order_items_order FOREIGN KEY (order_id) REFERENCES shop.orders (id),
                      CONSTRAINT order_items_product FOREIGN KEY (product_id) REFERENCES shop.products (id)
                    )""");
        }
    }

    /** Seeds the tables with the same rows every time (a fixed random seed), so that product 1 is always the same. */
    static void seed(Connection c) throws SQLException {
        Random random = new Random(42);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO shop.customers (first_name, last_name, email, city, country, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (int i = 1; i <= SEED_CUSTOMERS; i++) {
                Customer cu = customer(random, i);
                Timestamp at = Timestamp.from(now.minus(60 + random.nextInt(300), ChronoUnit.DAYS).plusSeconds(random.nextInt(86_400)));
                bindCustomer(ps, cu);
                ps.setTimestamp(6, at);
                ps.setTimestamp(7, at);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        List<Product> products = catalogue(random, SEED_PRODUCTS, 1);
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO shop.products (sku, name, description, category, price, stock, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (Product p : products) {
                Timestamp at = Timestamp.from(now.minus(30 + random.nextInt(400), ChronoUnit.DAYS));
                bindProduct(ps, p);
                ps.setTimestamp(7, at);
                ps.setTimestamp(8, at);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement orders = c.prepareStatement("INSERT INTO shop.orders (id, customer_id, total, status, created_at, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?)");
                PreparedStatement items = c.prepareStatement("INSERT INTO shop.order_items (order_id, line, product_id, quantity, unit_price)"
                        + " VALUES (?, ?, ?, ?, ?)")) {
            for (int i = 1; i <= SEED_ORDERS; i++) {
                BigDecimal total = BigDecimal.ZERO;
                int lines = 1 + (random.nextInt(10) < 6 ? 0 : random.nextInt(3));
                for (int line = 1; line <= lines; line++) {
                    int product = 1 + random.nextInt(SEED_PRODUCTS);
                    int quantity = 1 + (random.nextInt(10) < 8 ? 0 : random.nextInt(4));
                    BigDecimal price = products.get(product - 1).price();
                    items.setInt(1, i);
                    items.setInt(2, line);
                    items.setInt(3, product);
                    items.setInt(4, quantity);
                    items.setBigDecimal(5, price);
                    items.addBatch();
                    total = total.add(price.multiply(BigDecimal.valueOf(quantity)));
                }
                long ageMinutes = random.nextInt(30 * 24 * 60);
                Instant created = now.minus(ageMinutes, ChronoUnit.MINUTES);
                String status = ageMinutes > 7 * 24 * 60 ? (random.nextInt(20) == 0 ? "cancelled" : "delivered")
                        : ageMinutes > 2 * 24 * 60 ? "shipped" : ageMinutes > 60 ? "paid" : "pending";
                orders.setInt(1, i);
                orders.setInt(2, 1 + random.nextInt(SEED_CUSTOMERS));
                orders.setBigDecimal(3, total);
                orders.setString(4, status);
                orders.setTimestamp(5, Timestamp.from(created));
                orders.setTimestamp(6, Timestamp.from(created.plus(Math.min(ageMinutes, 3 * 24 * 60) / 2, ChronoUnit.MINUTES)));
                orders.addBatch();
            }
            orders.executeBatch();
            items.executeBatch();
        }
        c.commit();
        c.setAutoCommit(true);
    }

    /** {@code count} distinct products; SKUs are numbered from {@code firstNumber}. */
    static List<Product> catalogue(Random random, int count, int firstNumber) {
        List<String[]> names = new ArrayList<>();
        for (String material : MATERIALS) {
            for (Object[] kind : KINDS) {
                for (String noun : (String[]) kind[1]) {
                    names.add(new String[] {material, noun, (String) kind[0], Integer.toString((Integer) kind[2])});
                }
            }
        }
        Collections.shuffle(names, random);
        List<Product> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String[] n = names.get(i % names.size());
            out.add(product(random, n[0], n[1], n[2], Integer.parseInt(n[3]), firstNumber + i));
        }
        return out;
    }

    /** One product of a random kind, for the generator; SKUs from 10000 up do not clash with the seeded ones. */
    static Product newProduct(Random random, int number) {
        Object[] kind = KINDS[random.nextInt(KINDS.length)];
        String[] nouns = (String[]) kind[1];
        return product(random, MATERIALS[random.nextInt(MATERIALS.length)], nouns[random.nextInt(nouns.length)], (String) kind[0],
                (Integer) kind[2], number);
    }

    private static Product product(Random random, String material, String noun, String category, int base, int number) {
        String name = material + " " + noun;
        String description = "A " + material.toLowerCase(Locale.ROOT) + " " + noun.toLowerCase(Locale.ROOT) + " "
                + QUALITIES[random.nextInt(QUALITIES.length)] + ". " + USES[random.nextInt(USES.length)];
        BigDecimal price = BigDecimal.valueOf(base * (0.5 + random.nextDouble() * 1.5)).setScale(0, RoundingMode.HALF_UP)
                .subtract(new BigDecimal("0.01")).max(new BigDecimal("4.99"));
        String sku = category.substring(0, 3).toUpperCase(Locale.ROOT) + "-" + String.format("%05d", number);
        return new Product(sku, name, description, category, price, random.nextInt(250));
    }

    static Customer customer(Random random, int number) {
        String first = FIRST[random.nextInt(FIRST.length)];
        String last = LAST[random.nextInt(LAST.length)];
        String[] city = CITIES[random.nextInt(CITIES.length)];
        return new Customer(first, last, email(first, last, number, random), city[0], city[1]);
    }

    static String email(String first, String last, int number, Random random) {
        return (first + "." + last).toLowerCase(Locale.ROOT) + "." + number + "@" + DOMAINS[random.nextInt(DOMAINS.length)];
    }

    static String[] city(Random random) {
        return CITIES[random.nextInt(CITIES.length)];
    }

    static void bindCustomer(PreparedStatement ps, Customer cu) throws SQLException {
        ps.setString(1, cu.firstName());
        ps.setString(2, cu.lastName());
        ps.setString(3, cu.email());
        ps.setString(4, cu.city());
        ps.setString(5, cu.country());
    }

    static void bindProduct(PreparedStatement ps, Product p) throws SQLException {
        ps.setString(1, p.sku());
        ps.setString(2, p.name());
        ps.setString(3, p.description());
        ps.setString(4, p.category());
        ps.setBigDecimal(5, p.price());
        ps.setInt(6, p.stock());
    }
}
