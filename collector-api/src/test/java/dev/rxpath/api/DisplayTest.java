package dev.rxpath.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Duration;
import dev.rxpath.api.v1.LostEvent;
import dev.rxpath.api.v1.LostSource;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class DisplayTest {
    /** In a German locale too: String.format's default would write 12,1us. */
    @Test
    void durationsAndBytesReadTheSameInEveryLocale() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY);
        try {
            assertEquals("850ns", Display.duration(nanos(850)));
            assertEquals("12.1us", Display.duration(nanos(12_100)));
            assertEquals("1.20ms", Display.duration(nanos(1_200_000)));
            assertEquals("2.50s", Display.duration(nanos(2_500_000_000L)));
            assertEquals("512B", Display.bytes(512));
            assertEquals("1.5KiB", Display.bytes(1536));
            assertEquals("12.0MiB", Display.bytes(12L << 20));
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void lostRecords() {
        assertEquals("LOST 42 records (subscriber queue)", Display.lost(LostEvent.newBuilder()
                .setSource(LostSource.LOST_SOURCE_SUBSCRIBER_QUEUE).setCpu(-1).setCount(42).build()));
        assertEquals("LOST 3 records (perf ring, cpu1)", Display.lost(LostEvent.newBuilder()
                .setSource(LostSource.LOST_SOURCE_PERF_RING).setCpu(1).setCount(3).build()));
    }

    private static Duration nanos(long ns) {
        return Duration.newBuilder().setSeconds(ns / 1_000_000_000L).setNanos((int) (ns % 1_000_000_000L)).build();
    }
}
