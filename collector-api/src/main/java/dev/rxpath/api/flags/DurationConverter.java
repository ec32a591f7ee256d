package dev.rxpath.api.flags;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Durations as Go and Hubble write them: numbers with units, summed: 200us, 5ms, 1.5s,
 * 2m30s, 1h. Units: ns, us (or µs), ms, s, m, h.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern TERM = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");
    private static final Map<String, Long> NANOS = Map.of("ns", 1L, "us", 1_000L, "µs", 1_000L, "ms", 1_000_000L,
            "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

    @Override
    public Duration convert(String text) {
        return parse(text);
    }

    public static Duration parse(String text) {
        Matcher term = TERM.matcher(text);
        BigDecimal nanos = BigDecimal.ZERO;
        int end = 0;
        while (term.find() && term.start() == end) {
            nanos = nanos.add(new BigDecimal(term.group(1)).multiply(BigDecimal.valueOf(NANOS.get(term.group(2)))));
            end = term.end();
        }
        if (end == 0 || end != text.length()) {
            throw new TypeConversionException("'" + text + "' is not a duration: a number and a unit (ns, us, ms, s, m, h), such as 200us, 5ms, 1.5s, 2m30s");
        }
        try {
            return Duration.ofNanos(nanos.longValueExact());
        } catch (ArithmeticException tooLong) {
            throw new TypeConversionException("'" + text + "' is too long a duration");
        }
    }
}
