package io.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import redis.clients.jedis.Jedis;

/**
 * The views benchmark's shop, its steady mixed load on every table, and its probes: a change of a root row (an
 * order's note) and of a related row (a customer's city), each timed from its commit until the plain table's key
 * and the view's document in Redis show it.
 *
 * <p>Tables of database {@value #DB}: {@code categories}, {@code products} (the first {@value #FAN_OUT} in category 1),
 * {@code customers}, {@code orders} and {@code order_items} (two per order). Probe customers {@value #PROBE_CUSTOMER}
 * and up each have exactly one order, right after the seeded ones.
 */
final class ViewLoad {
    static final String DB = "vb";
    static final int FAN_OUT = 50_000;
    static final int PRODUCTS = 60_000;
    static final int CUSTOMERS = 9_000;
    static final int PROBE_CUSTOMER = 9_001;
    static final int PROBES = 100;
    /** Orders the load inserts get ids from here, clear of any seeded ones. */
    private static final long NEW_ORDERS = 100_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MariaDbServer db;
    private final RedisServer redis;
    private final int rate;
    private final Random random = new Random(7);
    private final AtomicLong nextOrder = new AtomicLong(NEW_ORDERS);
    private long roots;

    ViewLoad(MariaDbServer db, RedisServer redis, int rate) {
        this.db = db;
        this.redis = redis;
        this.rate = rate;
    }

    /** Creates the tables and seeds {@code roots} orders, then one order per probe customer. */
    void seed(long roots) {
        this.roots = roots;
        db.recreateDatabase(DB);
        db.execute("CREATE TABLE " + DB + ".categories (id INT PRIMARY KEY, name VARCHAR(60) NOT NULL)",
                "CREATE TABLE " + DB + ".products (id INT PRIMARY KEY, category_id INT NOT NULL, name VARCHAR(80) NOT NULL, price DECIMAL(10,2)"
                        + " NOT NULL, KEY products_category (category_id))",
                "CREATE TABLE " + DB + ".customers (id INT PRIMARY KEY, name VARCHAR(60) NOT NULL, city VARCHAR(60))",
                "CREATE TABLE " + DB + ".orders (id BIGINT PRIMARY KEY, customer_id INT NOT NULL, note VARCHAR(40), KEY orders_customer (customer_id))",
                "CREATE TABLE " + DB + ".order_items (order_id BIGINT NOT NULL, line INT NOT NULL, product_id INT NOT NULL, qty INT NOT NULL,"
                        + " PRIMARY KEY (order_id, line), KEY order_items_product (product_id))",
                "INSERT INTO " + DB + ".categories SELECT seq, CONCAT('category ', seq) FROM " + DB + ".seq_1_to_100",
                "INSERT INTO " + DB + ".products SELECT seq, IF(seq <= " + FAN_OUT + ", 1, 2 + seq % 99), CONCAT('product ', seq), 1 + seq % 90"
                        + " FROM " + DB + ".seq_1_to_" + PRODUCTS,
                "INSERT INTO " + DB + ".customers SELECT seq, CONCAT('customer ', seq), 'Lisbon' FROM " + DB + ".seq_1_to_" + (PROBE_CUSTOMER + PROBES - 1));
        addOrders(1, roots);
        db.execute("INSERT INTO " + DB + ".orders SELECT " + roots + " + seq, " + (PROBE_CUSTOMER - 1) + " + seq, 'probe' FROM " + DB + ".seq_1_to_" + PROBES,
                "INSERT INTO " + DB + ".order_items SELECT " + roots + " + seq, 1, " + (FAN_OUT + 1) + " + seq, 1 FROM " + DB + ".seq_1_to_" + PROBES);
    }

