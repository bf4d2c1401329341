package io.sluice.demo;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Sluice server as a child process: the packaged {@code quarkus-run.jar} on the same Java, its console in
 * a log file. Secrets travel in the environment, not on the command line.
 */
public final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final URI base;

    private ServerProcess(Process process, Path log, URI base) {
        this.process = process;
        this.log = log;
        this.base = base;
    }

    /**
     * Starts the server; it is not ready yet.
     *
     * @param adminPassword the first admin's password
     */
    public static ServerProcess start(Path jar, String bind, int port, Path dataDir, String adminPassword, Path log) {
        requireJar(jar);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m",
                "-Dquarkus.http.host=" + bind,
                "-Dquarkus.http.port=" + port,
                "-Dsluice.data-dir=" + dataDir,
                "-Dsluice.allow-generated-key=true",
                "-Dsluice.secure-cookies=false",
                "-Dsluice.parent-pid=" + ProcessHandle.current().pid(), // a killed launcher leaves no server behind
                "-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dataDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        env.put("SLUICE_ADMIN_INITIAL_PASSWORD", adminPassword);
        try {
            Process p = pb.start();
            String host = bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind;
            return new ServerProcess(p, log, URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port));
        } catch (IOException e) {
            throw new DemoException("could not start the server (" + String.join(" ", command.subList(0, 1)) + "): " + e.getMessage());
        }
    }

    /** @throws DemoException if the server has not been built */
    static void requireJar(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new DemoException("the server is not built: " + jar + " is missing; build it with `mvn -B -ntp install -DskipTests`"
                    + " (or `./sluice demo`, which does)");
        }
    }

    /** The server's process id, for reading its memory use. */
    public long pid() {
        return process.pid();
    }

    /** The server's base URI, for this machine. */
    public URI base() {
        return base;
    }

    Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits until {@code /q/health/ready} answers 200.
     *
     * @throws DemoException with the log's tail if the server exits or is not ready in time
     */
    public void awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        int lastStatus = -1;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new DemoException("the server exited with status " + process.exitValue() + " before it was ready; the end of "
                        + log + ":\n" + tail(40));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/q/health/ready")).timeout(Duration.ofSeconds(5)).GET()
                        .build(), HttpResponse.BodyHandlers.ofString());
                lastStatus = r.statusCode();
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DemoException("interrupted while waiting for the server");
            }
            sleep(250);
        }
        throw new DemoException("the server was not ready after " + timeout.toSeconds() + " s (" + (lastStatus < 0 ? "no answer" : "readiness "
                + lastStatus) + " from " + base.resolve("/q/health/ready") + "); the end of " + log + ":\n" + tail(40));
    }

    /** The last lines of the server's log, indented. */
    public String tail(int lines) {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long len = f.length();
            int n = (int) Math.min(len, 64 * 1024);
            byte[] b = new byte[n];
            f.seek(len - n);
            f.readFully(b);
            String[] all = new String(b, StandardCharsets.UTF_8).split("\r?\n");
            StringBuilder out = new StringBuilder();
            for (int i = Math.max(0, all.length - lines); i < all.length; i++) {
                out.append("    | ").append(all[i]).append('\n');
            }
            return out.toString();
        } catch (IOException e) {
            return "    (cannot read " + log + ": " + e.getMessage() + ")\n";
        }
    }

    /** Asks the server to stop (SIGTERM: Quarkus shuts down gracefully), and kills it after 30 s. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DemoException("interrupted while waiting for the server");
        }
    }
}
