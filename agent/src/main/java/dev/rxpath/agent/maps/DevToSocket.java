package dev.rxpath.agent.maps;

import dev.rxpath.agent.bcc.BpfModule;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.PackedHistogram;

/**
 * The time from DEV to the socket (tcp_probe) of every segment handled in one softirq, as the
 * programs keep it: log2 buckets of nanoseconds per CPU (rx_dev_to_socket in bpf/receive.c,
 * bucket k holding [2^(k-1), 2^k), bcc's bpf_log2l). Each bucket's count is recorded at its
 * upper bound, so percentiles read "at most".
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
        Histogram h = new PackedHistogram(3_600_000_000_000L, 2);
        for (int k = 0; k < BUCKETS - 1; k++) { // 2^63 is past any wait
            long count = buckets.sum(k);
            if (count > 0) h.recordValueWithCount(Math.min(k == 0 ? 0 : 1L << k, h.getHighestTrackableValue()), count);
        }
        return h;
    }
}
