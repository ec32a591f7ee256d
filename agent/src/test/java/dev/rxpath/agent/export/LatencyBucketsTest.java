package dev.rxpath.agent.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.util.Durations;
import dev.rxpath.api.v1.LatencySummary;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The API's latency buckets: log2 bounds, so that any two histograms' buckets line up. */
class LatencyBucketsTest {
    @Test
    void eachTimeFallsInTheBucketOfThePowerOfTwoAboveIt() {
        Histogram h = new Histogram(3);
        h.recordValue(1_000);       // (512, 1024]
        h.recordValue(1_024);       // (512, 1024]
        h.recordValueWithCount(3_000, 5); // (2048, 4096]
        h.recordValue(1_000_000);   // (524288, 1048576]
        LatencySummary s = ApiMessages.latency(h);
        assertEquals(8, s.getCount());
        assertEquals(List.of(List.of(1024L, 2L), List.of(4096L, 5L), List.of(1_048_576L, 1L)),
                s.getBucketsList().stream().map(b -> List.of(Durations.toNanos(b.getUpperBound()), b.getCount())).toList());
    }
}
