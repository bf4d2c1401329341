package io.sluice.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Reads a Java Flight Recorder file and prints where the CPU samples went: per thread, the methods that were
 * running (self) and the methods on the stack (total), so that a benchmark's hot path can be read without a GUI.
 * {@code ./sluice bench profile <file.jfr> [thread-name-part] [top]}; record with
 * {@code MAVEN_OPTS=-XX:StartFlightRecording=filename=<file.jfr>,settings=profile ./sluice bench ...}.
 */
public final class ProfileReport {
    private ProfileReport() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: ./sluice bench profile <file.jfr> [thread-name-part] [top]");
            System.exit(2);
        }
        String threadPart = args.length > 1 ? args[1] : "";
        int top = args.length > 2 ? Integer.parseInt(args[2]) : 25;
        Map<String, Integer> threads = new HashMap<>();
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> total = new HashMap<>();
        int samples = 0;
        double jvmCpu = 0;
        double machineCpu = 0;
        int loads = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            if (e.getEventType().getName().equals("jdk.CPULoad")) {
                jvmCpu += e.getFloat("jvmUser") + e.getFloat("jvmSystem");
                machineCpu += e.getFloat("machineTotal");
                loads++;
                continue;
            }
            if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
                continue;
            }
            String thread = e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
            threads.merge(String.valueOf(thread), 1, Integer::sum);
            if (!String.valueOf(thread).contains(threadPart)) {
                continue;
            }
            RecordedStackTrace stack = e.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            samples++;
            List<RecordedFrame> frames = stack.getFrames();
            self.merge(name(frames.get(0)), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame f : frames) {
                String n = name(f);
                if (seen.add(n)) {
                    total.merge(n, 1, Integer::sum);
                }
            }
        }
        System.out.printf("CPU load over the recording (of all cores): this JVM %.0f%%, the machine %.0f%%%n", 100 * jvmCpu / Math.max(1, loads),
                100 * machineCpu / Math.max(1, loads));
        System.out.println("samples by thread:");
        print(threads, threads.values().stream().mapToInt(Integer::intValue).sum(), 15);
        System.out.println("\nthreads matching '" + threadPart + "': " + samples + " samples\nself:");
        print(self, samples, top);
        System.out.println("\ntotal (on the stack):");
        print(total, samples, top * 2);
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    private static void print(Map<String, Integer> counts, int samples, int top) {
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(e -> System.out.printf("%6.1f%% %6d  %s%n", 100.0 * e.getValue() / Math.max(1, samples), e.getValue(), e.getKey()));
    }
}
