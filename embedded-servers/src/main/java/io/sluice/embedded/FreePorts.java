package io.sluice.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports on the loopback interface, so that tests never depend on fixed ports.
 *
 * <p>Ports come from 20000-32767, below Linux's ephemeral range (32768-60999): a port the kernel picks for
 * {@code bind(0)} may be handed to an outgoing connection a moment later, and a server started on it then waits
 * for the port (MariaDB gave up after 30 s that way). A port is never handed out twice by one JVM. Thread-safe.
 */
public final class FreePorts {
    static final int FIRST = 20_000;
    static final int LAST = 32_767;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /**
     * Returns a port that was free a moment ago.
     *
     * @throws UncheckedIOException if no port of the range is free
     */
    public static int next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 500; attempt++) {
            int port = FIRST + random.nextInt(LAST - FIRST + 1);
            if (HANDED_OUT.contains(port)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            } catch (IOException busy) {
                continue;
            }
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new UncheckedIOException("no free port on the loopback interface between " + FIRST + " and " + LAST,
                new IOException("500 attempts"));
    }
}
