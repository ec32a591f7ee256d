package dev.rxpath.api;

import com.google.protobuf.Duration;
import dev.rxpath.api.v1.LatencyBucket;
import dev.rxpath.api.v1.LatencySummary;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Latency summaries added up: many flows' for a picture of them together (rxpath latency), many
 * nodes' for a relay's status. The log2 buckets have the same bounds everywhere, so counts add
 * up bound by bound, exactly. The median and 99th percentile of several summaries can only be
 * told to a bucket: they are the upper bound of the bucket they fall in ({@link #quantileBound}).
 */
public final class LatencySum {
    /** upper bound in ns → count */
    private final TreeMap<Long, Long> buckets = new TreeMap<>();
    private long count;
    private long maxNs;
    private int added;
    /** The summary when only one (not empty) was added: its own percentiles are finer than a bucket's. */
    private LatencySummary only;

    /** Adds a summary; an empty one (no count) changes nothing. */
    public LatencySum add(LatencySummary summary) {
        if (summary.getCount() == 0) return this;
        only = added == 0 ? summary : null;
        added++;
        count += summary.getCount();
        maxNs = Math.max(maxNs, nanos(summary.getMax()));
        for (LatencyBucket b : summary.getBucketsList()) buckets.merge(nanos(b.getUpperBound()), b.getCount(), Long::sum);
        return this;
    }

    /** Times counted, over every summary added. */
    public long count() {
        return count;
    }

    /** How many summaries with a count were added (flows, nodes). */
    public int added() {
        return added;
    }

    /** Upper bound in ns → count, ascending; only buckets that count something. */
    public NavigableMap<Long, Long> buckets() {
        return Collections.unmodifiableNavigableMap(buckets);
    }

    /**
     * The upper bound (ns) of the bucket holding the {@code q}-quantile, in the sense of
     * HdrHistogram's percentiles: the bucket of the ceil(q × n)-th smallest time. 0 when nothing
     * was counted in buckets.
     */
    public long quantileBound(double q) {
        long total = 0;
        for (long n : buckets.values()) total += n;
        long rank = Math.max(1, (long) Math.ceil(q * total)), seen = 0;
        for (Map.Entry<Long, Long> e : buckets.entrySet()) {
            seen += e.getValue();
            if (seen >= rank) return e.getKey();
        }
        return 0;
    }

    /**
     * The sum as one summary: one summary added comes back as it was; of several, the counts
     * and buckets summed, the largest max, and p50 and p99 the bounds of their buckets (left
     * out when the summaries had no buckets: an agent from before them).
     */
    public LatencySummary summary() {
        if (only != null) return only;
        LatencySummary.Builder b = LatencySummary.newBuilder().setCount(count);
        if (count == 0) return b.build();
        b.setMax(duration(maxNs));
        if (!buckets.isEmpty()) b.setP50(duration(quantileBound(0.50))).setP99(duration(quantileBound(0.99)));
        buckets.forEach((bound, n) -> b.addBuckets(LatencyBucket.newBuilder().setUpperBound(duration(bound)).setCount(n)));
        return b.build();
    }

    static long nanos(Duration d) {
        return d.getSeconds() * 1_000_000_000L + d.getNanos();
    }

    static Duration duration(long ns) {
        return Duration.newBuilder().setSeconds(ns / 1_000_000_000L).setNanos((int) (ns % 1_000_000_000L)).build();
    }
}
