package dev.rxpath.cli;

import com.google.protobuf.ProtocolMessageEnum;
import dev.rxpath.api.v1.Family;
import dev.rxpath.api.v1.FlowSort;
import dev.rxpath.api.v1.Stage;
import dev.rxpath.api.v1.Verdict;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Enums by the names people read and type. A proto enum's values carry their type's name
 * as a prefix (VERDICT_DROPPED); people see "DROPPED" and may type "dropped", and dashes
 * stand for underscores ("bytes-received" is FLOW_SORT_BYTES_RECEIVED). The zero value
 * (UNSPECIFIED) and UNRECOGNIZED are never choices.
 */
final class EnumNames {
    private EnumNames() {}

    /** DROPPED for VERDICT_DROPPED. */
    static String of(Enum<?> value) {
        String prefix = prefix(value.getDeclaringClass());
        String name = value.name();
        return name.startsWith(prefix) ? name.substring(prefix.length()) : name;
    }

    /** What a person types: bytes-received for FLOW_SORT_BYTES_RECEIVED. */
    static String typed(Enum<?> value) {
        return of(value).toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static <E extends Enum<E>> E parse(Class<E> type, String text) {
        String name = prefix(type) + text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        return choices(type).stream().filter(e -> e.name().equals(name)).findFirst()
                .orElseThrow(() -> new TypeConversionException("'" + text + "' is not one of "
                        + String.join(", ", choices(type).stream().map(EnumNames::typed).toList())));
    }

    private static <E extends Enum<E>> List<E> choices(Class<E> type) {
        return Arrays.stream(type.getEnumConstants())
                // UNRECOGNIZED has no number: test its name first
                .filter(e -> !(e instanceof ProtocolMessageEnum p) || !e.name().equals("UNRECOGNIZED") && p.getNumber() != 0)
                .toList();
    }

    /** Protobuf's style: a value's prefix is its type's name in upper snake case. */
    private static String prefix(Class<?> type) {
        if (!ProtocolMessageEnum.class.isAssignableFrom(type)) return "";
        String name = ((ProtocolMessageEnum) type.getEnumConstants()[0]).getDescriptorForType().getName();
        return name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT) + "_";
    }

    /** A picocli converter that also lists the choices for the help text (${COMPLETION-CANDIDATES}). */
    abstract static class Choices<E extends Enum<E>> implements ITypeConverter<E>, Iterable<String> {
        private final Class<E> type;

        Choices(Class<E> type) {
            this.type = type;
        }

        @Override
        public E convert(String text) {
            return parse(type, text);
        }

        @Override
        public Iterator<String> iterator() {
            return choices(type).stream().map(EnumNames::typed).iterator();
        }
    }

    static final class Verdicts extends Choices<Verdict> {
        Verdicts() {
            super(Verdict.class);
        }
    }

    static final class Families extends Choices<Family> {
        Families() {
            super(Family.class);
        }
    }

    static final class Stages extends Choices<Stage> {
        Stages() {
            super(Stage.class);
        }
    }

    static final class Sorts extends Choices<FlowSort> {
        Sorts() {
            super(FlowSort.class);
        }
    }

    static final class Formats extends Choices<Output.Format> {
        Formats() {
            super(Output.Format.class);
        }
    }
}
