package io.sluice.capture;

import io.sluice.event.ChangeEvent;
import io.sluice.event.SourceEvent;
import io.sluice.review.SchemaGate;
import java.io.FileOutputStream;
import java.io.FileReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Runs a capture worker in a JVM of its own (for crash tests): each acknowledged change becomes a line
 * {@code op,id,value,version} of an append-only file, forced to disk before the batch is acknowledged.
 * It stops gracefully when the file {@code <output>.stop} appears.
 *
 * <p>Arguments: a properties file with the source configuration, and the output file.
 */
public final class FileAppendingCaptureMain {
    private FileAppendingCaptureMain() {
    }

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        try (FileReader r = new FileReader(args[0], StandardCharsets.UTF_8)) {
            props.load(r);
        }
        Map<String, String> config = new HashMap<>();
        props.stringPropertyNames().forEach(k -> config.put(k, props.getProperty(k)));
        Path output = Path.of(args[1]);
        Path stop = Path.of(args[1] + ".stop");
        try (FileOutputStream out = new FileOutputStream(output.toFile(), true);
                Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
            EventBatchConsumer consumer = batch -> {
                StringBuilder lines = new StringBuilder();
                for (SourceEvent e : batch) {
                    if (e instanceof ChangeEvent c) {
                        lines.append(c.operation()).append(',').append(c.row().get("id")).append(',')
                                .append(c.row().get("v")).append(',').append(c.version()).append('\n');
                    }
                }
                writer.write(lines.toString());
                writer.flush();
                out.getFD().sync();
            };
            try (CaptureWorker worker = new CaptureWorker(SourceConfig.parse(config), consumer, SchemaGate.permissive(), Clock.systemUTC())) {
                worker.start();
                while (!Files.exists(stop) && !(worker.status().state() instanceof CaptureState.Failed)) {
                    Thread.sleep(100);
                }
                if (worker.status().state() instanceof CaptureState.Failed f) {
                    System.err.println("capture failed: " + f.failure());
                    System.exit(3);
                }
            }
        }
        System.exit(0);
    }

}
