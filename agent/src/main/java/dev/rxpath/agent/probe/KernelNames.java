package dev.rxpath.agent.probe;

import java.util.Map;

/** Names of the enum values the kernel puts in records, as the running kernel defines them. */
public record KernelNames(Map<Long, String> dropReasons, Map<Long, String> resetReasons, Map<Long, String> tcpStates) {
    public KernelNames {
        dropReasons = Map.copyOf(dropReasons);
        resetReasons = Map.copyOf(resetReasons);
        tcpStates = Map.copyOf(tcpStates);
    }

    public String dropReason(long value) {
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
