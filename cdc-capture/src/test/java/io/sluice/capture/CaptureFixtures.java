package io.sluice.capture;

import io.sluice.embedded.MariaDbServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Source configurations for tests against the shared MariaDB, each with its own server id and data directory. */
final class CaptureFixtures {
    static final String CAPTURE_USER = "sluice_capture";
    static final String CAPTURE_PASSWORD = "capture-Secret-42";
    private static final AtomicInteger NEXT_SERVER_ID = new AtomicInteger(5400);

    private CaptureFixtures() {
    }

    /** Creates the capture user with exactly the grants Debezium needs. */
    static void createCaptureUser(MariaDbServer db) {
        db.createCaptureUser(CAPTURE_USER, CAPTURE_PASSWORD);
    }

    static Map<String, String> sourceProps(MariaDbServer db, String name, String database, Path dataDir) {
        Map<String, String> p = new HashMap<>();
        p.put(SourceConfig.NAME, name);
        p.put(SourceConfig.TYPE, "mariadb");
        p.put(SourceConfig.HOST, db.host());
        p.put(SourceConfig.PORT, Integer.toString(db.port()));
        p.put(SourceConfig.USER, CAPTURE_USER);
        p.put(SourceConfig.PASSWORD, CAPTURE_PASSWORD);
        p.put(SourceConfig.DATABASES, database);
        p.put(SourceConfig.SERVER_ID, Integer.toString(NEXT_SERVER_ID.incrementAndGet()));
        p.put(SourceConfig.DATA_DIR, dataDir.toString());
        p.put(SourceConfig.HEARTBEAT_MS, "500");
        p.put(SourceConfig.STALL_TIMEOUT_MS, "5000");
        p.put(SourceConfig.OFFSET_FLUSH_MS, "0");
        return p;
    }
}
