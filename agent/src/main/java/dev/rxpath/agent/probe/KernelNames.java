package dev.rxpath.agent.probe;

import java.util.Map;

/**
 * Names of the numbers the kernel puts in records, as the running kernel defines them: its enum
 * values, and its code addresses ({@code symbols}: empty for a recording, made on another kernel).
 */
public record KernelNames(Map<Long, String> dropReasons, Map<Long, String> resetReasons, Map<Long, String> tcpStates,
                          KernelSymbols symbols) {
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

    /** Where a drop happened, "tcp_v4_rcv+0x4a2" (as dropwatch and pwru name it), from kfree_skb's location; null if none. */
    public String dropSite(long location) {
        return symbols.site(location);
    }

    public String tcpState(long value) {
        return tcpStates.getOrDefault(value, "state " + value);
    }

    /** The socket is gone: a state change to TCP_CLOSE. */
    public boolean isClose(long state) {
        return "TCP_CLOSE".equals(tcpState(state));
    }
}
