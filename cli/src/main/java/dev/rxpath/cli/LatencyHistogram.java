package dev.rxpath.cli;

import com.google.protobuf.util.Durations;
import dev.rxpath.api.Display;
import dev.rxpath.api.v1.LatencyBucket;
import dev.rxpath.api.v1.LatencySummary;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A latency distribution as a terminal histogram: a row per log2 bucket from the first
 * non-empty one to the last, its upper bound, a bar as long as its count against the
 * largest, the count, and the rows holding the median and the 99th percentile marked.
 * Buckets of many flows (or nodes) add up bound by bound: the bounds are the same everywhere.
 */
final class LatencyHistogram {
    private static final int BOUND = 9, COUNT = 9, MARK = 6;

    /** upper bound in ns → count */
    private final TreeMap<Long, Long> buckets = new TreeMap<>();

    void add(LatencySummary summary) {
        for (LatencyBucket b : summary.getBucketsList()) buckets.merge(Durations.toNanos(b.getUpperBound()), b.getCount(), Long::sum);
    }

    long count() {
        return buckets.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The upper bound of the bucket the quantile falls in: the histogram's own resolution, a factor of two. */
    long quantile(double q) {
        long total = count(), seen = 0, rank = (long) Math.ceil(q * total);
        for (Map.Entry<Long, Long> e : buckets.entrySet()) {
            seen += e.getValue();
            if (seen >= Math.max(1, rank)) return e.getKey();
        }
        return 0;
    }

    /** The rows, each at most {@code width} columns. */
    List<String> rows(int width) {
        List<String> out = new ArrayList<>();
        if (buckets.isEmpty()) return out;
        long p50 = quantile(0.50), p99 = quantile(0.99);
        long most = buckets.values().stream().mapToLong(Long::longValue).max().orElse(1);
        int bar = Math.max(10, width - BOUND - COUNT - MARK - 4);
        for (long bound = buckets.firstKey(); bound <= buckets.lastKey(); bound *= 2) {
            long n = buckets.getOrDefault(bound, 0L);
            int len = n == 0 ? 0 : (int) Math.max(1, Math.round((double) n * bar / most));
            String mark = bound == p50 && bound == p99 ? " p50 p99" : bound == p50 ? " p50" : bound == p99 ? " p99" : "";
            out.add(String.format(Locale.ROOT, "%" + BOUND + "s |%-" + bar + "s %" + COUNT + "d%s", "<=" + ns(bound), "#".repeat(len), n, mark)
                    .stripTrailing());
            if (bound > Long.MAX_VALUE / 2) break;
        }
        return out;
    }

    static String ns(long ns) {
        return Display.duration(Durations.fromNanos(ns));
    }
}
