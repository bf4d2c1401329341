package io.sluice.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** A one-line description of the machine a benchmark ran on, printed with every result. */
final class Machine {
    private Machine() {
    }

    static String describe() {
        String memory = "?";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(line.replaceAll("\\D", ""));
                    memory = String.format("%.1f GiB", kb / 1024.0 / 1024.0);
                }
            }
        } catch (Exception e) {
            // not Linux: leave it unknown
        }
        String cpu = "?";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("?");
        } catch (Exception e) {
            // not Linux
        }
        Runtime rt = Runtime.getRuntime();
        return rt.availableProcessors() + " cores (" + cpu + "), " + memory + " RAM, JVM " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.version") + ", max heap " + (rt.maxMemory() >> 20) + " MiB, "
                + System.getProperty("os.name") + " " + System.getProperty("os.version");
    }
}
