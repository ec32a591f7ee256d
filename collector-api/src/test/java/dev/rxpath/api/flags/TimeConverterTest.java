package dev.rxpath.api.flags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class TimeConverterTest {
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");

    @Test
    void rfc3339WithZoneOrOffsetAndFraction() {
        assertEquals(Instant.parse("2024-05-01T10:00:00Z"), TimeConverter.parse("2024-05-01T10:00:00Z", NOW));
        assertEquals(Instant.parse("2024-05-01T10:00:00.123456Z"), TimeConverter.parse("2024-05-01T12:00:00.123456+02:00", NOW));
        assertEquals(Instant.parse("2024-05-01T10:00:00Z"), TimeConverter.parse("2024-05-01t10:00:00z", NOW));
    }

    @Test
    void aDurationIsThatLongAgo() {
        assertEquals(Instant.parse("2024-05-01T11:55:00Z"), TimeConverter.parse("5m", NOW));
        assertEquals(Instant.parse("2024-05-01T11:59:30Z"), TimeConverter.parse("30s", NOW));
        assertEquals(Instant.parse("2024-05-01T11:00:00Z"), TimeConverter.parse("1h", NOW));
    }

    @ParameterizedTest
    @ValueSource(strings = {"yesterday", "2024-05-01", "2024-05-01T10:00:00", "12:00", "5"})
    void neitherIsRefused(String text) {
        assertThrows(TypeConversionException.class, () -> TimeConverter.parse(text, NOW));
    }
}
