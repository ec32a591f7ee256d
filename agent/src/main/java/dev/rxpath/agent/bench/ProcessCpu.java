package dev.rxpath.agent.bench;

import java.lang.management.ManagementFactory;

/** CPU time of one thread, and of the whole JVM, as a share of one core over an interval. */
final class ProcessCpu {
    private final long threadId;
    private final long startWall = System.nanoTime();
    private final long startThread;
    private final long startProcess;

    ProcessCpu(Thread thread) {
        this.threadId = thread.getId();
        this.startThread = threadCpu();
        this.startProcess = processCpu();
    }

    private long threadCpu() {
        return ManagementFactory.getThreadMXBean().getThreadCpuTime(threadId);
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    double threadPercent() {
        return 100.0 * (threadCpu() - startThread) / (System.nanoTime() - startWall);
    }

    double processPercent() {
        return 100.0 * (processCpu() - startProcess) / (System.nanoTime() - startWall);
    }

    static long rssKiB() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (java.io.IOException ignored) {
            // not Linux: no figure
        }
        return -1;
    }
}
