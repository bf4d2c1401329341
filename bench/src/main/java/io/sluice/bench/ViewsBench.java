package io.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.demo.SluiceApi;
import io.sluice.embedded.FreePorts;
import io.sluice.embedded.MariaDbServer;
import io.sluice.embedded.RedisServer;
import io.sluice.embedded.ServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * Document views against plain table sync, in one run of the packaged server into Redis: freshness at p50/p99 of a
 * root change and of a related change under a steady mixed load on every table, first with plain table sync only
 * (the baseline), then with the view {@code orders} (an order, its customer, its items, each with its product); the
 * CPU per change of both; the view's amplification; the time to build every document; the time a 50,000-document
 * fan-out (a category renamed under view {@code products}) takes while the load goes on; plain table sync only once
 * more (the views deleted), so that the machine's drift over the run is told from the views' cost; and the server's
 * heap after a full GC with 100,000 and then 1,000,000 root rows.
 *
 * <p>Arguments: {@code [changes/s] [seconds] [root rows] [root rows for the heap, 0 to skip] [warm-up seconds]}, by
 * default 500, 60, 100000, 1000000 and 15.
 */
public final class ViewsBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "Views-Bench-Pw-1";
    private static final int DEFAULT_WARM_UP_SECONDS = 15;

    private ViewsBench() {
    }

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        long roots = args.length > 2 ? Long.parseLong(args[2]) : 100_000;
        long heapRoots = args.length > 3 ? Long.parseLong(args[3]) : 1_000_000;
        int warmUp = args.length > 4 ? Integer.parseInt(args[4]) : DEFAULT_WARM_UP_SECONDS;
        System.out.printf("Sluice views benchmark: %,d changes/s on four tables, %d s warm-up then %d s measured per phase, %,d orders"
                + " (two items each)%n", rate, warmUp, seconds, roots);
        System.out.println("machine: " + Machine.describe());
        Path jar = Path.of(System.getProperty("sluice.root", "."), "quarkus-admin", "target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
        Path work = Files.createTempDirectory("sluice-views-bench-");
        try (MariaDbServer db = MariaDbServer.start(MariaDbServer.Options.defaults()); RedisServer redis = RedisServer.startNew()) {
            db.createCaptureUser("vb", PASSWORD);
            ViewLoad load = new ViewLoad(db, redis, rate);
            RedisStalls stalls = new RedisStalls(redis);
            long t = System.nanoTime();
            load.seed(roots);
            System.out.printf("seeded in %.1f s%n", (System.nanoTime() - t) / 1e9);
            Map<String, String> properties = new HashMap<>(ServerProcess.freshProperties("Views-Bench-Admin-1"));
            properties.put("sluice.parent-pid", Long.toString(ProcessHandle.current().pid()));
            try (ServerProcess server = new ServerProcess(jar, FreePorts.next(), properties, work.resolve("server.log"))) {
                server.start();
                SluiceApi api = new SluiceApi(server.base(), "admin", "Views-Bench-Admin-1");
                api.useToken("bench");
                t = System.nanoTime();
                api.post("/api/v1/sources", db.sourceRequest("vb", "vb", PASSWORD, ViewLoad.DB, 9401));
                api.post("/api/v1/sinks", Map.of("name", "cache", "type", "redis", "config", Map.of("redis.uri", "redis://" + redis.host() + ":"
                        + redis.port())));
                api.post("/api/v1/pipelines", Map.of("name", "vb", "source", "vb", "sinks", List.of("cache")));
                await("the snapshot", Duration.ofMinutes(10), server, () -> "streaming".equals(api.get("/api/v1/sources/vb/status").path("state")
                        .asText()));
                // A change after the snapshot: once it is in Redis, so is every snapshot row before it.
                db.execute("UPDATE " + ViewLoad.DB + ".categories SET name = 'ready' WHERE id = 100");
                await("the snapshot's rows", Duration.ofMinutes(10), server, () -> get(redis, "vb:vb:categories:{100}").contains("ready"));
                System.out.printf("snapshot of every table in Redis in %.1f s%n", (System.nanoTime() - t) / 1e9);

                System.out.println("\nphase 1: plain table sync only");
                Phase plain = phase(api, load, stalls, warmUp, seconds, false, null);

                t = System.nanoTime();
                api.post("/api/v1/views", orders());
                awaitRebuild(api, server, "orders", 0);
                double build = (System.nanoTime() - t) / 1e9;
                System.out.printf("view orders: every document (%,d) built in %.1f s%n", roots + ViewLoad.PROBES, build);

                System.out.println("\nphase 2: plain table sync and the view");
                JsonNode before = api.get("/api/v1/views/orders").path("status");
                Phase view = phase(api, load, stalls, warmUp, seconds, true, null);
                JsonNode after = api.get("/api/v1/views/orders").path("status");
                long looked = after.path("changes").asLong() - before.path("changes").asLong();
                long rebuilt = after.path("documents").asLong() - before.path("documents").asLong();

                System.out.println("\nphase 3: a category of 50,000 products renamed under view products, the load going on");
                api.post("/api/v1/views", products());
                awaitRebuild(api, server, "products", 0);
                double[] fanOut = new double[1];
                Phase during = phase(api, load, stalls, warmUp, 30, true, () -> fanOut[0] = fanOut(db, redis, api, server));

                // The baseline again, so that a drift of the machine over the run (MariaDB's purge, JIT, caches) shows as a
                // difference between the two plain phases rather than as the views' cost.
                System.out.println("\nphase 4: plain table sync only again (both views deleted; their documents stay)");
                long ordersBuilt = api.get("/api/v1/views/orders/rebuilds").path(0).path("id").asLong();
                api.delete("/api/v1/views/products");
                api.delete("/api/v1/views/orders");
                Phase plainAgain = phase(api, load, stalls, warmUp, seconds, false, null);
                api.post("/api/v1/views", orders());
                awaitRebuild(api, server, "orders", ordersBuilt);

                long[] heap = {heapAfterGc(server.pid()), 0};
                double grow = 0;
                if (heapRoots > roots) {
                    System.out.printf("%nphase 5: %,d more orders (two items each), heap after a full GC before and after%n", heapRoots - roots);
                    t = System.nanoTime();
                    load.addOrders(load.probeOrder(ViewLoad.PROBES - 1) + 1, heapRoots);
                    // Measured once the stream and the background rebuilds are done: what stays is what the server holds,
                    // not Debezium's queue of events not handed over yet, nor a fan-out's keys.
                    db.execute("UPDATE " + ViewLoad.DB + ".categories SET name = 'drained' WHERE id = 99");
                    await("the new orders' documents", Duration.ofMinutes(30), server, () -> get(redis, "vb:vb:categories:{99}").contains("drained")
                            && exists(redis, "vb:views:orders:{" + heapRoots + "}")
                            && StreamSupport.stream(api.get("/api/v1/views/orders/rebuilds").spliterator(), false)
                                    .noneMatch(r -> "waiting".equals(r.path("state").asText())));
                    grow = (System.nanoTime() - t) / 1e9;
                    heap[1] = heapAfterGc(server.pid());
                    System.out.println("  the server's largest classes now (jcmd GC.class_histogram):");
                    String[] histogram = run(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(server.pid()),
                            "GC.class_histogram").split("\n");
                    for (int i = 0; i < Math.min(histogram.length, 14); i++) {
                        System.out.println("  " + histogram[i]);
                    }
                }

                System.out.println();
                System.out.printf("%-48s %7s %7s %7s %7s %7s%n", "commit to visible in Redis (ms)", "p50", "p95", "p99", "max", "probes");
                System.out.println("plain table sync only (baseline)");
                plain.result.freshness().forEach(ViewsBench::print);
                System.out.println("plain table sync and the view");
                view.result.freshness().forEach(ViewsBench::print);
                System.out.println("during the 50,000-document fan-out");
                during.result.freshness().forEach(ViewsBench::print);
                System.out.println("plain table sync only, again (views deleted)");
                plainAgain.result.freshness().forEach(ViewsBench::print);
                double viewRoot = Figures.percentile(view.result.freshness().get("orders, view (root changed)"), 99);
                double viewRelated = Figures.percentile(view.result.freshness().get("orders, view (customer changed)"), 99);
                System.out.println();
                for (Map.Entry<String, Phase> baseline : List.of(Map.entry("the plain phase before", plain), Map.entry("the plain phase after", plainAgain),
                        Map.entry("the same phase", view))) {
                    Map<String, List<Double>> plainFreshness = baseline.getValue().result.freshness();
                    System.out.printf("view p99 / plain table p99 of %s: root change %.2f, customer change %.2f (target under 2)%n", baseline.getKey(),
                            viewRoot / Figures.percentile(plainFreshness.get("orders, plain table"), 99),
                            viewRelated / Figures.percentile(plainFreshness.get("customers, plain table"), 99));
                }
                System.out.printf("load: %,.0f changes/s without the view, %,.0f with it (asked %,d); server: %,.0f and %,.0f events/s%n",
                        plain.result.changes() / plain.result.seconds(), view.result.changes() / view.result.seconds(), rate, plain.eventsPerSecond,
                        view.eventsPerSecond);
                System.out.printf("CPU per event (all processes: benchmark, server, MariaDB, Redis): %.0f us plain, %.0f us with the view (x%.2f);"
                        + " server alone %.0f us and %.0f us%n", plain.cpu[0], view.cpu[0], view.cpu[0] / plain.cpu[0], plain.cpu[1], view.cpu[1]);
                System.out.printf("view orders: %,d changes of its tables looked at, %,d documents rebuilt (%,.0f/s), amplification %.2f%n", looked,
                        rebuilt, rebuilt / view.result.seconds(), looked == 0 ? 0 : (double) rebuilt / looked);
                System.out.printf("fan-out: 50,000 product documents rewritten in %.1f s from the rename's commit (target under 10 s)%n", fanOut[0]);
                if (heap[1] > 0) {
                    System.out.printf("heap after a full GC: %d MiB with %,d orders, %d MiB with %,d (x%.2f; the %,d new orders streamed and built in"
                            + " %.0f s)%n", heap[0] >> 20, roots, heap[1] >> 20, heapRoots, (double) heap[1] / heap[0], heapRoots - roots, grow);
                } else {
                    System.out.printf("heap after a full GC: %d MiB with %,d orders%n", heap[0] >> 20, roots);
                }
            }
        }
    }

    /** A phase's freshness and load, and what it cost: the server's events/s and the CPU per event {all, server}. */
    private record Phase(ViewLoad.Result result, double eventsPerSecond, double[] cpu) {
    }

    private static Phase phase(SluiceApi api, ViewLoad load, RedisStalls stalls, int warmUp, int seconds, boolean watchView, Runnable during) throws Exception {
        long[] events = new long[1];
        Cpu.Sample[] cpu = new Cpu.Sample[1];
        long[] at = new long[1];
        Runnable start = () -> {
            events[0] = api.get("/api/v1/sources/vb/status").path("eventsTotal").asLong();
            cpu[0] = Cpu.now();
            at[0] = System.nanoTime();
            stalls.start();
            if (during != null) {
                during.run();
            }
        };
        ViewLoad.Result result = load.run(warmUp, seconds, watchView, start);
        long delivered = api.get("/api/v1/sources/vb/status").path("eventsTotal").asLong() - events[0];
        double[] perEvent = Cpu.now().microsPerEvent(cpu[0], Math.max(1, delivered));
        double eventsPerSecond = delivered / ((System.nanoTime() - at[0]) / 1e9);
        System.out.printf("  %,d events delivered at %,.0f/s; %,d changes made%n", delivered, eventsPerSecond, result.changes());
        System.out.println("  " + stalls.report());
        return new Phase(result, eventsPerSecond, perEvent);
    }

    /** Renames category 1 and returns the seconds until all its 50,000 product documents hold the new name. */
    private static double fanOut(MariaDbServer db, RedisServer redis, SluiceApi api, ServerProcess server) {
        long latest = api.get("/api/v1/views/products/rebuilds").path(0).path("id").asLong();
        db.execute("UPDATE " + ViewLoad.DB + ".categories SET name = 'renamed' WHERE id = 1");
        long t = System.nanoTime();
        try {
            awaitRebuild(api, server, "products", latest);
            double rebuilt = (System.nanoTime() - t) / 1e9;
            await("the fan-out's documents", Duration.ofMinutes(5), server, () -> renamed(redis) == ViewLoad.FAN_OUT);
            double all = (System.nanoTime() - t) / 1e9;
            System.out.printf("  fan-out: background rebuild done %.1f s after the commit, every document checked at %.1f s%n", rebuilt, all);
            return all;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    /** How many of the first 50,000 product documents name the renamed category. */
    private static int renamed(RedisServer redis) {
        int count = 0;
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            Pipeline p = jedis.pipelined();
            List<Response<String>> docs = new ArrayList<>();
            for (int id = 1; id <= ViewLoad.FAN_OUT; id++) {
                docs.add(p.get("vb:views:products:{" + id + "}"));
            }
            p.sync();
            for (Response<String> d : docs) {
                if (d.get() != null && JSON.readTree(d.get()).path("category").path("name").asText().equals("renamed")) {
                    count++;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return count;
    }

    /** Waits until the newest rebuild of a view after {@code after} succeeded. */
    private static void awaitRebuild(SluiceApi api, ServerProcess server, String view, long after) throws InterruptedException {
        await("a rebuild of view " + view, Duration.ofMinutes(10), server, () -> {
            JsonNode newest = api.get("/api/v1/views/" + view + "/rebuilds").path(0);
            if ("failed".equals(newest.path("state").asText())) {
                throw new IllegalStateException("rebuild " + newest.path("id") + " of view " + view + " failed: " + newest.path("reason").asText());
            }
            return newest.path("id").asLong() > after && "succeeded".equals(newest.path("state").asText());
        });
    }

    private static void await(String what, Duration timeout, ServerProcess server, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline || !server.isAlive()) {
                throw new IllegalStateException(what + " did not complete within " + timeout.toSeconds() + " s; the server's log:\n" + server.tail(40));
            }
            Thread.sleep(100);
        }
    }

    private static boolean exists(RedisServer redis, String key) {
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            return jedis.exists(key);
        }
    }

    /** A key's value, or "" when there is none. */
    private static String get(RedisServer redis, String key) {
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            String value = jedis.get(key);
            return value == null ? "" : value;
        }
    }

    private static Map<String, Object> orders() {
        return Map.of("name", "orders", "pipeline", "vb", "root", "vb.orders", "relations", List.of(
                Map.of("name", "customer", "kind", "one", "table", "vb.customers", "on", Map.of("customer_id", "id"), "columns", List.of("name", "city")),
                Map.of("name", "items", "kind", "many", "table", "vb.order_items", "on", Map.of("id", "order_id"), "orderBy", List.of("line"),
                        "columns", List.of("line", "qty"), "relations", List.of(Map.of("name", "product", "kind", "one", "table", "vb.products",
                                "on", Map.of("product_id", "id"), "columns", List.of("name", "price"))))));
    }

    private static Map<String, Object> products() {
        return Map.of("name", "products", "pipeline", "vb", "root", "vb.products", "relations", List.of(Map.of("name", "category", "kind", "one",
                "table", "vb.categories", "on", Map.of("category_id", "id"), "columns", List.of("name"))));
    }

    /** The server's used heap after a full GC, from {@code jcmd}. */
    private static long heapAfterGc(long pid) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        run(jcmd.toString(), Long.toString(pid), "GC.run");
        Matcher used = Pattern.compile("used (\\d+)K").matcher(run(jcmd.toString(), Long.toString(pid), "GC.heap_info"));
        return used.find() ? Long.parseLong(used.group(1)) * 1024 : 0;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    private static void print(String label, List<Double> ms) {
        System.out.printf("  %-46s %7.0f %7.0f %7.0f %7.0f %7d%n", label, Figures.percentile(ms, 50), Figures.percentile(ms, 95), Figures.percentile(ms, 99),
                Figures.percentile(ms, 100), ms.size());
    }
}
