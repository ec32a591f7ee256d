package dev.rxpath.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** --last and --limit: a count, 0 or more (the request fields are unsigned). */
final class CountConverter implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String text) {
        try {
            int count = Integer.parseInt(text);
            if (count >= 0) return count;
        } catch (NumberFormatException notANumber) {
            // said below
        }
        throw new TypeConversionException("'" + text + "' is not a count (0 or more)");
    }
}
