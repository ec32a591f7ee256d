package dev.rxpath.agent.event;

import java.time.Instant;

/**
 * Maps bpf_ktime_get_ns() (CLOCK_MONOTONIC) to wall-clock time. System.nanoTime() reads
 * the same clock on Linux, so one pair of readings taken together gives the offset.
 */
public final class KernelClock {
    private final long wallMinusMonoNs;

    /** The offset on this machine now. */
    public KernelClock() {
        long mono = System.nanoTime();
        Instant now = Instant.now();
        long wall = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        this.wallMinusMonoNs = wall - mono;
    }

    /** An offset taken earlier, as a recording carries it. */
    public KernelClock(long wallMinusMonoNs) {
        this.wallMinusMonoNs = wallMinusMonoNs;
    }

    public long wallMinusMonoNs() {
        return wallMinusMonoNs;
    }

    public Instant toInstant(long monotonicNs) {
        long wall = monotonicNs + wallMinusMonoNs;
        return Instant.ofEpochSecond(Math.floorDiv(wall, 1_000_000_000L), Math.floorMod(wall, 1_000_000_000L));
    }
}
