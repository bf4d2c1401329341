package io.sluice.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time used so far by this JVM and every process it started (the benchmark's MariaDB, Redis, OpenSearch):
 * a contender's cost per event, servers included, and from it the rate the machine's cores allow at most.
 */
final class Cpu {
    private Cpu() {
    }

    /**
     * CPU time used so far.
     *
     * @param jvm nanoseconds of this JVM
     * @param servers nanoseconds of each process it started and that still runs, by process id
     */
    record Sample(long jvm, Map<Long, Long> servers) {
        /**
         * Microseconds per event between an earlier sample and this one: {total, servers}. Server time is summed
         * per process still running at this sample (a process that started in between counts from zero); a short
         * helper process that ended in between is not counted, rather than making the sum go down.
         */
        double[] microsPerEvent(Sample earlier, long events) {
            long server = 0;
            for (Map.Entry<Long, Long> p : servers.entrySet()) {
                server += p.getValue() - earlier.servers.getOrDefault(p.getKey(), 0L);
            }
            return new double[] {((jvm - earlier.jvm) + server) / 1e3 / events, server / 1e3 / events};
        }
    }

    static Sample now() {
        return new Sample(jvmNanos(), serverNanos());
    }

    /** CPU nanoseconds of this JVM. */
    static long jvmNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** CPU nanoseconds of each process this JVM started (the servers) that still runs and tells it, by process id. */
    static Map<Long, Long> serverNanos() {
        Map<Long, Long> out = new HashMap<>();
        ProcessHandle.current().descendants().forEach(p -> p.info().totalCpuDuration().ifPresent(d -> out.put(p.pid(), d.toNanos())));
        return out;
    }

    /** The rate a cost per event allows on this machine's cores, if nothing else ran. */
    static double ceiling(double cpuMicrosPerEvent) {
        return Runtime.getRuntime().availableProcessors() * 1e6 / cpuMicrosPerEvent;
    }
}
