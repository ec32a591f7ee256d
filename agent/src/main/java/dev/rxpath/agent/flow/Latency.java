package dev.rxpath.agent.flow;

import java.util.Arrays;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.PackedHistogram;

/**
 * One of a flow's latency distributions. Most sockets see a handful of segments, and even
 * a packed HdrHistogram costs 800 bytes, so the first few samples are kept as they are;
 * the histogram (nanoseconds up to an hour, two significant digits) is made when more come.
 */
final class Latency {
    static final long MAX_NS = 3_600_000_000_000L;
    private static final int INLINE = 8;

    private long[] samples = new long[2];
    private int inline;
    private Histogram histogram;

    void record(long ns) {
        long v = Math.max(0, Math.min(ns, MAX_NS));
        if (histogram == null && inline < INLINE) {
            if (inline == samples.length) samples = Arrays.copyOf(samples, 2 * inline);
            samples[inline++] = v;
            return;
        }
        if (histogram == null) {
            histogram = histogramOfSamples();
            samples = null;
        }
        histogram.recordValue(v);
    }

    /** A copy the caller may keep. */
    Histogram snapshot() {
        return histogram != null ? histogram.copy() : histogramOfSamples();
    }

    private Histogram histogramOfSamples() {
        Histogram h = new PackedHistogram(MAX_NS, 2);
        for (int i = 0; i < inline; i++) h.recordValue(samples[i]);
        return h;
    }
}