    /** Inserts orders {@code from} to {@code to} of the ordinary customers, two items each, in statements of 50,000 orders. */
    void addOrders(long from, long to) {
        for (long start = from; start <= to; start += 50_000) {
            long end = Math.min(to, start + 49_999);
            String seq = DB + ".seq_" + start + "_to_" + end;
            db.execute("INSERT INTO " + DB + ".orders SELECT seq, 1 + seq % " + CUSTOMERS + ", CONCAT('order ', seq) FROM " + seq,
                    "INSERT INTO " + DB + ".order_items SELECT o.seq, l.seq, " + (FAN_OUT + 1) + " + (o.seq * 7 + l.seq) % " + (PRODUCTS - FAN_OUT)
                            + ", 1 + o.seq % 3 FROM " + seq + " o, " + DB + ".seq_1_to_2 l");
        }
    }

    /** The root rows seeded, probe orders not counted. */
    long roots() {
        return roots;
    }

    /** A probe order's id; its customer is {@code PROBE_CUSTOMER + i}. */
    long probeOrder(int i) {
        return roots + 1 + i;
    }

    /**
     * Freshness samples in ms, by what was watched ("orders plain", "orders view", ...), and the load's changes.
     *
     * @param changes the load's statements committed in the measured window
     * @param seconds the measured window's length
     */
    record Result(Map<String, List<Double>> freshness, long changes, double seconds) {
    }

