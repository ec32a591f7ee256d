package dev.rxpath.agent.probe;

import java.util.Map;

/** Names of the enum values the kernel puts in records, as the running kernel defines them. */
public record KernelNames(Map<Long, String> dropReasons, Map<Long, String> resetReasons, Map<Long, String> tcpStates) {
    public KernelNames {
        dropReasons = Map.copyOf(dropReasons);
        resetReasons = Map.copyOf(resetReasons);
        tcpStates = Map.copyOf(tcpStates);
    }

    /** The reason of a drop on a kernel whose kfree_skb gives none (before 5.17). */
    public static final String UNKNOWN = "unknown";

    /** The kernel's name for a drop reason; {@link #UNKNOWN} where the kernel names none at all. */
    public String dropReason(long value) {
        if (dropReasons.isEmpty()) return UNKNOWN;
        return dropReasons.getOrDefault(value, "reason " + value);
    }

    public String resetReason(long value) {
        return resetReasons.getOrDefault(value, "reason " + value);
    }

    public String tcpState(long value) {
        return tcpStates.getOrDefault(value, "state " + value);
    }

    /** The socket is gone: a state change to TCP_CLOSE. */
    public boolean isClose(long state) {
        return "TCP_CLOSE".equals(tcpState(state));
    }
}
