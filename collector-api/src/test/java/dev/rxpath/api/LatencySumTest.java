package dev.rxpath.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.rxpath.api.v1.LatencyBucket;
import dev.rxpath.api.v1.LatencySummary;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Latency summaries of many flows or nodes added up: bucket by bound, percentiles to a bucket. */
class LatencySumTest {
    /** Buckets as upper bound (ns) and count pairs; count the buckets' sum, max as given. */
    static LatencySummary summary(long maxNs, long... boundAndCount) {
        LatencySummary.Builder b = LatencySummary.newBuilder().setMax(LatencySum.duration(maxNs))
                .setP50(LatencySum.duration(maxNs)).setP99(LatencySum.duration(maxNs));
        for (int i = 0; i < boundAndCount.length; i += 2) {
            b.addBuckets(LatencyBucket.newBuilder().setUpperBound(LatencySum.duration(boundAndCount[i])).setCount(boundAndCount[i + 1]));
            b.setCount(b.getCount() + boundAndCount[i + 1]);
        }
        return b.build();
    }

    @Test
    void bucketsOfEqualBoundsAddUp() {
        LatencySum sum = new LatencySum().add(summary(3_000, 1_024, 10, 4_096, 50)).add(summary(60_000, 4_096, 30, 65_536, 2))
                .add(LatencySummary.getDefaultInstance()); // a flow with no such latency: not counted as one
        assertEquals(92, sum.count());
        assertEquals(2, sum.added());
        assertEquals(new TreeMap<>(Map.of(1_024L, 10L, 4_096L, 80L, 65_536L, 2L)), sum.buckets());
    }

    @Test
    void percentilesAreTheBoundOfTheBucketTheyFallIn() {
        LatencySum sum = new LatencySum().add(summary(3_000, 1_024, 10, 4_096, 50)).add(summary(60_000, 4_096, 30, 65_536, 2));
        assertEquals(1_024, sum.quantileBound(0.10)); // the 10th of 92
        assertEquals(4_096, sum.quantileBound(0.11)); // the 11th
        assertEquals(4_096, sum.quantileBound(0.50));
        assertEquals(4_096, sum.quantileBound(0.978)); // the 90th, the last below 65.5us
        assertEquals(65_536, sum.quantileBound(0.99)); // the 92nd
        assertEquals(0, new LatencySum().quantileBound(0.5));
    }

    @Test
    void oneSummaryComesBackAsItWasAndSeveralAsTheirSum() {
        LatencySummary one = summary(3_000, 1_024, 10, 4_096, 50);
        assertSame(one, new LatencySum().add(one).add(LatencySummary.getDefaultInstance()).summary());
        LatencySummary sum = new LatencySum().add(one).add(summary(60_000, 4_096, 30, 65_536, 2)).summary();
        assertEquals(summary(0, 1_024, 10, 4_096, 80, 65_536, 2).toBuilder()
                .setP50(LatencySum.duration(4_096)).setP99(LatencySum.duration(65_536)).setMax(LatencySum.duration(60_000)).build(), sum);
        // summaries from before buckets: counts and max still add up, percentiles cannot
        LatencySummary old = LatencySummary.newBuilder().setCount(5).setMax(LatencySum.duration(7)).build();
        assertEquals(LatencySummary.newBuilder().setCount(10).setMax(LatencySum.duration(7)).build(),
                new LatencySum().add(old).add(old).summary());
    }
}
