package dev.rxpath.api.flags;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** --since and --until: an RFC 3339 time (2024-05-01T12:00:00Z), or a duration ago (5m, 30s, 1h). */
public final class TimeConverter implements ITypeConverter<Instant> {
    @Override
    public Instant convert(String text) {
        return parse(text, Instant.now());
    }

    public static Instant parse(String text, Instant now) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException notATime) {
            // then a duration ago
        }
        try {
            return now.minus(DurationConverter.parse(text));
        } catch (TypeConversionException notADuration) {
            throw new TypeConversionException("'" + text + "' is neither an RFC 3339 time (2024-05-01T12:00:00Z) nor a duration ago (5m, 30s, 1h)");
        }
    }
}
