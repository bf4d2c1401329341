package io.sluice.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;

/** What the demo prints: its steps as they start and end, where to look once it runs, and the source's status. */
final class DemoConsole {
    private final PrintStream out;

    DemoConsole(PrintStream out) {
        this.out = out;
    }

    void step(String what) {
        out.println("  " + what + " ...");
    }

    void done(long startNanos, String what) {
        out.printf("    %s (%.1f s)%n", what, (System.nanoTime() - startNanos) / 1e9);
    }

    void println(String line) {
        out.println(line);
    }

    /**
     * Where to look: the UI, the credentials, a Redis lookup and a search.
     *
     * @param exampleValue the example product as Redis holds it, null when it is not there
     * @param lamps how many products the suggested search finds
     */
    void summary(DemoOptions options, DemoServers servers, String adminPassword, String exampleValue, long lamps, JsonNode exampleOrder) {
        String ui = uiBase(servers.server().base());
        String shown = exampleValue == null ? "(not there yet)" : exampleValue.length() > 300 ? exampleValue.substring(0, 300) + "..." : exampleValue;
        String rate = options.rate() > 0 ? (options.rate() == Math.rint(options.rate()) ? Long.toString((long) options.rate())
                : Double.toString(options.rate())) + " changes/s (inserts, updates, deletes; --rate)" : "none (--rate 0)";
        out.println();
        out.println("  Sluice demo is running: MariaDB database 'shop' -> source '" + Demo.SOURCE + "' -> pipeline '" + Demo.PIPELINE
                + "' -> sinks '" + Demo.LUCENE_SINK + "' (embedded Lucene) and '" + Demo.REDIS_SINK + "' (Redis)");
        out.println();
        out.println("  UI        " + ui + "/");
        out.println("  sign in   user " + Demo.ADMIN + ", password " + adminPassword);
        out.println("  search    " + ui + "/search?sink=" + Demo.LUCENE_SINK + "&table=demo.shop.products&field=name&q=lamp   (" + lamps
                + " products match now)");
        out.println("  Redis     redis-cli -p " + servers.redis().port() + " GET '" + Demo.exampleKey() + "'");
        out.println("            " + shown);
        out.println("  API       curl -u " + Demo.ADMIN + ":" + adminPassword + " '" + ui + "/api/v1/sinks/" + Demo.LUCENE_SINK
                + "/search?table=demo.shop.products&field=name&q=lamp'");
        out.println("            curl -u " + Demo.ADMIN + ":" + adminPassword + " " + ui + "/api/v1/sources/" + Demo.SOURCE + "/status");
        String lastName = exampleOrder.path("customer").path("last_name").asText("Hopper");
        out.println("  view      '" + Demo.VIEW + "': an order with its customer and its items, each with its product, kept exact as any of"
                + " the four tables changes");
        out.println("            " + ui + "/search?sink=" + Demo.LUCENE_SINK + "&table=" + Demo.SOURCE + ".views." + Demo.VIEW
                + "&field=customer.last_name&q=" + lastName);
        out.println("            redis-cli -p " + servers.redis().port() + " GET '" + Demo.SOURCE + ":views:" + Demo.VIEW + ":{"
                + exampleOrder.path("id").asText() + "}'");
        out.println("            " + ui + "/views/" + Demo.VIEW + "   (its status, definition and preview)");
        out.println("  rules     customers' emails are masked in every target: redis-cli -p " + servers.redis().port() + " GET '"
                + Demo.SOURCE + ":" + Shop.DATABASE + ":customers:{1}'");
        out.println("            a product's price must be positive; see it fire: mysql ... shop -e \"UPDATE products SET price = -1 WHERE id = "
                + Demo.EXAMPLE_PRODUCT + "\"");
        out.println("            then ./sluice dlq list " + Demo.REDIS_SINK + " and ./sluice rules list   (" + ui + "/dead-letters)");
        out.println("  MariaDB   mysql -h 127.0.0.1 -P " + servers.db().port() + " -u root -p" + servers.db().rootPassword()
                + " shop   (make changes of your own)");
        out.println("  changes   " + rate);
        out.println("  data      " + relative(options.dataDir()) + " (server log: " + relative(servers.server().log()) + ")");
        out.println();
        out.println(options.duration().map(d -> "  Stops by itself after " + d.toSeconds() + " s, or press Ctrl-C.")
                .orElse("  Press Ctrl-C to stop everything."));
        out.println();
    }

    /** One status line of the source, with how many changes the generator made. */
    void status(JsonNode s, long changes) {
        out.printf("  %s  source %s: %s, %,d events (%.1f/s), lag %s; %,d changes made to the shop%n", now(), Demo.SOURCE,
                s.path("state").asText(), s.path("eventsTotal").asLong(), s.path("eventsPerSecond").asDouble(),
                s.hasNonNull("lagMs") ? s.path("lagMs").asLong() + " ms" : "-", changes);
    }

    void statusUnavailable(String why) {
        out.println("  " + now() + "  status unavailable: " + why);
    }

    void flush() {
        out.flush();
    }

    /** A path relative to the working directory when it is under it. */
    static String relative(Path p) {
        Path cwd = Path.of("").toAbsolutePath();
        return p.startsWith(cwd) ? cwd.relativize(p).toString() : p.toString();
    }

    private static String uiBase(URI base) {
        return "127.0.0.1".equals(base.getHost()) ? "http://localhost:" + base.getPort() : base.toString();
    }

    private static LocalTime now() {
        return LocalTime.now().truncatedTo(ChronoUnit.SECONDS);
    }
}
