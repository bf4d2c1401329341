package io.sluice.bench;

import java.lang.management.ManagementFactory;

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
     * @param servers nanoseconds of the processes it started and that still run
     */
    record Sample(long jvm, long servers) {
        /** Microseconds per event between an earlier sample and this one: {total, servers}. */
        double[] microsPerEvent(Sample earlier, long events) {
            return new double[] {((jvm - earlier.jvm) + (servers - earlier.servers)) / 1e3 / events, (servers - earlier.servers) / 1e3 / events};
        }
    }

    static Sample now() {
        return new Sample(jvmNanos(), serverNanos());
    }

    /** CPU nanoseconds of this JVM. */
    static long jvmNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** CPU nanoseconds of the processes this JVM started (the servers), those still running. */
    static long serverNanos() {
        return ProcessHandle.current().descendants()
                .mapToLong(p -> p.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L)).sum();
    }

    /** The rate a cost per event allows on this machine's cores, if nothing else ran. */
    static double ceiling(double cpuMicrosPerEvent) {
        return Runtime.getRuntime().availableProcessors() * 1e6 / cpuMicrosPerEvent;
    }
}
