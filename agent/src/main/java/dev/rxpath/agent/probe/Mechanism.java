package dev.rxpath.agent.probe;

/** How a hook reaches the kernel; tracepoints are a stable ABI, kprobes are not. */
public enum Mechanism {
    TRACEPOINT, KPROBE
}
