package dev.rxpath.api.flags;

import com.google.protobuf.ProtocolMessageEnum;
import dev.rxpath.api.EnumText;
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
 * Enums by the names people type ({@link EnumText}): "dropped" for VERDICT_DROPPED, dashes
 * or underscores, any case. The zero value (UNSPECIFIED) and UNRECOGNIZED are never choices.
 */
public final class EnumNames {
    private EnumNames() {}

    public static <E extends Enum<E>> E parse(Class<E> type, String text) {
        String typed = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        return choices(type).stream().filter(e -> EnumText.typed(e).equals(typed)).findFirst()
                .orElseThrow(() -> new TypeConversionException("'" + text + "' is not one of "
                        + String.join(", ", choices(type).stream().map(EnumText::typed).toList())));
    }

    private static <E extends Enum<E>> List<E> choices(Class<E> type) {
        return Arrays.stream(type.getEnumConstants())
                // UNRECOGNIZED has no number: test its name first
                .filter(e -> !(e instanceof ProtocolMessageEnum p) || !e.name().equals("UNRECOGNIZED") && p.getNumber() != 0)
                .toList();
    }

    /** A picocli converter that also lists the choices for the help text (${COMPLETION-CANDIDATES}). */
    public abstract static class Choices<E extends Enum<E>> implements ITypeConverter<E>, Iterable<String> {
        private final Class<E> type;

        protected Choices(Class<E> type) {
            this.type = type;
        }

        @Override
        public E convert(String text) {
            return parse(type, text);
        }

        @Override
        public Iterator<String> iterator() {
            return choices(type).stream().map(EnumText::typed).iterator();
        }
    }

    public static final class Verdicts extends Choices<Verdict> {
        public Verdicts() {
            super(Verdict.class);
        }
    }

    public static final class Families extends Choices<Family> {
        public Families() {
            super(Family.class);
        }
    }

    public static final class Stages extends Choices<Stage> {
        public Stages() {
            super(Stage.class);
        }
    }

    public static final class Sorts extends Choices<FlowSort> {
        public Sorts() {
            super(FlowSort.class);
        }
    }
}
