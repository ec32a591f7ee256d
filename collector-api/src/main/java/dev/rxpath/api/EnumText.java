package dev.rxpath.api;

import com.google.protobuf.ProtocolMessageEnum;
import java.util.Locale;

/**
 * Enums by the names people read. A proto enum's values carry their type's name as a prefix
 * (VERDICT_DROPPED); people see "DROPPED", and type "dropped", dashes standing for
 * underscores ("bytes-received" is FLOW_SORT_BYTES_RECEIVED).
 */
public final class EnumText {
    private EnumText() {}

    /** DROPPED for VERDICT_DROPPED. */
    public static String of(Enum<?> value) {
        String prefix = prefix(value.getDeclaringClass());
        String name = value.name();
        return name.startsWith(prefix) ? name.substring(prefix.length()) : name;
    }

    /** What a person types: bytes-received for FLOW_SORT_BYTES_RECEIVED. */
    public static String typed(Enum<?> value) {
        return of(value).toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Protobuf's style: a value's prefix is its type's name in upper snake case. */
    private static String prefix(Class<?> type) {
        if (!ProtocolMessageEnum.class.isAssignableFrom(type)) return "";
        String name = ((ProtocolMessageEnum) type.getEnumConstants()[0]).getDescriptorForType().getName();
        return name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT) + "_";
    }
}
