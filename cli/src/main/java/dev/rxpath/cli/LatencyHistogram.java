package dev.rxpath.cli;

import dev.rxpath.api.Display;
import dev.rxpath.api.LatencySum;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.NavigableMap;

/**
 * A latency distribution as a terminal histogram: a header saying what was timed, how many
 * times and where the figures come from, then a row per log2 bucket from the first non-empty
 * one to the last, its upper bound, a bar as long as its count against the largest, the count,
 * and the rows holding the median and the 99th percentile marked; ASCII only, whatever the
 * terminal's character set. Pure text from the API's
 * summaries ({@link LatencySum} adds them up), so that it can be tested without an agent.
 */
final class LatencyHistogram {
    private static final int BOUND = 9, COUNT = 9, MARK = " <- p50 p99".length();
    /** The narrowest bar drawn, whatever the width asked. */
    static final int MIN_BAR = 10;

    private LatencyHistogram() {}

    /**
     * "SOCKET, time from the stage before: 2,959 paths of 1,464 flows, sampled (up to 100 paths/s);
     * p50 <2.0us p99 <16.4us": {@code what} was timed, the count in {@code unit}s, {@code source}
     * (which says how they were taken), and the percentiles as the bucket bounds they fall under.
     */
    static String header(String what, LatencySum sum, String unit, String source) {
        return String.format(Locale.ROOT, "%s: %,d %s%s; p50 <%s p99 <%s", what, sum.count(), unit, source,
                ns(sum.quantileBound(0.50)), ns(sum.quantileBound(0.99)));
    }

    /**
     * The rows, each at most {@code width} columns (wider only when it is too narrow for a
     * {@link #MIN_BAR}-column bar): every bucket from the first that counts to the last, the
     * empty ones too, so that the shape is true.
     */
    static List<String> rows(LatencySum sum, int width) {
        List<String> out = new ArrayList<>();
        NavigableMap<Long, Long> buckets = sum.buckets();
        if (buckets.isEmpty()) return out;
        long p50 = sum.quantileBound(0.50), p99 = sum.quantileBound(0.99);
        long most = buckets.values().stream().mapToLong(Long::longValue).max().orElse(1);
        // "  <16.4us |" + bar + " " + count + mark
        int bar = Math.max(MIN_BAR, width - BOUND - 2 - 1 - COUNT - MARK);
        for (long bound = buckets.firstKey(); bound <= buckets.lastKey(); bound *= 2) {
            long n = buckets.getOrDefault(bound, 0L);
            int len = n == 0 ? 0 : (int) Math.max(1, Math.round((double) n * bar / most));
            String mark = bound == p50 && bound == p99 ? " <- p50 p99" : bound == p50 ? " <- p50" : bound == p99 ? " <- p99" : "";
            out.add(String.format(Locale.ROOT, "%" + BOUND + "s |%-" + bar + "s %," + COUNT + "d%s", "<" + ns(bound), "#".repeat(len), n, mark)
                    .stripTrailing());
            if (bound > Long.MAX_VALUE / 2) break;
        }
        return out;
    }

    /** 1.0us, 16.4us, 2.10ms: a bound as durations read everywhere in the CLI. */
    static String ns(long ns) {
        return Display.duration(com.google.protobuf.Duration.newBuilder().setSeconds(ns / 1_000_000_000L)
                .setNanos((int) (ns % 1_000_000_000L)).build());
    }
}
