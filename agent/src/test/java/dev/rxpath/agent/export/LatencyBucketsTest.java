package dev.rxpath.agent.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.util.Durations;
import dev.rxpath.agent.maps.DevToSocket;
import dev.rxpath.api.v1.LatencySummary;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.PackedHistogram;
import org.junit.jupiter.api.Test;

/** The API's latency buckets: the kernel's log2 bounds, so that any two histograms' buckets line up. */
class LatencyBucketsTest {
    private static List<List<Long>> buckets(LatencySummary s) {
        return s.getBucketsList().stream().map(b -> List.of(Durations.toNanos(b.getUpperBound()), b.getCount())).toList();
    }

    @Test
    void eachTimeFallsInTheBucketBelowThePowerOfTwoAboveIt() {
        Histogram h = new Histogram(3);
        h.recordValue(0);                 // [0, 1)
        h.recordValue(1_000);             // [512, 1024)
        h.recordValue(1_023);             // [512, 1024)
        h.recordValue(1_024);             // [1024, 2048): a power of two starts its bucket, as in the kernel
        h.recordValueWithCount(3_000, 5); // [2048, 4096)
        h.recordValue(1_000_000);         // [524288, 1048576)
        LatencySummary s = ApiMessages.latency(h);
        assertEquals(10, s.getCount());
        assertEquals(List.of(List.of(1L, 1L), List.of(1024L, 2L), List.of(2048L, 1L), List.of(4096L, 5L), List.of(1_048_576L, 1L)), buckets(s));
    }

    @Test
    void hdrHistogramsCoarseRangesStillLandInTheirBucket() {
        // two significant digits, as flows keep them: above 256 ns a count stands for a range of values
        Histogram h = new PackedHistogram(3_600_000_000_000L, 2);
        h.recordValue((1L << 20) - 1); // counted with 1,044,480..1,048,575: all below 2^20
        h.recordValue(1L << 20);       // counted with 1,048,576..1,052,671: all at or above it
        assertEquals(List.of(List.of(1L << 20, 1L), List.of(1L << 21, 1L)), buckets(ApiMessages.latency(h)));
    }

    @Test
    void theKernelsEverySegmentBucketsComeBackAsTheyWere() {
        long[] kernel = new long[64];
        kernel[0] = 2;   // 0 ns
        kernel[1] = 3;   // [1, 2)
        kernel[10] = 7;  // [512, 1024)
        kernel[14] = 11; // [8192, 16384)
        kernel[40] = 1;  // about 9 minutes
        LatencySummary s = ApiMessages.latency(DevToSocket.histogram(kernel));
        assertEquals(List.of(List.of(1L, 2L), List.of(2L, 3L), List.of(1024L, 7L), List.of(16_384L, 11L), List.of(1L << 40, 1L)), buckets(s));
        assertEquals(24, s.getCount());
        // percentiles read "at most": the largest time of the bucket
        assertEquals(1_023, Durations.toNanos(s.getP50()));
        assertEquals((1L << 40) - 1, Durations.toNanos(s.getMax()), (1L << 40) / 100.0);
    }
}