    /**
     * Runs the load for {@code warmUpSeconds} unmeasured, then {@code seconds} with a probe every 100 ms, root and
     * related in turn.
     *
     * @param watchView whether to watch the view's documents too (the view exists)
     * @param during run on a thread of its own once the measured window started; the run ends when it and the probes
     *     are done (null for nothing)
     */
    Result run(int warmUpSeconds, int seconds, boolean watchView, Runnable during) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong changes = new AtomicLong();
        ExecutorService pool = Executors.newCachedThreadPool();
        AtomicReference<RuntimeException> failed = new AtomicReference<>();
        pool.execute(() -> {
            try {
                load(running, changes);
            } catch (RuntimeException e) {
                failed.set(e);
            }
        });
        Thread.sleep(warmUpSeconds * 1000L);
        List<Watch> watches = new ArrayList<>();
        watches.add(new Watch("orders, plain table", id -> "vb:vb:orders:{" + id + "}", doc -> doc.path("note")));
        watches.add(new Watch("customers, plain table", id -> "vb:vb:customers:{" + id + "}", doc -> doc.path("city")));
        if (watchView) {
            watches.add(new Watch("orders, view (root changed)", id -> "vb:views:orders:{" + id + "}", doc -> doc.path("note")));
            watches.add(new Watch("orders, view (customer changed)", id -> "vb:views:orders:{" + id + "}", doc -> doc.path("customer").path("city")));
        }
        AtomicBoolean probing = new AtomicBoolean(true);
        watches.forEach(w -> pool.execute(() -> w.follow(probing)));
        long start = System.nanoTime();
        long before = changes.get();
        if (during != null) {
            pool.execute(during);
        }
        try (Connection c = db.connect(DB); Statement s = c.createStatement()) {
            for (int k = 0; k < seconds * 10; k++) {
                int i = k / 2 % PROBES;
                String value = "p" + k;
                if (k % 2 == 0) {
                    s.execute("UPDATE orders SET note = '" + value + "' WHERE id = " + probeOrder(i));
                    long t = System.nanoTime();
                    watches.get(0).expect(probeOrder(i), k, t);
                    if (watchView) {
                        watches.get(2).expect(probeOrder(i), k, t);
                    }
                } else {
                    s.execute("UPDATE customers SET city = '" + value + "' WHERE id = " + (PROBE_CUSTOMER + i));
                    long t = System.nanoTime();
                    watches.get(1).expect(PROBE_CUSTOMER + i, k, t);
                    if (watchView) {
                        watches.get(3).expect(probeOrder(i), k, t);
                    }
                }
                Pacing.sleepUntil(start + (k + 1) * 100_000_000L);
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long done = changes.get() - before;
        running.set(false);
        probing.set(false);
        pool.shutdown();
        if (!pool.awaitTermination(120, TimeUnit.SECONDS)) {
            pool.shutdownNow();
        }
        if (failed.get() != null) {
            throw failed.get();
        }
        Map<String, List<Double>> out = new LinkedHashMap<>();
        for (Watch w : watches) {
            if (!w.pending.isEmpty()) {
                System.out.println("  warning: " + w.pending.size() + " probes of " + w.label + " were not seen within 120 s of the end");
            }
            out.put(w.label, w.samples);
        }
        return new Result(out, done, elapsed);
    }

    /** One kind of probe watched in Redis: the oldest pending first, as the pipeline applies changes in order. */
    private final class Watch {
        final String label;
        final Function<Long, String> key;
        final Function<JsonNode, JsonNode> field;
        final ConcurrentSkipListMap<Integer, long[]> pending = new ConcurrentSkipListMap<>();
        final List<Double> samples = Collections.synchronizedList(new ArrayList<>());

        Watch(String label, Function<Long, String> key, Function<JsonNode, JsonNode> field) {
            this.label = label;
            this.key = key;
            this.field = field;
        }

        void expect(long id, int k, long committedAt) {
            pending.put(k, new long[] {id, committedAt});
        }

        void follow(AtomicBoolean probing) {
            try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
                while (probing.get() || !pending.isEmpty()) {
                    Map.Entry<Integer, long[]> oldest = pending.firstEntry();
                    if (oldest != null && seen(jedis.get(key.apply(oldest.getValue()[0])), oldest.getKey())) {
                        samples.add((System.nanoTime() - oldest.getValue()[1]) / 1e6);
                        pending.remove(oldest.getKey());
                        continue;
                    }
                    Thread.sleep(1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                System.out.println("  watcher of " + label + " failed: " + e);
            }
        }

        /** Whether the document shows probe {@code k} or a later one of the same row. */
        private boolean seen(String json, int k) throws Exception {
            if (json == null) {
                return false;
            }
            String value = field.apply(JSON.readTree(json)).asText("");
            return value.matches("p\\d+") && Integer.parseInt(value.substring(1)) >= k;
        }
    }

    /**
     * One statement every {@code 1 / rate} s on one connection: a new order with two items (30%), an item's quantity
     * (20%), a product's price (20%, reaching some 20 orders each), a customer's city (15%, some 11 orders each), an
     * order's note (15%).
     */
    private void load(AtomicBoolean running, AtomicLong changes) {
        long interval = 1_000_000_000L / Math.max(1, rate);
        try (Connection c = db.connect(DB); Statement s = c.createStatement()) {
            long start = System.nanoTime();
            for (long n = 0; running.get(); n++) {
                int dice = random.nextInt(100);
                long order = 1 + random.nextInt((int) roots);
                if (dice < 30) {
                    long next = nextOrder.getAndIncrement();
                    c.setAutoCommit(false);
                    s.execute("INSERT INTO orders VALUES (" + next + ", " + (1 + random.nextInt(CUSTOMERS)) + ", 'new')");
                    s.execute("INSERT INTO order_items VALUES (" + next + ", 1, " + (FAN_OUT + 1 + random.nextInt(PRODUCTS - FAN_OUT)) + ", 1), (" + next
                            + ", 2, " + (FAN_OUT + 1 + random.nextInt(PRODUCTS - FAN_OUT)) + ", 2)");
                    c.commit();
                    c.setAutoCommit(true);
                } else if (dice < 50) {
                    s.execute("UPDATE order_items SET qty = qty % 9 + 1 WHERE order_id = " + order + " AND line = 1");
                } else if (dice < 70) {
                    s.execute("UPDATE products SET price = " + (1 + random.nextInt(90)) + " WHERE id = " + (FAN_OUT + 1 + random.nextInt(PRODUCTS - FAN_OUT)));
                } else if (dice < 85) {
                    s.execute("UPDATE customers SET city = 'city " + random.nextInt(50) + "' WHERE id = " + (1 + random.nextInt(CUSTOMERS)));
                } else {
                    s.execute("UPDATE orders SET note = 'note " + n + "' WHERE id = " + order);
                }
                changes.incrementAndGet();
                Pacing.sleepUntil(start + (n + 1) * interval);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the load writer failed: " + e.getMessage(), e);
        }
    }
}
