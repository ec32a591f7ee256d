package dev.rxpath.agent;

import com.sun.jna.Native;

/** Pins the calling thread to CPUs (sched_setaffinity), for traffic whose CPU placement a test needs. */
final class CpuAffinity {
    static {
        Native.register("c");
    }

    private CpuAffinity() {}

    private static native int sched_setaffinity(int pid, long cpusetsize, long[] mask);

    /** Runs the calling thread on {@code cpu} only. */
    static void pin(int cpu) {
        set(1L << cpu);
    }

    /** Lets the calling thread run on every CPU again. */
    static void unpin() {
        set(-1L);
    }

    private static void set(long mask) {
        if (sched_setaffinity(0, Long.BYTES, new long[] {mask}) != 0) {
            throw new IllegalStateException("sched_setaffinity: errno " + Native.getLastError());
        }
    }
}
