package dev.rxpath.agent.maps;

import dev.rxpath.agent.bcc.BpfModule;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.PackedHistogram;

/**
 * The time from DEV to the socket (tcp_probe) of every segment handled in one softirq, as the
 * programs keep it: log2 buckets of nanoseconds per CPU (rx_dev_to_socket in bpf/receive.c,
 * bucket k holding [2^(k-1), 2^k), bcc's bpf_log2l; bucket 0 holds 0). Each bucket's count is
 * recorded at the largest time it holds, 2^k - 1, so percentiles read "at most" and the API's
 * log2 buckets (same bounds) get the kernel's counts back exactly.
 */
public final class DevToSocket {
    public static final String TABLE = "rx_dev_to_socket";
    private static final int BUCKETS = 64;

    private final PerCpuSums buckets;

    public DevToSocket(BpfModule module) {
        this.buckets = new PerCpuSums(module, TABLE);
    }

    /** The buckets summed over the CPUs, as a histogram of nanoseconds. */
    public synchronized Histogram read() {
        long[] counts = new long[BUCKETS - 1]; // 2^63 is past any wait
        for (int k = 0; k < counts.length; k++) counts[k] = buckets.sum(k);
        return histogram(counts);
    }

    /** The kernel's log2 buckets ({@code counts[k]} the segments in bucket k) as a histogram of nanoseconds. */
    public static Histogram histogram(long[] counts) {
        Histogram h = new PackedHistogram(3_600_000_000_000L, 2);
        for (int k = 0; k < Math.min(counts.length, BUCKETS - 1); k++) {
            if (counts[k] > 0) h.recordValueWithCount(Math.min(k == 0 ? 0 : (1L << k) - 1, h.getHighestTrackableValue()), counts[k]);
        }
        return h;
    }
}
