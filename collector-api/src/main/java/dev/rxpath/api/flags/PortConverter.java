package dev.rxpath.api.flags;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A TCP port, 1 to 65535: 0 would match nothing, and the filter fields are unsigned. */
public final class PortConverter implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String text) {
        return parse(text);
    }

    public static int parse(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) return port;
        } catch (NumberFormatException notANumber) {
            // said below, with the range
        }
        throw new TypeConversionException("'" + text + "' is not a port (1 to 65535)");
    }
}
