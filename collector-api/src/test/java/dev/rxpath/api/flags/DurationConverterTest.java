package dev.rxpath.api.flags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {
    @ParameterizedTest
    @CsvSource({"100ns, 100", "200us, 200000", "200µs, 200000", "5ms, 5000000", "1.5s, 1500000000",
            "30s, 30000000000", "5m, 300000000000", "1h, 3600000000000", "2m30s, 150000000000", "1h0.5m, 3630000000000"})
    void unitsAreSummed(String text, long nanos) {
        assertEquals(Duration.ofNanos(nanos), DurationConverter.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "ms", "5x", "-1s", "1.s", "5ms ", " 5ms", "5 ms", "1d", "5msx", "99999999999h"})
    void anythingElseIsRefused(String text) {
        assertThrows(TypeConversionException.class, () -> DurationConverter.parse(text));
    }
}
